from rest_framework.routers import DefaultRouter

from .urls_parts import adapted, authoring, diff, onboarding, spreadsheets
from .views import JurisdictionViewSet, StandardViewSet

router = DefaultRouter()
router.register("standards", StandardViewSet, basename="standard")
router.register("jurisdictions", JurisdictionViewSet, basename="jurisdiction")
# The parts' explicit routes come first, so that a router's detail route never swallows them.
urlpatterns = [
    *authoring.urlpatterns,
    *spreadsheets.urlpatterns,
    *adapted.urlpatterns,
    *diff.urlpatterns,
    *onboarding.urlpatterns,
    *router.urls,
]
