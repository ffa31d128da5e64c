from django.urls import path

from . import views

urlpatterns = [
    path("evidence-processing/assessments/<int:pk>/search/", views.evidence_search, name="evidence-search"),
    path("evidence-processing/assessments/<int:pk>/status/", views.evidence_status, name="evidence-status"),
    path("evidence-processing/items/<int:item_id>/facts/", views.evidence_facts, name="evidence-facts"),
    # Evidence files for API clients (personal tokens); the pages' twins take a browser session only.
    path("evidence/<int:pk>/file/", views.EvidenceFileView.as_view(), name="evidence-file"),
    path("evidence/<int:pk>/thumbnail/", views.EvidenceThumbnailView.as_view(), name="evidence-thumbnail"),
]
