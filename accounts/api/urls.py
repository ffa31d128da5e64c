from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

# No DefaultRouter: its root view would take the place of /api/v1/ (accounts is included first).
router = SimpleRouter()
router.register("people", views.PersonViewSet, basename="person")
router.register("role-assignments", views.RoleAssignmentViewSet, basename="role-assignment")
router.register("accreditations", views.AccreditationViewSet, basename="accreditation")
router.register("invitations", views.InvitationViewSet, basename="invitation")

urlpatterns = [
    path("me/tokens/", views.my_tokens, name="my-tokens"),
    path("me/tokens/<int:pk>/revoke/", views.my_token_revoke, name="my-token-revoke"),
    *router.urls,
]
