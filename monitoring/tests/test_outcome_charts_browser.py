"""The outcome page's charts and forms measured in Chromium, in French on a 390 px phone and then on a
desktop: no text of a chart cut at its edges (a UI review found the unit along the y axis cut at both
ends and the legend "Taux de détection (pour 100 nuits-pièges) · Panthera p" cut at the right), and the
"link as evidence" drop-downs within the screen, a long indicator title written whole when the drop-down
cuts it (tests/layout_checks.py). Screenshot: var/screenshots/outcome-charts-390-fr.png."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from conftest import browser_login
from standards.tests.factories import load_gls
from tests.layout_checks import CHARTS, DROP_DOWNS

from . import outcome_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db]
SHOTS = Path(os.environ.get("GREENLIST_SHOTS") or Path(__file__).resolve().parents[2] / "var" / "screenshots")
PHONE = {"width": 390, "height": 844}


def test_outcome_charts_and_link_form_fit_a_phone_in_french(browser, live_server, area, site_manager, testdata):
    # given a site with forest-loss and camera-trap series (units and labels long in French)
    load_gls()
    world = outcome_world.build(area, testdata)
    context = browser.new_context(base_url=live_server.url, viewport=PHONE)
    page = context.new_page()
    browser_login(page, site_manager.email)
    context.add_cookies([{"name": "django_language", "value": "fr", "url": live_server.url}])

    # when its outcome page is drawn on a phone
    page.goto(f"/areas/{area.pk}/outcomes/")
    charts = page.locator("canvas.js-outcome-chart")
    expect(page.locator("canvas.js-outcome-chart[data-drawn=true]")).to_have_count(charts.count())
    assert charts.count() == 4
    # and a long indicator is chosen to link as evidence
    form = page.locator(f"#dataset-{world['cameras'].pk} .link-form")
    select = form.locator("select[name=indicator]")
    longest = select.evaluate("s => [...s.options].reduce((a, o) => (o.text.length > a.text.length ? o : a)).value")
    select.select_option(longest)

    # then every chart's texts are inside it, its legend under it in words that wrap, the unit over it
    problems = page.evaluate(CHARTS)
    assert not problems, "\n".join(problems)
    expect(page.locator(".chart-legend").first).to_contain_text("Panthera pardus")
    # and an entry of a legend hides its series and shows it again, as the canvas legend did; the
    # focus stays on the entry (the legend is drawn again)
    legend = page.locator(".chart-legend").first
    entry = legend.locator("button").first
    key = entry.get_attribute("data-key")
    assert key and key.startswith("d"), key
    visible = f"c => Chart.getChart(c).isDatasetVisible({int(key[1:])})"
    assert charts.first.evaluate(visible)
    entry.click()
    expect(legend.locator(f"button[data-key={key}]")).to_have_attribute("aria-pressed", "false")
    assert not charts.first.evaluate(visible)
    assert page.evaluate("document.activeElement.dataset.key") == key
    page.keyboard.press("Enter")
    expect(legend.locator(f"button[data-key={key}]")).to_have_attribute("aria-pressed", "true")
    assert charts.first.evaluate(visible)
    # and the drop-downs stay on the screen, the chosen indicator's title written whole under its own
    problems = page.evaluate(DROP_DOWNS)
    assert not problems, "\n".join(problems)
    whole = select.locator("xpath=following-sibling::*[1][contains(@class, 'select-whole')]")
    expect(whole).to_have_text(select.evaluate("s => s.options[s.selectedIndex].text"))
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # and the axes' numbers are written the French way ("0,5", not "0.5"; the browser itself is English)
    ticks = page.evaluate(
        "() => [...document.querySelectorAll('canvas.js-outcome-chart')]"
        ".flatMap((c) => Chart.getChart(c).scales.y.ticks.map((t) => t.label))"
    )
    decimals = [t for t in ticks if any(sep in t for sep in ".,")]
    assert decimals and all("," in t and "." not in t for t in decimals), ticks
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "outcome-charts-390-fr.png"), full_page=True)

    # and on a desktop (the charts redrawn at their new width) as well
    page.set_viewport_size({"width": 1280, "height": 900})
    page.wait_for_function(
        "() => [...document.querySelectorAll('canvas.js-outcome-chart')].every((c) => Chart.getChart(c).width > 600)"
    )
    problems = page.evaluate(CHARTS) + page.evaluate(DROP_DOWNS)
    assert not problems, "\n".join(problems)
    page.locator(f"#series-{charts.first.get_attribute('data-series')}").screenshot(
        path=str(SHOTS / "outcome-chart-1280-fr.png")
    )
    context.close()
