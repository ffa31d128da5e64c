"""A jurisdiction's onboarding page in Chromium, on a phone and at a desk, in French: staff record a
condition and the partner through the form; the warning below ten accredited experts shows; nothing
overflows sideways. Screenshots go to var/screenshots/ for review."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def test_staff_keep_the_record_in_french_on_a_phone_and_the_warning_shows(browser, live_server):
    from accounts.tests.factories import Role, make_user
    from standards.models import Jurisdiction

    jurisdiction = Jurisdiction.objects.create(code="vn", name="Viet Nam", countries=["VNM"])
    for i in range(3):
        make_user(Role.EXPERT, email=f"expert{i}@example.org", jurisdiction=jurisdiction)
    staff = make_user(Role.IUCN_STAFF, email="staff@example.org")
    SHOTS.mkdir(parents=True, exist_ok=True)
    url = f"/standard/jurisdictions/{jurisdiction.pk}/"

    for width, height in ((390, 844), (1366, 900)):
        context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": height})
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc, errors=errors: errors.append(str(exc)))
        browser_login(page, staff.email)
        context.add_cookies([{"name": "django_language", "value": "fr", "url": live_server.url}])
        page.goto(url)
        assert page.locator("html").get_attribute("lang") == "fr"
        # the warning: three accredited experts, ten asked
        warning = page.locator(".onboarding-warning")
        assert warning.is_visible() and "3" in warning.inner_text() and "10" in warning.inner_text()
        if width < 400:
            # staff record the first condition (a long wording wraps) and the Implementing Partner
            page.locator("#id_condition_1_label").fill("Condition " + "très longue " * 12)
            page.locator("#id_condition_1_met_on").fill("2025-03-14")
            page.locator("#id_implementing_partner").fill("UICN Viet Nam")
            with page.expect_navigation():
                page.locator(".onboarding-form button[type=submit]").click()
        conditions = page.locator(".onboarding-conditions li")
        assert conditions.count() == 4 and "très longue" in conditions.first.inner_text()
        assert "14 mars 2025" in conditions.first.inner_text()  # the French date format
        assert page.get_by_text("UICN Viet Nam").first.is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= width and not errors
        page.screenshot(path=str(SHOTS / f"hd-onboarding-{width}.png"), full_page=True)
        # the list: the jurisdiction's state and its experts, below ten
        page.goto("/standard/jurisdictions/")
        assert page.get_by_role("link", name="Viet Nam").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(SHOTS / f"hd-onboarding-list-{width}.png"), full_page=True)
        context.close()
