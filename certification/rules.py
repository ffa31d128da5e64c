"""Named rules on one Green List Panel case: who sees it, declares, votes, sees the votes, closes.

The roles themselves (Panel member, chair, the secretariat) are accounts.rules'; these rules add
what only a case knows: the person's seat on it and their declaration. A seat is passed in (None
when the person does not sit on the case), so that asking costs no query.
"""

from __future__ import annotations

from accounts import rules
from accounts.types import Person

from .choices import PanelCaseStatus, PanelCoi
from .models import PanelCase, PanelSeat


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
