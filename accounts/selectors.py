import datetime

from django.utils import timezone

from .models import Invitation, RoleAssignment


def recent_invitations(limit: int = 50):
    return Invitation.objects.select_related("invited_by", "protected_area", "jurisdiction")[:limit]


def accreditations_lapsing(within_days: int = 60):
    """Experts and independent reviewers whose accreditation ends soon (for staff)."""
    today = timezone.localdate()
    return (
        RoleAssignment.objects.active()
        .filter(valid_until__isnull=False, valid_until__lte=today + datetime.timedelta(days=within_days))
        .select_related("user", "jurisdiction")
        .order_by("valid_until")
    )


def api_tokens_of(user):
    """A person's own tokens, newest first (revoked and expired ones too, to show what happened)."""
    from .models import ApiToken

    return ApiToken.objects.filter(user=user).select_related("revoked_by")


def get_own_api_token(user, pk: int):
    """One of the person's own tokens; anybody else's answers 404 as a missing one does."""
    from django.shortcuts import get_object_or_404

    from .models import ApiToken

    return get_object_or_404(ApiToken, pk=pk, user=user)
