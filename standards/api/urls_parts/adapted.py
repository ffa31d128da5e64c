"""API routes of the Standard's adapted sets and their consultation (issue 14), under /api/v1/."""

from rest_framework.routers import SimpleRouter

from standards.api.adapted import AdaptedSetViewSet

router = SimpleRouter()
router.register("adapted-sets", AdaptedSetViewSet, basename="adapted-set")
urlpatterns = router.urls
