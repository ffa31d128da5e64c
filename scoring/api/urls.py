from django.urls import path

from . import views

urlpatterns = [
    path("assessments/<int:pk>/scores/", views.assessment_scores, name="assessment-scores"),
]
