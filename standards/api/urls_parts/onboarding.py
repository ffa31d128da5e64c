"""API routes of jurisdictions' onboarding records (issue 16), under /api/v1/."""

from rest_framework.routers import SimpleRouter

from standards.api.onboarding import OnboardingViewSet

router = SimpleRouter()
router.register("jurisdiction-onboarding", OnboardingViewSet, basename="jurisdiction-onboarding")
urlpatterns = router.urls
