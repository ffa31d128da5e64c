import datetime

from django.db.models import F, Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone

from . import rules
from .choices import ACCREDITED_ROLES
from .models import Invitation, RoleAssignment, User


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


# --- people, roles and invitations as the staff API reads them ------------------------------------
# Who sees what is `rules.can_see_people` (the admin's rule): everyone for IUCN staff, else oneself.


def people_visible_to(user):
    """People, each with their roles (all of them: ended ones too, to show what happened)."""
    qs = User.objects.order_by("email", "id").prefetch_related(
        Prefetch(
            "role_assignments",
            queryset=_with_scope_names(RoleAssignment.objects.order_by("role", "id")),
        )
    )
    if rules.can_see_people(user):
        return qs
    return qs.filter(pk=getattr(user, "pk", None))


def get_person_for_user(user, pk):
    """One person, or 404 for anybody the person asking may not see."""
    return get_object_or_404(people_visible_to(user), pk=pk)


def _with_scope_names(qs):
    # The scope's name, not the area row: a protected area carries its boundary geometries.
    return qs.annotate(protected_area_name=F("protected_area__name"), jurisdiction_name=F("jurisdiction__name"))


def role_assignments_visible_to(user):
    qs = _with_scope_names(
        RoleAssignment.objects.select_related("user", "granted_by").order_by("user__email", "role", "id")
    )
    if rules.can_see_people(user):
        return qs
    return qs.filter(user_id=getattr(user, "pk", None))


def accreditations_visible_to(user):
    """Role assignments held on an accreditation (experts, independent reviewers)."""
    return role_assignments_visible_to(user).filter(role__in=ACCREDITED_ROLES)


def invitations_visible_to(user):
    """Invitations, newest first: IUCN staff (who send them) only."""
    qs = _with_scope_names(Invitation.objects.select_related("invited_by", "accepted_by")).order_by(
        "-created_at", "-id"
    )
    return qs if rules.can_invite(user) else qs.none()
