from rest_framework.routers import DefaultRouter

from .views import ProtectedAreaViewSet

router = DefaultRouter()
router.register("protected-areas", ProtectedAreaViewSet, basename="protected-area")
urlpatterns = router.urls
