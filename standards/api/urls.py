from rest_framework.routers import DefaultRouter

from .views import StandardViewSet

router = DefaultRouter()
router.register("standards", StandardViewSet, basename="standard")
urlpatterns = router.urls
