"""API routes of the Standard's authoring (issue 14), under /api/v1/: drafts, and the texts and
places of their components, criteria and indicators (standards/api/authoring.py)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from standards.api import authoring

router = SimpleRouter()
router.register("standard-drafts", authoring.StandardDraftViewSet, basename="standard-draft")
router.register("standard-indicators", authoring.StandardIndicatorViewSet, basename="standard-indicator")
router.register("standard-components", authoring.StandardComponentViewSet, basename="standard-component")
router.register("standard-criteria", authoring.StandardCriterionViewSet, basename="standard-criterion")

urlpatterns = [
    path("standards/<int:pk>/drafts/", authoring.DraftCreateView.as_view(), name="standard-draft-create"),
    *router.urls,
]
