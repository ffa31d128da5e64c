"""Who may do what with a consultation. Built on accounts.rules (roles are read there once per request).

- IUCN staff open and close windows and moderate comments.
- The site team and the expert group see the accepted comments: the group is the experts of the
  site's jurisdiction and the reviewers assigned to the window's assessment (free of conflict).
- The group records how each accepted comment was considered: an expert of the jurisdiction, or an
  expert assigned to the assessment (free of conflict).
The public sees only accepted comments, without any personal data (selectors.public_comments).
"""

from __future__ import annotations

from accounts import rules
from accounts.types import AssessmentLike, Person


def _not_cleared(user: Person, assessment: AssessmentLike | None) -> bool:
    """Assigned to review the assessment and not (yet) declared free of conflicts: sees nothing of it."""
    if assessment is None:
        return False
    seat = rules.review_seats(user).get(assessment.pk)
    return seat is not None and seat.coi_status != rules.SEAT_CLEARED


def can_manage_consultations(user: Person) -> bool:
    return rules.is_iucn_staff(user)


def can_see_comments(
    user: Person, *, area_id: int, assessment: AssessmentLike | None, jurisdiction_id: int | None
) -> bool:
    if rules.is_iucn_staff(user) or area_id in rules.managed_area_ids(user):
        return True
    if _not_cleared(user, assessment):
        return False
    return rules.is_expert_for(user, jurisdiction_id) or (
        assessment is not None and rules.is_assigned_reviewer(user, assessment)
    )


def can_consider(user: Person, *, assessment: AssessmentLike | None, jurisdiction_id: int | None) -> bool:
    if _not_cleared(user, assessment):
        return False
    return rules.is_expert_for(user, jurisdiction_id) or (
        assessment is not None and rules.is_assigned_expert(user, assessment)
    )
