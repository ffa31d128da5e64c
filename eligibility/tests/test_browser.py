"""The eligibility gate in Chromium (issue 16): the site team sees on a phone, in French, what is
missing; an expert of the jurisdiction records the group's evaluation, the independent reviewer
confirms it, and IUCN staff accept the site as a candidate from the gate's page.

Set up through services: the site, its jurisdiction, the people, the assessment in the application
phase with the site's own answer to 2.1.1. Everything else is typed and clicked."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import Role, make_user
from conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
SHOTS = Path(os.environ.get("GREENLIST_SHOTS") or Path(__file__).resolve().parents[2] / "var" / "screenshots")


def _page(browser, live_server, email, viewport, language="en"):
    context = browser.new_context(base_url=live_server.url, viewport=viewport)
    page = context.new_page()
    browser_login(page, email)
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    return page


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"eligibility-{name}.png"), full_page=True)


def test_expert_evaluates_reviewer_confirms_staff_accepts(browser, live_server, area, jurisdiction, site_manager):
    from assessments.services import answer_save, assessment_create
    from standards.tests.factories import load_gls

    load_gls()
    assessment = assessment_create(protected_area=area, user=site_manager, year=2026)
    answer = assessment.answers.get(indicator__number="2.1.1")
    answer_save(
        answer=answer,
        user=site_manager,
        expected_version=answer.version,
        changes={"rating": "meets", "justification": "Réserve naturelle classée en 2002."},
    )
    expert = make_user(Role.EXPERT, email="eagl@example.org", jurisdiction=jurisdiction)
    reviewer = make_user(Role.INDEPENDENT_REVIEWER, email="asi@example.org")
    staff = make_user(Role.IUCN_STAFF, email="secretariat@example.org")
    gate = f"/assessments/{assessment.pk}/eligibility/"

    # the site team, on a phone in French: the assessment page says what is missing and links the gate
    team = _page(browser, live_server, site_manager.email, PHONE, "fr")
    team.goto(f"/assessments/{assessment.pk}/")
    notice = team.locator("#eligibility-notice")
    expect(notice.locator("li")).to_have_count(2)
    notice.scroll_into_view_if_needed()
    SHOTS.mkdir(parents=True, exist_ok=True)
    team.screenshot(path=str(SHOTS / "eligibility-team-assessment-page-390-fr.png"))
    notice.get_by_role("link").click()
    expect(team).to_have_url(f"{live_server.url}{gate}")
    assert team.locator("html").get_attribute("lang") == "fr"
    expect(team.locator("#gate-missing li")).to_have_count(2)
    expect(team.locator("#precheck li")).to_have_count(4)
    expect(team.locator("#eligibility-answers")).to_contain_text("Réserve naturelle classée en 2002.")
    # nothing for the site team to record
    expect(team.locator("form.gate-form")).to_have_count(0)
    assert team.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    _shot(team, "team-missing-390-fr")

    # an expert of the jurisdiction, on a phone in French, finds the application on their home page
    phone = _page(browser, live_server, expert.email, PHONE, "fr")
    phone.goto("/")
    waiting = phone.locator("#eligibility-work")
    expect(waiting.locator("#to-evaluate")).to_contain_text("1")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    _shot(phone, "expert-home-390-fr")
    waiting.get_by_role("link", name=area.name).click()
    expect(phone).to_have_url(f"{live_server.url}{gate}")
    # …and records the group's evaluation (on a desktop, in English)
    eagl = _page(browser, live_server, expert.email, DESKTOP)
    eagl.goto(gate)
    form = eagl.locator("#evaluation-form")
    form.get_by_label("Eligible", exact=True).check()
    form.get_by_label("Reasons (required)").fill("Category IV in the WDPA, governance reported, boundary on file.")
    form.get_by_role("button", name="Record the evaluation").click()
    expect(eagl.locator("#record-evaluation")).to_contain_text("Eligible")
    expect(eagl.locator("#check-form")).to_have_count(0)  # the check is not the expert's
    _shot(eagl, "expert-recorded-1366")

    # the independent reviewer, asked by e-mail, finds it on their home page and confirms it
    from core.models import OutgoingEmail

    asked = OutgoingEmail.objects.get(kind="eligibility.check_requested")
    assert asked.to == [reviewer.email] and gate in asked.body
    asi = _page(browser, live_server, reviewer.email, DESKTOP)
    asi.goto("/")
    asi.locator("#to-check + ul").get_by_role("link", name=area.name).click()
    expect(asi).to_have_url(f"{live_server.url}{gate}")
    form = asi.locator("#check-form")
    form.get_by_label("Confirmed", exact=True).check()
    form.get_by_label("Reasons (required)").fill("The group followed the process.")
    form.get_by_role("button", name="Record the check").click()
    expect(asi.locator("#record-check")).to_contain_text("Confirmed")
    expect(asi.locator("#gate-established")).to_be_visible()

    # staff see the gate established and accept the site as a candidate
    staff_phone = _page(browser, live_server, staff.email, PHONE, "fr")
    staff_phone.goto("/")
    staff_phone.locator("#to-accept").scroll_into_view_if_needed()
    assert staff_phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    staff_phone.screenshot(path=str(SHOTS / "eligibility-staff-home-390-fr.png"))
    secretariat = _page(browser, live_server, staff.email, DESKTOP)
    secretariat.goto("/")
    secretariat.locator("#to-accept + ul").get_by_role("link", name=area.name).click()
    expect(secretariat).to_have_url(f"{live_server.url}{gate}")
    expect(secretariat.locator("#override-form")).to_have_count(0)
    _shot(secretariat, "staff-established-1366")
    secretariat.get_by_role("button", name="Accept as candidate").click()
    expect(secretariat.locator(".status-pill")).to_have_class("status-pill phase-candidate")
    assessment.refresh_from_db()
    assert assessment.status == "candidate"
    # the site team was told of each record and of the move, by e-mail
    told = OutgoingEmail.objects.filter(to=[site_manager.email], kind__startswith="eligibility.")
    assert sorted(told.values_list("kind", flat=True)) == [
        "eligibility.candidate",
        "eligibility.recorded",
        "eligibility.recorded",
    ]

    # and the site team's page no longer asks for anything
    team.goto(f"/assessments/{assessment.pk}/")
    expect(team.locator("#eligibility-notice")).to_have_count(0)
    team.goto(gate)
    expect(team.locator("#gate-missing")).to_have_count(0)
    # nor says that staff may still accept it: they have
    expect(team.locator("#gate-established")).to_have_count(0)
    _shot(team, "team-after-390-fr")
