"""The certificate's pages in Chromium on a phone, in French, after a UI review: the suspend
confirmation's red and plain buttons stand apart (the site's button row, `.actions`), the status
forms carry a sentence of their own as label, the first history entry says the certificate was
issued, and the Panel's pages name the cycle one way. Screenshots in var/screenshots."""

import datetime
import os
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from certification import conditions
from certification.choices import ConditionChecker
from certification.models import Certificate, PanelCase
from conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}
SHOTS = Path(os.environ.get("GREENLIST_SHOTS") or Path(__file__).resolve().parents[2] / "var" / "screenshots")
# Two buttons closer than this look like one control (a thumb hits the wrong one).
MIN_GAP_PX = 8


def _french_phone(browser, live_server, user):
    context = browser.new_context(base_url=live_server.url, viewport=PHONE)
    page = context.new_page()
    browser_login(page, user.email)  # the login form's labels are English; French from here on
    context.add_cookies([{"name": "django_language", "value": "fr", "url": live_server.url}])
    return page


def _shot(page, name):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], name
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"governance-{name}-390-fr.png"), full_page=True)


def _gap(a: dict, b: dict) -> float:
    """The space between two boxes: across when side by side, down when one is under the other."""
    if a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"]:
        return max(b["y"] - (a["y"] + a["height"]), a["y"] - (b["y"] + b["height"]))
    return max(b["x"] - (a["x"] + a["width"]), a["x"] - (b["x"] + b["width"]))


def test_the_suspend_confirmation_buttons_stand_apart_on_a_phone(browser, live_server, certificate, staff, recommended):
    page = _french_phone(browser, live_server, staff)
    # the certificate's page: a sentence as each form's label, and its first history entry
    page.goto(certificate.get_absolute_url())
    expect(page.locator("label[for=reason-suspended]")).to_have_text("Motif de la suspension")
    expect(page.locator("ol.history li").first).to_contain_text("Délivré (Actif)")
    _shot(page, "certificate")
    # the confirmation step of a suspension
    page.locator("#reason-suspended").fill("Braconnage signalé dans la zone centrale.")
    page.locator("form:has(#reason-suspended) button[type=submit]").click()
    danger = page.locator(".actions .button.danger")
    cancel = page.locator(".actions .button.secondary")
    expect(danger).to_be_visible()
    gap = _gap(danger.bounding_box(), cancel.bounding_box())
    assert gap >= MIN_GAP_PX, f"the red and the plain button are {gap:.1f}px apart"
    _shot(page, "certificate-confirm-suspend")
    assert Certificate.objects.get(pk=certificate.pk).status == "active"

    # the conditions page: each move's note labelled with a sentence of its own
    conditions.condition_add(
        certificate=certificate,
        text="Adopter le plan de patrouille.",
        due_on=timezone.localdate() + datetime.timedelta(days=90),
        checked_by=ConditionChecker.SECRETARIAT,
        by=staff,
        origin="test",
    )
    page.goto(f"/certification/certificates/{certificate.number}/conditions/")
    expect(page.get_by_label("Pourquoi la condition est levée")).to_be_visible()
    _shot(page, "conditions")

    # the Panel's pages: the case's header says "Décidé" once, and the cycle is named one way
    case = PanelCase.objects.get(assessment=recommended)
    page.goto(case.get_absolute_url())
    expect(page.locator("p.lead")).to_contain_text("Cycle 1 (2026)")
    assert page.locator("p.lead").inner_text().count("Décidé") == 1
    _shot(page, "panel-case")
    page.goto("/certification/panel/")
    expect(page.locator("table")).to_contain_text(f"{recommended.protected_area.name} — cycle 1 (2026)")
    _shot(page, "panel-cases")

    # the secretariat's dashboard names the cycle of what awaits the Panel, and its tables scroll in
    # their own box: the page itself never scrolls sideways (`_shot` checks)
    type(recommended).objects.filter(pk=recommended.pk).update(status="recommended")
    page.goto("/certification/")
    expect(page.locator("table").first).to_contain_text("Cycle 1 (2026)")
    _shot(page, "dashboard")
