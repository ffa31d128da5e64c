"""The outcome page in Chromium, in French on a 390 px phone: from the area page to the charts,
tables and map, then linking a series to indicator 4.1.1 (screenshot: var/screenshots/outcomes-390-fr.png)."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from conftest import browser_login
from standards.tests.factories import load_gls

from . import outcome_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db]
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
PHONE = {"width": 390, "height": 844}


def test_outcome_page_on_a_phone_in_french(browser, live_server, area, site_manager, testdata):
    load_gls()
    world = outcome_world.build(area, testdata)
    context = browser.new_context(base_url=live_server.url, viewport=PHONE)
    page = context.new_page()
    browser_login(page, site_manager.email)
    context.add_cookies([{"name": "django_language", "value": "fr", "url": live_server.url}])

    page.goto(f"/areas/{area.pk}/")
    page.locator("#outcome-link").click()
    expect(page).to_have_url(f"{live_server.url}/areas/{area.pk}/outcomes/")
    assert page.locator("html").get_attribute("lang") == "fr"
    # every series drawn, each with its table; the map with the park and its places
    charts = page.locator("canvas.js-outcome-chart")
    expect(page.locator("canvas.js-outcome-chart[data-drawn=true]")).to_have_count(charts.count())
    assert charts.count() == page.locator("table.series-table").count() == 4
    expect(page.locator("#outcome-map[data-loaded=true]")).to_have_count(1, timeout=15000)
    expect(page.locator("#generalised-note")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "outcomes-390-fr.png"), full_page=True)

    # the leopard's detection rate linked to 4.1.1 as evidence
    form = page.locator(f"#dataset-{world['cameras'].pk} .link-form")
    form.locator("select[name=series]").select_option(f"detection_rate|{outcome_world.LEOPARD}")
    form.locator("select[name=indicator]").select_option(
        label=page.locator("option", has_text="4.1.1").first.inner_text()
    )
    form.locator("button[type=submit]").click()
    expect(page.locator(".links-note .tag")).to_contain_text("4.1.1")
    context.close()
