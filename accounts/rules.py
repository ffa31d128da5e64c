"""Named access rules: the one place that says who may do what.

Every view, serializer and service asks these functions; none looks at roles directly.
A person's active roles are loaded once per request (cached on the user object).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone

from .choices import Role


@dataclass(frozen=True)
class ActiveRoles:
    administrator: bool = False
    iucn_staff: bool = False
    independent_reviewer: bool = False
    managed_area_ids: frozenset[int] = field(default_factory=frozenset)
    expert_jurisdiction_ids: frozenset[int] = field(default_factory=frozenset)
    chair_jurisdiction_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def names(self) -> list[str]:
        names = []
        if self.administrator:
            names.append(Role.ADMINISTRATOR)
        if self.iucn_staff:
            names.append(Role.IUCN_STAFF)
        if self.expert_jurisdiction_ids:
            names.append(Role.EXPERT)
        if self.independent_reviewer:
            names.append(Role.INDEPENDENT_REVIEWER)
        if self.managed_area_ids:
            names.append(Role.SITE_MANAGER)
        return names


_NO_ROLES = ActiveRoles()


def active_roles(user) -> ActiveRoles:
    if user is None or not user.is_authenticated or not user.is_active:
        return _NO_ROLES
    cached = getattr(user, "_active_roles", None)
    if cached is not None:
        return cached
    from .models import RoleAssignment

    rows = (
        RoleAssignment.objects.active()
        .filter(user=user)
        .values_list("role", "protected_area_id", "jurisdiction_id", "is_chair")
    )
    managed, experts, chairs = set(), set(), set()
    flags = {Role.ADMINISTRATOR: False, Role.IUCN_STAFF: False, Role.INDEPENDENT_REVIEWER: False}
    for role, area_id, jurisdiction_id, is_chair in rows:
        if role == Role.SITE_MANAGER:
            managed.add(area_id)
        elif role == Role.EXPERT:
            experts.add(jurisdiction_id)
            if is_chair:
                chairs.add(jurisdiction_id)
        else:
            flags[role] = True
    roles = ActiveRoles(
        administrator=flags[Role.ADMINISTRATOR],
        iucn_staff=flags[Role.IUCN_STAFF] or flags[Role.ADMINISTRATOR],
        independent_reviewer=flags[Role.INDEPENDENT_REVIEWER],
        managed_area_ids=frozenset(managed),
        expert_jurisdiction_ids=frozenset(experts),
        chair_jurisdiction_ids=frozenset(chairs),
    )
    user._active_roles = roles
    return roles


def forget_roles(user) -> None:
    """Drop the per-request cache after roles change."""
    if hasattr(user, "_active_roles"):
        del user._active_roles


# --- the named rules ---------------------------------------------------------------------------


def is_administrator(user) -> bool:
    return active_roles(user).administrator


def is_iucn_staff(user) -> bool:
    """IUCN staff (administrators count as staff)."""
    return active_roles(user).iucn_staff


def manages_site(user, area) -> bool:
    return area is not None and area.pk in active_roles(user).managed_area_ids


def managed_area_ids(user) -> frozenset[int]:
    return active_roles(user).managed_area_ids


def is_expert_for(user, jurisdiction_id: int | None) -> bool:
    return jurisdiction_id is not None and jurisdiction_id in active_roles(user).expert_jurisdiction_ids


def chairs_group_for(user, jurisdiction_id: int | None) -> bool:
    return jurisdiction_id is not None and jurisdiction_id in active_roles(user).chair_jurisdiction_ids


def is_expert(user) -> bool:
    return bool(active_roles(user).expert_jurisdiction_ids)


def is_independent_reviewer(user) -> bool:
    return active_roles(user).independent_reviewer


def can_invite(user) -> bool:
    return is_iucn_staff(user)


def can_manage_site_teams(user) -> bool:
    return is_iucn_staff(user)


def can_import_protected_areas(user) -> bool:
    return is_iucn_staff(user)


# --- assessments and evidence (issue 4) -------------------------------------------------------
# Rules take the assessment (or evidence item) and look only at ids already on it, so asking
# them for 50 rows costs no query beyond the per-request role load.


def can_approve_adapted_indicators(user) -> bool:
    return is_iucn_staff(user)


def is_site_team_of(user, assessment) -> bool:
    return assessment.protected_area_id in active_roles(user).managed_area_ids


def can_start_assessment(user, area) -> bool:
    return manages_site(user, area)


def can_view_assessment(user, assessment) -> bool:
    """Site team and IUCN staff. Experts and reviewers get access once assigned (reviews app);
    see `Assessment.objects.visible_to`, which this rule must agree with."""
    return is_site_team_of(user, assessment) or is_iucn_staff(user)


def can_edit_assessment(user, assessment) -> bool:
    """Who may write answers and evidence (the phase is checked by the workflow, not here)."""
    return is_site_team_of(user, assessment)


def can_submit_assessment(user, assessment) -> bool:
    return is_site_team_of(user, assessment)


def can_accept_candidate(user, assessment) -> bool:
    return is_iucn_staff(user)


def can_review_assessment(user, assessment) -> bool:
    """Move an assessment through review. Staff for now; the reviews app adds assigned experts."""
    return is_iucn_staff(user)


def can_decide_assessment(user, assessment) -> bool:
    return is_iucn_staff(user)


def can_view_evidence(user, item, assessment=None) -> bool:
    """Evidence marked for the site team only is hidden from reviewers; staff see everything."""
    target = assessment or item.assessment
    if not can_view_assessment(user, target):
        return False
    if item.sensitivity == "site_team":
        return is_site_team_of(user, target) or is_iucn_staff(user)
    return True


def today():
    return timezone.localdate()
