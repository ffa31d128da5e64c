"""The reviewer-facing evidence page in a real browser: badges, pins, live status (strict CSP)."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from conftest import browser_login
from evidence.tests.corpus import corpus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def test_evidence_page_badges_pins_and_live_status(page, arezzo_assessment, arezzo_team, upload, processed, testdata):
    for name in ("DSCN0010.jpg", "DSCN0021.jpg"):
        processed(upload(arezzo_assessment, arezzo_team, testdata / f"img-exif-samples/gps/{name}"))
    processed(upload(arezzo_assessment, arezzo_team, testdata / "img-exif-samples/Reconyx_HC500_Hyperfire.jpg"))
    processed(upload(arezzo_assessment, arezzo_team, corpus()["elf.jpg"][0], name="setup.jpg"))
    waiting = upload(arezzo_assessment, arezzo_team, testdata / "img-camtrapR/raw_images/StationA/IMG0001.JPG")
    browser_login(page, arezzo_team.email)
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"/evidence-processing/assessments/{arezzo_assessment.pk}/")
    page.wait_for_selector("#ep-map[data-loaded=true] canvas")  # map.js's site map drew the boundary and pins
    assert page.locator(".ep-loc-inside").count() == 2
    assert page.get_by_text("Outside assessment period").count() == 1  # the Reconyx photo is from 2020
    expect(page.get_by_text("The file is a program")).to_be_visible()
    box = page.locator(f'[data-evidence-id="{waiting.pk}"]')
    assert box.get_attribute("data-status") == "pending"
    # when a worker finishes the item, the page updates without a reload
    processed(waiting)
    page.wait_for_selector(f'[data-evidence-id="{waiting.pk}"][data-status="ready"]', timeout=15000)
    assert box.locator(".ep-thumb").count() == 1
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "evidence-processing-page.png"), full_page=True)
    assert not [e for e in errors if "Content Security Policy" in e]
