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
        from assessments.models import Assessment

        # Each site with its newest assessment (one query for sites, one for their assessments).
        sites = list(
            ProtectedArea.objects.filter(pk__in=roles.managed_area_ids).only(
                "id", "name", "iso3", "iucn_category", "designation_eng"
            )
        )
        latest = {}
        for assessment in Assessment.objects.filter(protected_area__in=sites).order_by("protected_area_id", "-cycle"):
            latest.setdefault(assessment.protected_area_id, assessment)
        for site in sites:
            site.latest_assessment = latest.get(site.pk)
        context["my_sites"] = sites
    if roles.expert_jurisdiction_ids or roles.independent_reviewer:
        from reviews.selectors import my_assignments

        context["my_assignments"] = list(my_assignments(user)[:20])
    if roles.iucn_staff:
        context["portfolio_area_count"] = ProtectedArea.objects.count()
        context["lapsing"] = accreditations_lapsing()[:10]
    return context


def api_tokens_of(user):
    """A person's own tokens, newest first (revoked and expired ones too, to show what happened)."""
    from .models import ApiToken

    return ApiToken.objects.filter(user=user).select_related("revoked_by")


def get_own_api_token(user, pk: int):
    """One of the person's own tokens; anybody else's answers 404 as a missing one does."""
    from django.shortcuts import get_object_or_404

    from .models import ApiToken

    return get_object_or_404(ApiToken, pk=pk, user=user)
