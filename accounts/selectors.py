from __future__ import annotations

import datetime

from django.db.models import F, Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from . import rules
from .choices import ACCREDITED_ROLES
from .models import ApiToken, Invitation, RoleAssignment, User
from .types import Person


def recent_invitations(limit: int = 50) -> QuerySet[Invitation]:
    return Invitation.objects.select_related("invited_by", "protected_area", "jurisdiction")[:limit]


def accreditations_lapsing(within_days: int = 60) -> QuerySet[RoleAssignment]:
    """Experts and independent reviewers whose accreditation ends soon (for staff)."""
    today = timezone.localdate()
    return (
        RoleAssignment.objects.active()
        .filter(valid_until__isnull=False, valid_until__lte=today + datetime.timedelta(days=within_days))
        .select_related("user", "jurisdiction")
        .order_by("valid_until")
    )


def api_tokens_of(user: User) -> QuerySet[ApiToken]:
    """A person's own tokens, newest first (revoked and expired ones too, to show what happened)."""
    return ApiToken.objects.filter(user=user).select_related("revoked_by")


def get_own_api_token(user: User, pk: int | str) -> ApiToken:
    """One of the person's own tokens; anybody else's answers 404 as a missing one does."""
    return get_object_or_404(ApiToken, pk=pk, user=user)


# --- people, roles and invitations as the staff API reads them ------------------------------------
# Who sees what is `rules.can_see_people` (the admin's rule): everyone for IUCN staff, else oneself.


def people_visible_to(user: Person) -> QuerySet[User]:
    """People, each with their roles (all of them: ended ones too, to show what happened)."""
    qs = User.objects.order_by("email", "id").prefetch_related(
        Prefetch(
            "role_assignments",
            queryset=RoleAssignment.objects.order_by("role", "id").annotate(**_SCOPE_NAMES),
        )
    )
    if rules.can_see_people(user):
        return qs
    return qs.filter(pk=user.pk) if user.is_authenticated else qs.none()


def get_person_for_user(user: Person, pk: int | str) -> User:
    """One person, or 404 for anybody the person asking may not see."""
    return get_object_or_404(people_visible_to(user), pk=pk)


# Role assignments and invitations are listed with their scope's name, not the area row: a
# protected area carries its boundary geometries.
_SCOPE_NAMES = {"protected_area_name": F("protected_area__name"), "jurisdiction_name": F("jurisdiction__name")}


def role_assignments_visible_to(user: Person) -> QuerySet[RoleAssignment]:
    qs = (
        RoleAssignment.objects.select_related("user", "granted_by")
        .order_by("user__email", "role", "id")
        .annotate(**_SCOPE_NAMES)
    )
    if rules.can_see_people(user):
        return qs
    return qs.filter(user_id=user.pk) if user.is_authenticated else qs.none()


def accreditations_visible_to(user: Person) -> QuerySet[RoleAssignment]:
    """Role assignments held on an accreditation (experts, independent reviewers)."""
    return role_assignments_visible_to(user).filter(role__in=ACCREDITED_ROLES)


def invitations_visible_to(user: Person) -> QuerySet[Invitation]:
    """Invitations, newest first: IUCN staff (who send them) only."""
    qs = (
        Invitation.objects.select_related("invited_by", "accepted_by")
        .annotate(**_SCOPE_NAMES)
        .order_by("-created_at", "-id")
    )
    return qs if rules.can_invite(user) else qs.none()


def panel_members() -> QuerySet[User]:
    """People who sit on the Green List Panel today (its chair too), for staff opening a case."""
    from .choices import Role

    sitting = RoleAssignment.objects.active().filter(role__in=[Role.PANEL_MEMBER, Role.PANEL_CHAIR])
    return User.objects.filter(is_active=True, pk__in=sitting.values("user_id")).order_by("full_name", "email")
