from django.urls import path

from . import views

urlpatterns = [
    path("assessments/<int:pk>/gaps/", views.assessment_gaps, name="assessment-gaps"),
    path("assessments/<int:pk>/exports/", views.assessment_export, name="assessment-exports"),
    path("jobs/<int:pk>/", views.job_detail, name="job-detail"),
    path("jobs/<int:pk>/download/", views.JobDownloadView.as_view(), name="job-file"),
]
