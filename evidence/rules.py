"""Who may see which evidence item, item by item. The same rule as
`EvidenceItem.objects.visible_to` (the queryset form): both ask `accounts.rules` who may see
an assessment and its team-only material; what "team-only" means is decided here, by sensitivity."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.db.models import Q

from accounts import rules
from accounts.types import Person
from assessments.models import Assessment

from .choices import Sensitivity

if TYPE_CHECKING:
    from .models import EvidenceItem


def evidence_filter_of(user: Person, assessment: Assessment, *, via: str = "") -> Q | None:
    """The items of `assessment` this person may see, as a filter for a query (`via`: the lookup
    path from the query's model to the item, e.g. "evidenceitem__"): None when they see none, an
    empty Q when they see all. Who the person is for this assessment is decided once, here; then
    each item by its sensitivity alone. `can_view_evidence_of` is the same rule item by item."""
    if not rules.can_view_assessment(user, assessment):
        return None
    if rules.can_view_team_only_of(user, assessment):
        return Q()
    return ~Q(**{f"{via}sensitivity": Sensitivity.SITE_TEAM})


def can_view_evidence_of(user: Person, assessment: Assessment) -> Callable[[EvidenceItem], bool]:
    """Whether this person may see an item of `assessment`, for many items of it (the review page
    lists a thousand): `evidence_filter_of`'s decision, applied to each item."""
    seen = evidence_filter_of(user, assessment)
    if seen is None:
        return lambda item: False
    if not seen:  # Q(): every item
        return lambda item: True
    return lambda item: item.sensitivity != Sensitivity.SITE_TEAM


def can_view_evidence(user: Person, item: EvidenceItem, assessment: Assessment | None = None) -> bool:
    """Evidence marked for the site team only is hidden from reviewers; staff see everything."""
    return can_view_evidence_of(user, assessment or item.assessment)(item)
