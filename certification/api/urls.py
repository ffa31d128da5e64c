from rest_framework.routers import DefaultRouter

from .views import CertificateViewSet, DecisionViewSet, GreenListViewSet, VerificationViewSet

router = DefaultRouter()
router.register("certification/decisions", DecisionViewSet, basename="decision")
router.register("certification/certificates", CertificateViewSet, basename="certificate")
router.register("green-list", GreenListViewSet, basename="green-list")
router.register("verify", VerificationViewSet, basename="verify")
urlpatterns = router.urls
