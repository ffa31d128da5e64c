"""Stakeholder consultation in Chromium (issue 16): an anonymous visitor on a phone, in French,
comments on a candidate site from its public page and confirms through the link e-mailed to them
(read from the outbox); a moderator (IUCN staff) accepts it; an expert of the site's jurisdiction
records how the group considered it, which the public page never shows.

Set up through services: the site, its jurisdiction, the candidate assessment, the window."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import Role, make_user
from conftest import browser_login

from .factories import candidate, open_window

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
SHOTS = Path(os.environ.get("GREENLIST_SHOTS") or Path(__file__).resolve().parents[2] / "var" / "screenshots")


def _context(browser, live_server, viewport, login=None, language="fr"):
    context = browser.new_context(base_url=live_server.url, viewport=viewport)
    page = context.new_page()
    if login:
        browser_login(page, login)  # the login form's labels are English; French from here on
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    return page


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"consultation-{name}.png"), full_page=True)


def test_visitor_comments_confirms_moderator_accepts_expert_considers(
    browser, live_server, area, jurisdiction, site_manager, monkeypatch
):
    from core.models import OutgoingEmail
    from stakeholders import guard, services
    from stakeholders.models import Comment

    # A person's minimum fill time, shortened so the test does not wait for it.
    monkeypatch.setattr(guard, "MIN_FILL_SECONDS", 1)
    staff = make_user(Role.IUCN_STAFF, email="secretariat@example.org")
    expert = make_user(Role.EXPERT, email="eagl@example.org", jurisdiction=jurisdiction)
    candidate(area, site_manager, staff)
    window = open_window(area, staff)

    # an anonymous visitor, on a phone in French, finds the consultation from the site's public page
    visitor = _context(browser, live_server, PHONE)
    visitor.goto(f"/areas/{area.pk}/")
    assert visitor.locator("html").get_attribute("lang") == "fr"
    visitor.locator("#consultation-link").click()
    expect(visitor).to_have_url(f"{live_server.url}/sites/{area.pk}/comments/")
    form = visitor.locator(f"#comment-form-{window.pk}")
    form.locator("textarea[name=text]").fill("Les berges de la rivière s'érodent près du poste des gardes.")
    form.locator("input[name=email]").fill("ana@example.org")
    form.locator("input[name=name]").fill("Ana")
    form.locator("input[name=show_name]").check()
    assert visitor.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    _shot(visitor, "public-form-390-fr")
    visitor.wait_for_timeout(1100)
    form.locator("button[type=submit]").click()
    expect(visitor.locator("#comment-sent")).to_be_visible()
    _shot(visitor, "public-sent-390-fr")
    # nothing is public yet, and nothing is waiting for a moderator before the address is confirmed
    expect(visitor.locator("#public-comments")).to_have_count(0)
    comment = Comment.objects.get()
    assert comment.status == "unconfirmed"

    # the confirmation link, read from the outbox
    mail = OutgoingEmail.objects.get(kind=services.CONFIRM_EMAIL, to=["ana@example.org"])
    path = re.search(r"https?://[^/\s]+(/sites/comments/confirm/\S+)", mail.body).group(1)
    visitor.goto(path)
    asking = visitor.get_by_role("heading", level=1).inner_text()
    visitor.locator("#confirm-button").click()
    expect(visitor.locator("#comment-confirmed")).to_be_visible()
    # the thanks read as a success (the site's green message, not the amber notice), under a
    # heading that no longer asks for the confirmation
    thanks = visitor.locator("#comment-confirmed")
    assert thanks.evaluate("e => getComputedStyle(e).borderLeftColor") == "rgb(27, 107, 58)"
    expect(visitor.get_by_role("heading", level=1)).not_to_have_text(asking)
    _shot(visitor, "confirmed-390-fr")

    # a moderator (IUCN staff) accepts it from the queue
    moderator = _context(browser, live_server, DESKTOP, login=staff.email)
    moderator.goto("/consultations/")
    queued = moderator.locator(f"#queued-{comment.pk}")
    expect(queued).to_contain_text("Les berges de la rivière")
    expect(queued).not_to_contain_text("ana@example.org")
    _shot(moderator, "queue-1366-fr")
    queued.locator("button[value=accept]").click()
    expect(moderator.locator(f"#queued-{comment.pk}")).to_have_count(0)

    # the public now sees it, with the name the visitor agreed to show, never the address
    visitor.goto(f"/sites/{area.pk}/comments/")
    published = visitor.locator("#public-comments")
    expect(published).to_contain_text("Les berges de la rivière")
    expect(published).to_contain_text("Ana")
    expect(visitor.locator("body")).not_to_contain_text("ana@example.org")
    assert visitor.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    _shot(visitor, "public-accepted-390-fr")

    # an expert of the site's jurisdiction records how the group considered it
    eagl = _context(browser, live_server, PHONE, login=expert.email)
    eagl.goto("/consultations/")
    eagl.locator("#windows a").first.click()
    expect(eagl.locator(f"#not-considered-{comment.pk}")).to_be_visible()
    eagl.locator(f"#consider-text-{comment.pk}").fill(
        "Pris en compte à l'indicateur 2.3.1 : plan de restauration des berges."
    )
    eagl.locator(f"#consider-{comment.pk} button[type=submit]").click()
    expect(eagl.locator(f"#consideration-{comment.pk}")).to_contain_text("plan de restauration des berges")
    assert eagl.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    _shot(eagl, "considered-390-fr")
    comment.refresh_from_db()
    assert comment.consideration.by == expert
    # the consideration is the group's: the public page does not show it (on a desktop too)
    visitor.reload()
    expect(visitor.locator("body")).not_to_contain_text("plan de restauration")
    wide = _context(browser, live_server, DESKTOP)
    wide.goto(f"/sites/{area.pk}/comments/")
    expect(wide.locator("#public-comments")).to_contain_text("Les berges de la rivière")
    expect(wide.locator("body")).not_to_contain_text("plan de restauration")
    _shot(wide, "public-accepted-1366-fr")


def test_staff_pick_the_site_by_name_on_a_phone_and_without_script(browser, live_server, jurisdiction):
    from protected_areas.tests.factories import ProtectedAreaFactory

    # given two candidate sites whose names share a word
    staff = make_user(Role.IUCN_STAFF, email="secretariat@example.org")
    park = ProtectedAreaFactory(name="Bach Ma National Park", wdpa_id=10234)
    extension = ProtectedAreaFactory(name="Bach Ma Extension", wdpa_id=555000111)
    for site in (park, extension):
        candidate(site, make_user(Role.SITE_MANAGER, protected_area=site), staff)

    # staff on a phone, in French, type part of the name and pick the park among the matches
    page = _context(browser, live_server, PHONE, login=staff.email)
    page.goto("/consultations/")
    page.locator("#window-site").press_sequentially("bach", delay=30)
    results = page.locator("#window-site-results")
    expect(results.locator("button")).to_have_count(2)
    expect(results).to_contain_text("WDPA 10234")
    _shot(page, "site-picker-phone-fr")
    results.get_by_role("button", name="Bach Ma National Park").click()
    expect(page.locator("#window-site")).to_have_value("Bach Ma National Park")
    expect(page.locator("#window-site-status")).to_contain_text("WDPA 10234")
    assert page.locator("#window-area").input_value() == str(park.pk)
    page.select_option("#window-phase", "candidate")
    page.fill("#window-opens", "2026-01-01")
    page.fill("#window-closes", "2026-01-31")
    page.locator("#window-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/consultations/\d+/$"))
    assert park.consultation_windows.count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # without script the same form sends the text; namesakes are offered to choose from
    bare = browser.new_context(base_url=live_server.url, viewport=PHONE, java_script_enabled=False)
    plain = bare.new_page()
    browser_login(plain, staff.email)
    bare.add_cookies([{"name": "django_language", "value": "fr", "url": live_server.url}])
    plain.goto("/consultations/")
    plain.fill("#window-site", "Bach Ma")
    plain.select_option("#window-phase", "candidate")
    plain.fill("#window-opens", "2026-03-01")
    plain.fill("#window-closes", "2026-03-31")
    plain.locator("#window-form button[type=submit]").click()
    expect(plain.locator("#site-choices input[type=radio]")).to_have_count(2)
    _shot(plain, "site-choices-no-script-phone-fr")
    plain.locator(f"#site-choices input[value='{extension.pk}']").check()
    plain.select_option("#window-phase", "candidate")
    plain.fill("#window-opens", "2026-03-01")
    plain.fill("#window-closes", "2026-03-31")
    plain.locator("#window-form button[type=submit]").click()
    plain.wait_for_url(re.compile(r"/consultations/\d+/$"))
    assert extension.consultation_windows.count() == 1
