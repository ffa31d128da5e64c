"""Who may see and record the eligibility gate of an assessment (application → candidate).

Built on accounts.rules (roles are read there once per request). The gate is the business of more
people than the assessment itself: in the application phase no expert is assigned yet, so every
active accredited expert of the site's jurisdiction (the Expert Assessment Group, chair included)
and every independent reviewer may see it, besides the site team and IUCN staff.
"""

from __future__ import annotations

from collections.abc import Mapping

from accounts import rules
from accounts.types import AssessmentLike, Person
from reviews.selectors import assessment_jurisdiction_id

from .appointments import appointed_reviewers


def _not_cleared(user: Person, assessment: AssessmentLike) -> bool:
    """Assigned to review this assessment and not (yet) declared free of conflicts: such a person
    sees nothing of it (accounts.rules.can_view_assessment), its eligibility included."""
    seat = rules.review_seats(user).get(assessment.pk)
    return seat is not None and seat.coi_status != rules.SEAT_CLEARED


def can_see_eligibility(user: Person, assessment: AssessmentLike, jurisdiction_id: int | None) -> bool:
    if rules.is_site_team_of(user, assessment) or rules.is_iucn_staff(user):
        return True
    if _not_cleared(user, assessment):
        return False
    return (
        rules.is_expert_for(user, jurisdiction_id)
        or rules.is_independent_reviewer(user)
        or rules.is_assigned_reviewer(user, assessment)
    )


def can_record_evaluation(user: Person, assessment: AssessmentLike, jurisdiction_id: int | None) -> bool:
    """The group's evaluation: any active accredited expert of the site's jurisdiction (the chair
    is one). The simplest reading of "the group": no assignment exists before the candidate phase,
    and the record names who made it."""
    return rules.is_expert_for(user, jurisdiction_id) and not _not_cleared(user, assessment)


def reviewer_may_check(
    user: Person,
    assessment: AssessmentLike,
    *,
    appointed: Mapping[int, int] | None = None,
    jurisdiction_id: int | None = None,
) -> bool:
    """Which independent reviewer checks this application: where the onboarding record of its
    jurisdiction appoints a reviewer who holds the role on the platform, that one alone; elsewhere
    any (the platform's practice: the appointment names who checks the group's work there).

    A list that decides for many applications passes what it read once for all of them:
    `appointed` (eligibility.appointments.appointed_reviewers()) with each one's `jurisdiction_id`
    (reviews.selectors.assessment_jurisdiction_ids); without `appointed`, both are looked up."""
    if appointed is None:
        appointed = appointed_reviewers()
        jurisdiction_id = assessment_jurisdiction_id(assessment)  # type: ignore[arg-type]
    asked = appointed.get(jurisdiction_id) if jurisdiction_id is not None else None
    return asked is None or asked == user.pk


def can_record_check(
    user: Person,
    assessment: AssessmentLike,
    *,
    appointed: Mapping[int, int] | None = None,
    jurisdiction_id: int | None = None,
) -> bool:
    """The independent reviewer's check: a person holding the independent reviewer role (an
    accreditation, platform-wide like the reviews app's), the appointed one where the jurisdiction
    has one (reviewer_may_check; `appointed` and `jurisdiction_id` as there)."""
    return (
        rules.is_independent_reviewer(user)
        and not _not_cleared(user, assessment)
        and reviewer_may_check(user, assessment, appointed=appointed, jurisdiction_id=jurisdiction_id)
    )


def can_override(user: Person) -> bool:
    """Accept as candidate without both positive records, with a reason: IUCN staff, who make the
    move (accounts.rules.can_accept_candidate)."""
    return rules.is_iucn_staff(user)
