"""The staff system page in Chromium on a phone in Spanish (issue 20): no sideways scrolling, queue names
whole, a failed job's Retry button queues it again and says so."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.utils import translation
from playwright.sync_api import expect

from conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
SHOTS = Path(os.environ.get("GREENLIST_SHOTS") or Path(__file__).resolve().parents[2] / "var" / "screenshots")


def test_the_system_page_on_a_phone_in_spanish_retries_a_failed_job(browser, live_server, staff):
    from core.models import Job

    job = Job.objects.create(
        kind="reports.export", created_by=staff, params={}, status=Job.Status.FAILED, error="Parada inesperada"
    )
    context = browser.new_context(base_url=live_server.url, viewport=PHONE)
    page = context.new_page()
    browser_login(page, staff.email)
    context.add_cookies([{"name": "django_language", "value": "es", "url": live_server.url}])

    page.goto("/operations/system/")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.locator(".system-failed-jobs")).to_contain_text("Parada inesperada")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "operations-system-390-es.png"), full_page=True)
    wide = page.evaluate(
        "[...document.querySelectorAll('body *')]"
        ".filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).map(e => e.tagName + '.' + e.className)"
    )
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), wide
    # each queue's name on one line (an inline element has one client rect per line it spans), not
    # broken every few letters in a narrow first column
    lines = page.eval_on_selector_all(".system-queues th code", "codes => codes.map(c => c.getClientRects().length)")
    assert lines and set(lines) == {1}, lines
    # the failed jobs' table scrolls in its box and shows it (scroll shadows: a background, not "none"),
    # and a job's kind is named in words that wrap as words do, not as its code ("reports.export")
    box = page.locator(".system-failed-jobs").locator("xpath=..")
    expect(box).to_have_class(re.compile(r"\btable-scroll\b"))
    assert "gradient" in box.evaluate("e => getComputedStyle(e).backgroundImage")
    with translation.override("es"):
        expect(page.locator(".system-failed-jobs")).to_contain_text(job.get_kind_display())
    expect(page.locator(".system-failed-jobs")).not_to_contain_text("reports.export")

    page.locator(".system-failed-jobs button").first.click()
    page.wait_for_load_state()
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED
    expect(page.locator(".system-failed-jobs")).to_have_count(0)
    context.close()

    from greenlist.celery import app

    app.control.purge()  # the retried job's message: no worker here
