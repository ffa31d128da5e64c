from django.urls import path
from rest_framework.routers import DefaultRouter

from .conditions import ListingConditionViewSet
from .views import (
    CertificateViewSet,
    DecisionViewSet,
    GreenListFeedView,
    GreenListMapView,
    GreenListViewSet,
    PanelCaseViewSet,
    VerificationViewSet,
)

router = DefaultRouter()
router.register("certification/decisions", DecisionViewSet, basename="decision")
router.register("certification/panel-cases", PanelCaseViewSet, basename="panel-case")
router.register("certification/certificates", CertificateViewSet, basename="certificate")
router.register("certification/conditions", ListingConditionViewSet, basename="listing-condition")
router.register("green-list", GreenListViewSet, basename="green-list")
router.register("verify", VerificationViewSet, basename="verify")
urlpatterns = [
    path("green-list/map/", GreenListMapView.as_view(), name="green-list-map"),
    path("green-list/feed/", GreenListFeedView.as_view(), name="green-list-feed"),
    *router.urls,
]
