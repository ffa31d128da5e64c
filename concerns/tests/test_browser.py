"""Concerns in Chromium (issue 16): on a phone in French, an anonymous visitor raises a concern
about a listed site from its public page, with a photo, and confirms it through the private link
e-mailed to them (read from the outbox); IUCN staff triage it admissible and name an expert to
advise; the site team answers; the expert advises; the Panel's chair records the Panel's
suspension, then its reinstatement; the visitor's private page shows each dated step and outcome.

Set up through services: the site, its listed certificate (conftest), the people."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import Role, make_user
from certification.tests.factories import make_panel_member
from conftest import browser_login

from .factories import link_path

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
SHOTS = Path(os.environ.get("GREENLIST_SHOTS") or Path(__file__).resolve().parents[2] / "var" / "screenshots")


def _context(browser, live_server, login=None):
    context = browser.new_context(base_url=live_server.url, viewport=PHONE)
    page = context.new_page()
    if login:
        browser_login(page, login)  # the login form's labels are English; French from here on
    context.add_cookies([{"name": "django_language", "value": "fr", "url": live_server.url}])
    return page


def _shot(page, name):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], name
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"concern-{name}-390-fr.png"), full_page=True)


def test_a_concern_leads_to_a_panel_suspension_then_reinstatement(
    browser, live_server, area, certificate, site_manager, jurisdiction, monkeypatch, tmp_path
):
    from certification.models import Certificate
    from concerns.models import Concern
    from core.models import OutgoingEmail
    from stakeholders import guard

    from .factories import png

    monkeypatch.setattr(guard, "MIN_FILL_SECONDS", 1)
    staff = make_user(Role.IUCN_STAFF, email="secretariat@example.org")
    expert = make_user(Role.EXPERT, email="eagl@example.org", jurisdiction=jurisdiction)
    chair = make_panel_member(email="chair@example.org", chair=True)
    members = [make_panel_member(email="membre1@example.org"), make_panel_member(email="membre2@example.org")]
    photo = tmp_path / "camp.png"
    photo.write_bytes(png().read())

    # an anonymous visitor, on a phone in French, finds the form from the listed site's public page
    visitor = _context(browser, live_server)
    visitor.goto(f"/areas/{area.pk}/")
    visitor.locator("#concern-link").click()
    expect(visitor).to_have_url(f"{live_server.url}/sites/{area.pk}/concerns/")
    visitor.locator("#concern-text").fill("Un campement de braconniers près de la rivière, depuis mars.")
    visitor.locator("#concern-email").fill("rai@example.org")
    visitor.locator("#concern-files").set_input_files(str(photo))
    _shot(visitor, "form")
    visitor.wait_for_timeout(1100)
    visitor.locator("#concern-form button[type=submit]").click()
    expect(visitor.locator("#concern-sent")).to_be_visible()
    concern = Concern.objects.get()
    assert concern.status == "unconfirmed" and concern.attachments.count() == 1

    # the private link, read from the outbox, confirms it
    track = link_path(OutgoingEmail.objects.get(kind="concerns.private_link"))
    visitor.goto(track)
    _shot(visitor, "track-unconfirmed")
    visitor.locator("#confirm-concern").click()
    expect(visitor.locator("#concern-steps")).to_be_visible()

    # IUCN staff triage it admissible and name the expert to advise
    secretariat = _context(browser, live_server, login=staff.email)
    secretariat.goto("/concerns/")
    secretariat.locator("#triage-queue a").first.click()
    secretariat.locator("input[name=decision][value=admissible]").check()
    secretariat.locator("#triage-reason").fill("Signalement précis et vérifiable.")
    secretariat.locator("#triage-advisers").select_option([str(expert.pk)])
    _shot(secretariat, "triage")
    secretariat.locator("#triage-form button[type=submit]").click()
    expect(secretariat.locator("#concern-status")).to_have_attribute("data-status", "admissible")

    # the site team answers
    team = _context(browser, live_server, login=site_manager.email)
    team.goto(f"/concerns/{concern.pk}/")
    expect(team.locator("body")).not_to_contain_text("rai@example.org")
    team.locator("#answer-text").fill("Les gardes ont démantelé le campement le 3 avril.")
    team.locator("#answer-form button[type=submit]").click()
    expect(team.locator("#site-answer")).to_be_visible()
    _shot(team, "answered")

    # the expert advises
    eagl = _context(browser, live_server, login=expert.email)
    eagl.goto(f"/concerns/{concern.pk}/")
    eagl.locator("#advice-text").fill("Suspendre jusqu'à la preuve du démantèlement.")
    eagl.locator("#advice-form button[type=submit]").click()
    expect(eagl.locator("#group-advice")).to_be_visible()

    # the Panel's chair records the Panel's suspension, with the members who took part
    panel = _context(browser, live_server, login=chair.email)
    panel.goto(f"/concerns/{concern.pk}/")
    # no outcome is chosen for them: the form asks for one
    expect(panel.locator("#outcome-kind")).to_have_value("")
    panel.locator("#outcome-kind").select_option("suspension")
    for m in members:
        panel.locator(f"#member-{m.pk}").check()
    panel.locator("#outcome-reasons").fill("Menace directe sur les valeurs majeures du site.")
    panel.locator("#outcome-summary").fill("Certificat suspendu jusqu'à la preuve du démantèlement.")
    _shot(panel, "outcome-form")
    panel.locator("#outcome-form button[type=submit]").click()
    expect(panel.locator("#concern-status")).to_have_attribute("data-status", "decided")
    assert Certificate.objects.get(pk=certificate.pk).status == "suspended"

    # later, the Panel reinstates it (nothing chosen in advance, a withdrawal least of all)
    expect(panel.locator("#outcome-kind")).to_have_value("")
    panel.locator("#outcome-kind").select_option("reinstatement")
    panel.locator(f"#member-{members[0].pk}").check()
    panel.locator("#outcome-reasons").fill("Démantèlement constaté sur place.")
    panel.locator("#outcome-summary").fill("Certificat rétabli.")
    panel.locator("#outcome-form button[type=submit]").click()
    expect(panel.locator(".outcome")).to_have_count(2)
    _shot(panel, "decided")
    assert Certificate.objects.get(pk=certificate.pk).status == "active"

    # the visitor's private page shows the dated steps and the Panel's summaries, nothing internal
    visitor.goto(track)
    expect(visitor.locator("#concern-outcomes")).to_contain_text("Certificat suspendu")
    expect(visitor.locator("#concern-outcomes")).to_contain_text("Certificat rétabli")
    expect(visitor.locator("body")).not_to_contain_text("Menace directe")
    expect(visitor.locator("body")).not_to_contain_text("Les gardes ont démantelé")
    _shot(visitor, "track-decided")


def test_the_outcome_form_lists_conflicted_members_disabled_with_why(
    browser, live_server, area, certificate, site_manager, jurisdiction
):
    """UI review: a Panel member with a conflict of interest on the site is listed in the outcome
    form but cannot be chosen, and the form says why, before anything is sent."""
    from concerns import services

    from .factories import confirmed

    staff = make_user(Role.IUCN_STAFF, email="secretariat@example.org")
    expert = make_user(Role.EXPERT, email="eagl@example.org", jurisdiction=jurisdiction)
    type(area).objects.filter(pk=area.pk).update(management_authority="Forest Protection Department")
    concern = confirmed(area)
    services.concern_triage(concern=concern, by=staff, admissible=True, reason="ok", advisers=[expert])
    services.concern_answer(concern=concern, by=site_manager, text="Réponse.")
    services.concern_advise(concern=concern, by=expert, text="Avis.")
    chair = make_panel_member(email="chair@example.org", chair=True)
    free = make_panel_member(email="libre@example.org")
    conflicted = make_panel_member(email="forestier@example.org", organisation="Forest Protection Department")

    panel = _context(browser, live_server, login=chair.email)
    panel.goto(f"/concerns/{concern.pk}/")
    expect(panel.locator(f"#member-{free.pk}")).to_be_enabled()
    expect(panel.locator(f"#member-{conflicted.pk}")).to_be_disabled()
    expect(panel.locator(f"#member-{conflicted.pk}-why")).to_contain_text("Forest Protection Department")
    panel.locator("#outcome-members").scroll_into_view_if_needed()
    _shot(panel, "outcome-form-conflicted")
