"""Named rules on one Green List Panel case: who sees it, declares, votes, sees the votes, closes.

The roles themselves (Panel member, chair, the secretariat) are accounts.rules'; these rules add
what only a case knows: the person's seat on it and their declaration. A seat is passed in (None
when the person does not sit on the case), so that asking costs no query.
"""

from __future__ import annotations

from accounts import rules
from accounts.types import AssessmentLike, Person

from .choices import ConditionChecker, PanelCaseStatus, PanelCoi
from .models import Certificate, ListingCondition, PanelCase, PanelSeat


def can_view_panel_case(user: Person, case: PanelCase, seat: PanelSeat | None) -> bool:
    """The secretariat, and the members sitting on the case (a conflicted one too: they declared
    on it, and see that they are out)."""
    return rules.is_iucn_staff(user) or seat is not None


def can_declare_on_case(user: Person, case: PanelCase, seat: PanelSeat | None) -> bool:
    return (
        seat is not None
        and seat.user_id == user.pk
        and case.status == PanelCaseStatus.OPEN
        and seat.coi_status == PanelCoi.PENDING
    )


def can_vote_on_case(user: Person, case: PanelCase, seat: PanelSeat | None) -> bool:
    """A member still on the Panel, sitting on the open case, declared free of conflict."""
    return (
        seat is not None
        and seat.user_id == user.pk
        and case.status == PanelCaseStatus.OPEN
        and seat.coi_status == PanelCoi.NO_CONFLICT
        and rules.is_panel_member(user)
    )


def can_see_panel_votes(user: Person, case: PanelCase, seat: PanelSeat | None) -> bool:
    """The secretariat and the members declared free of conflict. A conflicted member sees no
    vote (issue 16), nor does one who has not declared yet."""
    if seat is not None:
        return seat.coi_status == PanelCoi.NO_CONFLICT
    return rules.is_iucn_staff(user)


def can_close_panel_case(user: Person, case: PanelCase, seat: PanelSeat | None) -> bool:
    """The Panel's chair sitting on the case free of conflict writes the public summary and
    records the Panel's decision; the secretariat may do so on the Panel's behalf (a case whose
    chair is conflicted or absent). Either way the outcome is the votes', never the closer's.
    Whether the case is still open is the service's question (a 409, not a 403)."""
    if seat is not None and seat.is_chair and seat.coi_status == PanelCoi.NO_CONFLICT:
        return rules.chairs_panel(user)
    return rules.is_iucn_staff(user)


# --- conditions on a listing (issue 16) ----------------------------------------------------------
# The assessment passed in is the one the listing's decision was made on (condition.decision
# .assessment): its review seats say who was the group and who the independent reviewer.


def can_view_conditions(user: Person, certificate: Certificate, assessment: AssessmentLike) -> bool:
    """The site team, the experts and the independent reviewer who reviewed the assessment, IUCN
    staff and the Panel's members. Not the public (platform practice: conditions are between the
    site and the programme). `ListingCondition.objects.visible_to` must agree."""
    return (
        rules.is_iucn_staff(user)
        or rules.is_panel_member(user)
        or certificate.protected_area_id in rules.managed_area_ids(user)
        or rules.is_assigned_reviewer(user, assessment)
    )


def can_add_condition(user: Person) -> bool:
    """The secretariat, or the Panel's chair (a concern's outcome, a review's)."""
    return rules.is_iucn_staff(user) or rules.chairs_panel(user)


def can_report_condition_progress(user: Person, condition: ListingCondition) -> bool:
    """The site team of the listed site."""
    return condition.certificate.protected_area_id in rules.managed_area_ids(user)


def can_check_condition(user: Person, condition: ListingCondition, assessment: AssessmentLike) -> bool:
    """Whoever the condition names as its checker marks it fulfilled or not fulfilled."""
    if condition.checked_by == ConditionChecker.EXPERT_GROUP:
        return rules.is_assigned_expert(user, assessment)
    if condition.checked_by == ConditionChecker.INDEPENDENT_REVIEWER:
        return rules.is_assigned_independent_reviewer(user, assessment)
    return rules.is_iucn_staff(user)


def can_waive_condition(user: Person) -> bool:
    return rules.is_iucn_staff(user)


def can_see_open_conditions(user: Person) -> bool:
    """The list of every listed site's open conditions, overdue first: the Panel and the secretariat."""
    return rules.is_iucn_staff(user) or rules.is_panel_member(user)
