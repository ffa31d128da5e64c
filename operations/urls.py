from django.urls import path

from . import views

app_name = "operations"

urlpatterns = [
    # Prometheus's scrape: a token or an allowed network, else 404 (operations.rules.may_scrape_metrics).
    path("metrics", views.metrics, name="metrics"),
    path("operations/system/", views.system_page, name="system"),
    path("operations/system/jobs/<int:pk>/retry/", views.job_retry, name="job-retry"),
    path("operations/system/evidence/<int:pk>/retry/", views.evidence_retry, name="evidence-retry"),
]
