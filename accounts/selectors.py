import datetime

from django.utils import timezone

from protected_areas.models import ProtectedArea

from . import rules
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


def home_context(user) -> dict:
    roles = rules.active_roles(user)
    context: dict = {"active": roles}
    if roles.managed_area_ids:
        context["my_sites"] = ProtectedArea.objects.filter(pk__in=roles.managed_area_ids).only(
            "id", "name", "iso3", "iucn_category", "designation_eng"
        )
    if roles.iucn_staff:
        context["portfolio_area_count"] = ProtectedArea.objects.count()
        context["lapsing"] = accreditations_lapsing()[:10]
    return context
