"""A site visit in Chromium (issue 16): IUCN staff plan it, the assigned expert records it held and
adds a photo (through the evidence upload; processed in-process, as the worker would), and the site
manager reads it on a phone in Spanish: dates, agenda, participants and the photo, not the group's
notes until they are released.

Set up through services: an assessment under review with an expert and an independent reviewer
assigned and free of conflict. Everything else is typed and clicked."""

from __future__ import annotations

import datetime
import io
import os
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import browser_login, open_indicator_details

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
SHOTS = Path(os.environ.get("GREENLIST_SHOTS") or Path(__file__).resolve().parents[2] / "var" / "screenshots")


def _page(browser, live_server, email, viewport, language):
    context = browser.new_context(base_url=live_server.url, viewport=viewport)
    page = context.new_page()
    browser_login(page, email)
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    return page


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"visits-{name}.png"), full_page=True)


def _photo() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (320, 240), (120, 170, 210))
    ImageDraw.Draw(image).rectangle((0, 120, 320, 240), fill=(40, 110, 60))
    out = io.BytesIO()
    image.save(out, format="JPEG")
    return out.getvalue()


def test_staff_plan_the_expert_records_the_site_team_reads_on_a_phone(
    browser, live_server, area, jurisdiction, site_manager, expert, reviewer, staff
):
    from evidence.pipeline import evidence_process
    from reviews import services as review
    from reviews.tests.factories import submitted_assessment
    from visits.models import SiteVisit

    assessment = submitted_assessment(area=area, manager=site_manager, staff=staff)
    review.review_start(assessment=assessment, by=staff)
    due = timezone.localdate() + datetime.timedelta(days=30)
    for person, role in ((expert, "expert"), (reviewer, "independent_reviewer")):
        seat = review.assignment_create(assessment=assessment, assignee=person, role=role, due_date=due, by=staff)
        review.conflict_declare(assignment=seat, by=person, has_conflict=False)
    today = timezone.localdate().isoformat()

    # staff plan the visit (French, desktop)
    secretariat = _page(browser, live_server, staff.email, DESKTOP, "fr")
    secretariat.goto(f"/assessments/{assessment.pk}/visits/")
    expect(secretariat.locator("#no-visits")).to_be_visible()
    form = secretariat.locator("#plan-form")
    form.locator("#planned-from").fill(today)
    form.locator("#agenda").fill("Patrouille de la zone B ; réunion avec le conseil du village.")
    form.locator(f"input[name=participants][value='{expert.pk}']").check()
    form.locator("#other-participants").fill("Lan, chef des gardes")
    _shot(secretariat, "staff-plan-1366-fr")
    form.locator("button[type=submit]").click()
    visit = SiteVisit.objects.get(assessment=assessment)
    expect(secretariat).to_have_url(f"{live_server.url}/visits/{visit.pk}/")
    expect(secretariat.locator("#visit-status")).to_have_class("status-pill visit-planned")
    _shot(secretariat, "staff-planned-1366-fr")

    # the expert records it held, with the group's notes, then adds a photo linked to indicator 1.1.1
    eagl = _page(browser, live_server, expert.email, PHONE, "fr")
    eagl.goto(f"/visits/{visit.pk}/")
    held = eagl.locator("#held-form")
    expect(held.locator(f"input[name=participants][value='{expert.pk}']")).to_be_checked()
    held.locator("#held-from").fill(today)
    held.locator("#notes").fill("zqNOTESzq clôtures de la zone B à reprendre.")
    held.locator("button[type=submit]").click()
    expect(eagl.locator("#visit-status")).to_have_class("status-pill visit-held")
    upload = eagl.locator("#evidence-form")
    upload.locator("#visit-file").set_input_files(
        files=[{"name": "poste-de-garde.jpg", "mimeType": "image/jpeg", "buffer": _photo()}]
    )
    upload.locator("#visit-file-title").fill("Poste de garde, zone B")
    upload.locator("input[name=indicators]").first.check()
    upload.locator("button[type=submit]").click()
    expect(eagl.locator("#visit-evidence")).to_contain_text("Poste de garde, zone B")
    item = visit.evidence.get()
    evidence_process(item.pk)  # as the worker would
    item.refresh_from_db()
    assert item.processing_status == "ready", item.status_reason
    assert item.answers.get().indicator.number == "1.1.1"
    eagl.reload()
    assert eagl.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    _shot(eagl, "expert-held-390-fr")

    # the site manager, on a phone in Spanish: the visit, the photo, not the notes
    team = _page(browser, live_server, site_manager.email, PHONE, "es")
    team.goto(f"/assessments/{assessment.pk}/visits/")
    assert team.locator("html").get_attribute("lang") == "es"
    _shot(team, "team-list-390-es")
    team.locator(f"#visit-{visit.pk} a").click()
    expect(team).to_have_url(f"{live_server.url}/visits/{visit.pk}/")
    expect(team.locator("#visit-agenda")).to_contain_text("Patrouille de la zone B")
    expect(team.locator("#visit-participants")).to_contain_text(expert.get_full_name())
    expect(team.locator("#visit-participants")).to_contain_text("Lan, chef des gardes")
    expect(team.locator("#visit-evidence")).to_contain_text("Poste de garde, zone B")
    expect(team.locator("#notes-withheld")).to_be_visible()
    assert "zqNOTESzq" not in team.content()
    # nothing for the site team to record
    expect(team.locator("#held-form, #cancel-form, #evidence-form, #release-notes")).to_have_count(0)
    assert team.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    _shot(team, "team-visit-390-es")

    # the reviewers find the photo beside indicator 1.1.1, marked as taken on the visit
    asi = _page(browser, live_server, reviewer.email, DESKTOP, "en")
    asi.goto(f"/reviews/assessments/{assessment.pk}/")
    open_indicator_details(asi, item.answers.get().pk)  # the evidence list loads when opened (issue 19)
    photo = asi.locator(f"#evidence-{item.pk}")
    expect(photo).to_contain_text("From the site visit of")
    photo.scroll_into_view_if_needed()
    asi.screenshot(path=str(SHOTS / "visits-reviewer-mark-1366-en.png"))
