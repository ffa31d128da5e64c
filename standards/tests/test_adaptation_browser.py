"""An expert group adapts an indicator in French, records its consultation and submits; a member of
the Standard Committee approves, in Chromium, at desktop and phone width (issue 14)."""

import datetime
import os
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.tests.factories import Role, make_user
from conftest import browser_login
from standards.models import AdaptedIndicator, AdaptedIndicatorSet, Jurisdiction
from standards.tests.factories import load_gls

SHOTS = Path(os.environ.get("GREENLIST_SHOTS", "/tmp/shots"))


def shots(page, name):
    """The page at desktop and phone width; nothing may scroll sideways on the phone."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"h4-{name}-{width}.png"), full_page=True)
        if width == 390:
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            wide = page.evaluate(
                "[...document.querySelectorAll('body *')]"
                ".filter(e => e.getBoundingClientRect().right > 392)"
                ".filter(e => !(e.parentElement && e.parentElement.closest('.table-scroll'))).slice(0, 6)"
                ".map(e => e.tagName + '.' + e.className + ' ' + e.textContent.slice(0, 30))"
            )
            assert overflow <= 0, f"{name}: the page scrolls {overflow} px sideways at 390 px: {wide}"
    page.set_viewport_size({"width": 1280, "height": 900})


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_expert_group_adapts_consults_submits_and_the_committee_approves(page, live_server):
    # given the shipped Standard, Viet Nam's expert group and a Committee member
    standard = load_gls()
    viet_nam = Jurisdiction.objects.create(code="vn", name="Viet Nam", countries=["VNM"])
    make_user(Role.EXPERT, email="expert@example.org", jurisdiction=viet_nam)
    make_user(Role.STANDARD_COMMITTEE, email="keeper@example.org")
    browser_login(page, "expert@example.org")

    # when the expert group starts a set
    page.goto("/standard/adapted/")
    page.get_by_role("link", name="New adapted set").click()
    page.get_by_label("Title").fill("Viet Nam 2026")
    page.get_by_label("Jurisdiction").select_option(label="Viet Nam")
    page.get_by_role("button", name="Create the draft").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Viet Nam 2026")

    # adapts 1.1.1 in English and French
    indicator = standard.indicators.get(number="1.1.1")
    page.locator(f"#indicator-{indicator.pk}").get_by_role("link", name="Adapt").click()
    page.get_by_label("Adapted wording", exact=True).fill("The reserve's founding decision names its board.")
    page.get_by_label("Means of verification", exact=True).fill("Decision 123/QD\nBoard minutes")
    page.get_by_label("Adapted wording (fr)").fill("La décision de création nomme le conseil.")
    shots(page, "indicator-edit")
    page.get_by_role("button", name="Save the adaptation").click()
    expect(page.locator(f"#indicator-{indicator.pk}")).to_contain_text("founding decision names its board")

    # records the consultation, a comment and how it was handled
    page.get_by_role("link", name="Edit the consultation record").click()
    closed = timezone.localdate() - datetime.timedelta(days=2)
    page.get_by_label("Opened on").fill((closed - datetime.timedelta(days=30)).isoformat())
    page.get_by_label("Closed on").fill(closed.isoformat())
    page.get_by_label("Who was consulted").fill("Provincial forest department; two commune councils")
    page.get_by_label("How they were consulted").fill("Two workshops and written comments")
    page.get_by_role("button", name="Save the record").click()
    page.get_by_text("Record a comment").click()
    page.get_by_label("From whom").fill("Commune council")
    page.get_by_label("Comment", exact=True).fill("Say who sits on the board.")
    page.get_by_label("Response: how it was handled").fill("The decision's list is cited.")
    page.get_by_label("Outcome").select_option("accepted")
    page.get_by_role("button", name="Record the comment").click()
    expect(page.locator("#comments + .table-scroll")).to_contain_text("Commune council")
    expect(page.locator("#consultation-missing")).to_have_count(0)
    shots(page, "set-draft")

    # and submits, through the confirmation
    page.get_by_role("button", name="Submit for approval…").click()
    expect(page.get_by_text("Nothing has changed yet.")).to_be_visible()
    page.get_by_role("button", name="Submit for approval").click()
    expect(page.locator("[data-status]")).to_have_attribute("data-status", "submitted")

    # then the Committee approves
    page.context.clear_cookies()
    browser_login(page, "keeper@example.org")
    adapted_set = AdaptedIndicatorSet.objects.get()
    page.goto(f"/standard/adapted/{adapted_set.pk}/")
    page.get_by_role("button", name="Approve…").click()
    page.get_by_role("button", name="Approve").click()
    expect(page.locator("[data-status]")).to_have_attribute("data-status", "approved")
    shots(page, "set-approved")
    page.goto("/standard/adapted/")
    shots(page, "list")
    adapted_set.refresh_from_db()
    assert adapted_set.status == "approved"
    assert AdaptedIndicator.objects.get().translations == {"fr": {"text": "La décision de création nomme le conseil."}}
