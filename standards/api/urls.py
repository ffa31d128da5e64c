from rest_framework.routers import DefaultRouter

from .views import JurisdictionViewSet, StandardViewSet

router = DefaultRouter()
router.register("standards", StandardViewSet, basename="standard")
router.register("jurisdictions", JurisdictionViewSet, basename="jurisdiction")
urlpatterns = router.urls
