"""Conditions on a listing in Chromium (issue 16), on a phone in French: the Panel's chair grants
with conditions (a row with a past due date is refused and comes back with its error, nothing
saved; then corrected), the site team reports progress on its conditions page, and a Panel member
sees the open conditions, overdue first. Screenshots at 390 px in var/screenshots."""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from certification import panel
from certification.models import Certificate, Decision, ListingCondition
from certification.tests.factories import make_panel_member
from conftest import browser_login
from tests.layout_checks import DROP_DOWNS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
SHOTS = Path(os.environ.get("GREENLIST_SHOTS") or Path(__file__).resolve().parents[2] / "var" / "screenshots")


def _phone(browser, live_server, email):
    context = browser.new_context(base_url=live_server.url, viewport=PHONE)
    page = context.new_page()
    browser_login(page, email)
    context.add_cookies([{"name": "django_language", "value": "fr", "url": live_server.url}])
    return page


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], name
    page.screenshot(path=str(SHOTS / f"conditions-{name}.png"), full_page=True)


def test_the_chair_grants_with_conditions_the_team_reports_the_panel_sees_them(
    browser, live_server, recommended, staff, site_manager
):
    chair = make_panel_member(email="chair@panel.test", chair=True)
    member = make_panel_member(email="member@panel.test")
    case = panel.panel_case_open(assessment=recommended, by=staff, members=[chair, member])
    for m in (chair, member):
        panel.panel_declare(case=case, by=m, has_conflict=False)
        panel.panel_vote(
            case=case, by=m, choice="grant_with_conditions", reasons="Critères remplis.", conditions="Publier le plan"
        )

    # the chair finds the members' proposal as the first row, and adds a second with a past date
    page = _phone(browser, live_server, chair.email)
    page.goto(f"/certification/panel/{case.pk}/")
    expect(page.locator("#id_cond-0-text")).to_have_value("Publier le plan")
    page.locator("#id_cond-0-due_on").fill((timezone.localdate() + datetime.timedelta(days=120)).isoformat())
    page.locator("#id_cond-0-checked_by").select_option("expert_group")
    page.locator("#id_cond-1-text").fill("Cartographier la zone tampon")
    page.locator("#id_cond-1-due_on").fill("2001-01-01")
    page.locator("#id_cond-1-checked_by").select_option("secretariat")
    _shot(page, "close-rows-390-fr")
    # "Le personnel de l'UICN (le secrétariat)" is longer than the drop-down: written whole under it
    problems = page.evaluate(DROP_DOWNS)
    assert not problems, "\n".join(problems)
    chosen = page.locator("#id_cond-1-checked_by option:checked").inner_text()
    assert chosen.startswith("Le personnel de l")
    expect(page.locator("#id_cond-1-checked_by + .select-whole")).to_have_text(chosen)
    page.locator("form[action$='/close/'] button[type=submit]").click()
    # refused field by field, the rows kept; nothing saved
    expect(page.locator(".condition-row[data-row='1'] .field-error")).to_be_visible()
    expect(page.locator("#id_cond-1-text")).to_have_value("Cartographier la zone tampon")
    _shot(page, "close-refused-390-fr")
    assert not Decision.objects.exists()
    page.locator("#id_cond-1-due_on").fill((timezone.localdate() + datetime.timedelta(days=60)).isoformat())
    page.locator("form[action$='/close/'] button[type=submit]").click()
    expect(page.locator(".messages, [role=status], .message").first).to_be_visible()
    certificate = Certificate.objects.get()
    assert ListingCondition.objects.filter(certificate=certificate).count() == 2

    # the site team reports progress on its conditions page
    team = _phone(browser, live_server, site_manager.email)
    team.goto(f"/certification/certificates/{certificate.number}/")
    team.locator(f"a[href='/certification/certificates/{certificate.number}/conditions/']").click()
    first = ListingCondition.objects.filter(certificate=certificate).order_by("due_on").first()
    section = team.locator(f"#condition-{first.pk}")
    section.locator("textarea[name=text]").fill("Carte provisoire envoyée au groupe.")
    section.locator("button[type=submit]").click()
    expect(team.locator(f"#condition-{first.pk}")).to_contain_text("Carte provisoire envoyée au groupe.")
    _shot(team, "team-page-390-fr")

    # the secretariat, the checker of the other condition, marks it fulfilled with a note
    other = ListingCondition.objects.get(certificate=certificate, checked_by="secretariat")
    checker = _phone(browser, live_server, staff.email)
    checker.goto(f"/certification/certificates/{certificate.number}/conditions/")
    box = checker.locator(f"#condition-{other.pk}")
    box.locator("form[action$='/status/']").filter(has=checker.locator("input[value=fulfilled]")).locator(
        "textarea"
    ).fill("Carte reçue et vérifiée.")
    _shot(checker, "checker-page-390-fr")
    box.locator("form[action$='/status/']").filter(has=checker.locator("input[value=fulfilled]")).locator(
        "button"
    ).click()
    expect(checker.locator(f"#condition-{other.pk}")).to_have_attribute("data-status", "fulfilled")
    other.refresh_from_db()
    assert other.status == "fulfilled" and other.status_note == "Carte reçue et vérifiée."

    # a Panel member sees the open conditions, overdue first
    ListingCondition.objects.filter(certificate=certificate, status="open").update(
        due_on=timezone.localdate() - datetime.timedelta(days=2)
    )
    watcher = _phone(browser, live_server, member.email)
    watcher.goto("/certification/conditions/")
    rows = watcher.locator("tbody tr")
    expect(rows.first.locator("[data-overdue]")).to_be_visible()
    _shot(watcher, "panel-open-390-fr")
