"""Which independent reviewer checks the group's evaluation of an application: where the jurisdiction's
onboarding record (standards.JurisdictionOnboarding) appoints one who holds the role on the platform,
that one alone; elsewhere any independent reviewer (eligibility.rules.reviewer_may_check)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef

from accounts.choices import Role
from accounts.models import RoleAssignment
from standards.models import JurisdictionOnboarding


def appointed_reviewers() -> dict[int, int]:
    """jurisdiction id → the independent reviewer appointed for it (its onboarding record), only
    while they hold the role on the platform (one query)."""
    holding = RoleAssignment.objects.active().filter(
        role=Role.INDEPENDENT_REVIEWER, user_id=OuterRef("reviewer_id"), user__is_active=True
    )
    return dict(
        JurisdictionOnboarding.objects.filter(reviewer__isnull=False)
        .filter(Exists(holding))
        .values_list("jurisdiction_id", "reviewer_id")
    )
