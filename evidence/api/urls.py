from django.urls import path
from rest_framework.routers import SimpleRouter

from . import uploads, views

# A SimpleRouter: the API's root view comes from the assessments app's DefaultRouter.
router = SimpleRouter()
router.register(r"assessments/(?P<assessment_pk>\d+)/evidence", views.EvidenceViewSet, basename="assessment-evidence")

urlpatterns = [
    path(
        "assessments/<int:assessment_pk>/evidence/linkable/",
        views.EvidenceLinkableView.as_view(),
        name="assessment-evidence-linkable",
    ),
    # Resumable uploads (tus 1.0.0, issue 17): start one for an assessment, then write it by its id.
    path(
        "assessments/<int:assessment_pk>/evidence/uploads/",
        uploads.ResumableUploadCreateView.as_view(),
        name="assessment-evidence-uploads",
    ),
    path("evidence/uploads/<str:pk>/", uploads.ResumableUploadView.as_view(), name="evidence-upload"),
    *router.urls,
    path("evidence-processing/assessments/<int:pk>/search/", views.evidence_search, name="evidence-search"),
    path(
        "evidence-processing/assessments/<int:pk>/status/", views.EvidenceStatusView.as_view(), name="evidence-status"
    ),
    path("evidence-processing/items/<int:item_id>/facts/", views.evidence_facts, name="evidence-facts"),
    # Evidence files for API clients (personal tokens); the pages' twins take a browser session only.
    path("evidence/<int:pk>/file/", views.EvidenceFileView.as_view(), name="evidence-file"),
    path("evidence/<int:pk>/thumbnail/", views.EvidenceThumbnailView.as_view(), name="evidence-thumbnail"),
]
