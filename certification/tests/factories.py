"""Build Panel decisions the way the platform makes them (issue 16): the secretariat opens a
case, members declare and vote through the services, and the case is closed once the rule is met.

`panel_decide_for_tests` takes decision_record's old arguments, so tests and worlds that need a
decided assessment (a certificate, a declined cycle) get one in a line."""

from __future__ import annotations

from accounts.choices import Role
from accounts.tests.factories import make_user
from certification import panel
from certification.choices import Outcome, PanelVoteChoice


def make_panel_member(*, email: str | None = None, chair: bool = False, **fields):
    user = make_user(Role.PANEL_CHAIR if chair else Role.PANEL_MEMBER, email=email)
    if fields:
        type(user).objects.filter(pk=user.pk).update(**fields)
        user.refresh_from_db()
    return user


def panel_decide_for_tests(
    *, assessment, user, outcome: str, reasons: str = "", conditions: str = "", public_summary: str = "", members=None
):
    """Open a case with two fresh members (or `members`), both vote for `outcome` (a grant with
    conditions when `conditions`), and `user` (IUCN staff) records the decision. Returns it."""
    members = members or [make_panel_member(), make_panel_member()]
    case = panel.panel_case_open(assessment=assessment, by=user, members=members)
    choice = {
        Outcome.GRANTED: PanelVoteChoice.GRANT_WITH_CONDITIONS if conditions else PanelVoteChoice.GRANT,
        Outcome.DECLINED: PanelVoteChoice.NOT_GRANT,
    }[outcome]
    for member in members:
        panel.panel_declare(case=case, by=member, has_conflict=False)
        panel.panel_vote(
            case=case, by=member, choice=choice, reasons=reasons or "As recommended.", conditions=conditions
        )
    case = panel.panel_case_close(case=case, by=user, public_summary=public_summary, conditions=conditions)
    return case.decision


def grant_with_condition_rows(assessment, staff, items: list[dict]):
    """A Panel grant (two members, both voting to grant with conditions) whose conditions are the
    structured `items` (text, due_on, checked_by; issue 16), in that order. Returns the decision."""
    members = [make_panel_member(), make_panel_member()]
    case = panel.panel_case_open(assessment=assessment, by=staff, members=members)
    for member in members:
        panel.panel_declare(case=case, by=member, has_conflict=False)
        panel.panel_vote(case=case, by=member, choice="grant_with_conditions", reasons="Met.", conditions="Patrols.")
    return panel.panel_case_close(case=case, by=staff, condition_items=items).decision
