from django.urls import path

from .views import CheckView, EligibilityStateView, EvaluationView, OverrideView

urlpatterns = [
    path("assessments/<int:pk>/eligibility/", EligibilityStateView.as_view(), name="eligibility-state"),
    path("assessments/<int:pk>/eligibility/evaluation/", EvaluationView.as_view(), name="eligibility-evaluation"),
    path("assessments/<int:pk>/eligibility/check/", CheckView.as_view(), name="eligibility-check"),
    path("assessments/<int:pk>/eligibility/override/", OverrideView.as_view(), name="eligibility-override"),
]
