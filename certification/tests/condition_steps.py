"""Browser steps for the Panel's grant with structured conditions (issue 16), for any Chromium test
or journey that records a Panel decision through the case page: the close form offers the
members' proposed conditions as rows with no due date, so a grant with conditions needs each
row's due date and checker."""

from __future__ import annotations

import datetime

from django.utils import timezone

from certification.conditions import conditions_for


def record_conditions_at_close(page, *, days: int = 180, checked_by: str = "expert_group") -> int:
    """Give every filled row of the case page's close form a due date and a checker; returns how
    many rows were filled."""
    due = (timezone.localdate() + datetime.timedelta(days=days)).isoformat()
    rows = page.locator(".condition-row")
    filled = 0
    for i in range(rows.count()):
        if page.locator(f"#id_cond-{i}-text").input_value().strip():
            page.locator(f"#id_cond-{i}-due_on").fill(due)
            page.locator(f"#id_cond-{i}-checked_by").select_option(checked_by)
            filled += 1
    return filled


def check_structured_conditions(certificate, *, at_least: int = 1) -> None:
    """The certificate carries the Panel's conditions as items (open, each with a due date before
    expiry and a checker), and the decision keeps their summary."""
    items = list(conditions_for(certificate))
    assert len(items) >= at_least, items
    for item in items:
        assert item.status == "open" and item.origin == "panel"
        assert timezone.localdate() <= item.due_on < certificate.expires_on
        assert item.text in certificate.decision.conditions
