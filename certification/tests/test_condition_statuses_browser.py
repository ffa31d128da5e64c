"""A listing's conditions in every status, on a 390 px phone in French: each status pill visible as a pill
(text and border against the white panel) and coloured by its status. A UI review found "Ouverte" as a
white pill on the white panel (the header's .badge). Screenshot: var/screenshots/conditions-statuses-390-fr.png."""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from certification import conditions
from certification.choices import ConditionStatus
from conftest import browser_login
from tests.layout_checks import PILLS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
SHOTS = Path(os.environ.get("GREENLIST_SHOTS") or Path(__file__).resolve().parents[2] / "var" / "screenshots")


def test_every_condition_status_shows_as_a_coloured_pill_on_a_phone(
    browser, live_server, certificate, staff, site_manager
):
    # given one condition of the listing in each status (the secretariat checks them; staff waive)
    due = timezone.localdate() + datetime.timedelta(days=90)
    for status in ConditionStatus:
        condition = conditions.condition_add(
            certificate=certificate, text=f"Condition {status.value}", due_on=due, checked_by="secretariat", by=staff
        )
        if status != ConditionStatus.OPEN:
            conditions.condition_transition(condition=condition, to=status, by=staff, note="Vu.")

    # when the site team opens the conditions page on a phone, in French
    context = browser.new_context(base_url=live_server.url, viewport=PHONE)
    page = context.new_page()
    browser_login(page, site_manager.email)
    context.add_cookies([{"name": "django_language", "value": "fr", "url": live_server.url}])
    page.goto(f"/certification/certificates/{certificate.number}/conditions/")
    expect(page.locator("section.condition")).to_have_count(len(ConditionStatus))
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "conditions-statuses-390-fr.png"), full_page=True)

    # then every pill reads, shows its shape and keeps one line
    problems = page.evaluate(PILLS)
    assert not problems, "\n".join(problems)
    # and each status has a colour of its own ("Ouverte" stands out from the settled ones)
    colours = {
        status.value: page.locator(f"section.condition[data-status={status.value}] p > span").first.evaluate(
            "e => getComputedStyle(e).color"
        )
        for status in ConditionStatus
    }
    assert len(set(colours.values())) == len(ConditionStatus), colours
    expect(page.locator("section.condition[data-status=open] p > span").first).to_have_text("Ouverte")
    context.close()
