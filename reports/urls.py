from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("sites.geojson", views.sites_geojson, name="sites-geojson"),
    path("assessments/<int:pk>/", views.assessment_reports, name="assessment"),
    path("assessments/<int:pk>/answers.csv", views.assessment_csv, name="assessment-csv"),
    path("assessments/<int:pk>/dossier/", views.dossier_preview, name="dossier-preview"),
    path("assessments/<int:pk>/exports/", views.export_start, name="export"),
    path("jobs/<int:pk>/", views.job_page, name="job"),
    path("jobs/<int:pk>/status/", views.job_status, name="job-status"),
    path("jobs/<int:pk>/download/", views.job_download, name="job-download"),
]
