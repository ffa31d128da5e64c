from django.urls import path
from rest_framework.routers import DefaultRouter

from .views import AgreementView, InformationRequestViewSet, ReviewAssessmentViewSet, ReviewAssignmentViewSet

router = DefaultRouter()
router.register("review-assignments", ReviewAssignmentViewSet, basename="review-assignment")
router.register("review-assessments", ReviewAssessmentViewSet, basename="review-assessment")
router.register("information-requests", InformationRequestViewSet, basename="information-request")
urlpatterns = [
    path("review-agreement/", AgreementView.as_view(), name="review-agreement"),
    *router.urls,
]
