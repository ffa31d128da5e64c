"""The dashboards in a real browser: charts and the map draw under the strict CSP, no script errors."""

import datetime
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from conftest import browser_login
from scoring.tests.fixtures import numbers, rate

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("REPORTS_SCREENSHOTS", Path(__file__).resolve().parents[2] / "var" / "screenshots"))


@pytest.fixture
def filled(transactional_db, site_manager, staff, area):
    from assessments.services import assessment_create
    from assessments.workflow import transition
    from eligibility.tests.factories import make_eligible
    from reports.tests.portfolio import make_portfolio
    from scoring.services import rescore_many
    from standards.tests.factories import load_gls

    load_gls()
    a = assessment_create(protected_area=area, user=site_manager, year=2026)
    make_eligible(a, staff=staff)
    transition(a, "candidate", by=staff, note="eligible")
    ratings = {n: "meets" for n in numbers(a)}
    ratings.update(
        {"1.1.1": "does_not_meet", "1.2.1": "partially_meets", "3.2.1": "does_not_meet", "4.1.1": "not_applicable"}
    )
    rate(a, site_manager, ratings, action_due=datetime.date.today() - datetime.timedelta(days=3))
    ids = make_portfolio(40, evidence=200)
    rescore_many([*ids, a.pk])
    return a


def _errors(page):
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    return errors


def _drawn(page, selector):
    """True when the canvas has non-white pixels (Chart.js drew on it)."""
    return page.eval_on_selector(
        selector,
        """c => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                  for (let i = 0; i < d.length; i += 4) { if (d[i + 3] && (d[i] < 250 || d[i + 1] < 250)) return true; }
                  return false; }""",
    )


def test_site_manager_dashboard_draws_the_component_chart(page, filled, site_manager):
    errors = _errors(page)
    browser_login(page, site_manager.email)
    page.goto("/reports/dashboard/")
    page.wait_for_function(
        "document.querySelector('canvas.js-chart') && document.querySelector('canvas.js-chart').width > 0"
    )
    assert _drawn(page, f"canvas[data-chart=site][data-id='{filled.pk}']")
    expect(page.get_by_text("OVERDUE").first).to_be_visible()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "reports_site_dashboard.png"), full_page=True)
    page.goto(f"/reports/assessments/{filled.pk}/")
    assert _drawn(page, "canvas[data-chart=site]")
    page.screenshot(path=str(SHOTS / "reports_assessment.png"), full_page=True)
    assert not [e for e in errors if "Content Security Policy" in e or "Error" in e], errors


def test_staff_dashboard_draws_charts_and_legend(page, filled, staff):
    errors = _errors(page)
    browser_login(page, staff.email)
    page.goto("/reports/dashboard/")
    page.wait_for_selector("canvas[data-chart=phases]")
    for kind in ("phases", "countries", "throughput", "readiness"):
        assert _drawn(page, f"canvas[data-chart={kind}]"), kind
    assert page.locator("#phase-legend canvas").count() >= 2  # shapes drawn for the legend
    # The map draws its sites from the page's compact rows (or says the browser cannot draw it).
    page.wait_for_selector(".js-portfolio-map.map-ready, .js-portfolio-map .notice", timeout=20_000)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "reports_staff_dashboard.png"), full_page=True)
    assert not [e for e in errors if "Content Security Policy" in e or "Error" in e], errors


@pytest.fixture
def component_one_at_95_8(transactional_db, site_manager, staff, area):
    """An assessment whose component 1 scores 95.83 % (11.5 of the 12 indicators that apply)."""
    from assessments.services import assessment_create
    from assessments.workflow import transition
    from eligibility.tests.factories import make_eligible
    from scoring.services import rescore
    from standards.tests.factories import load_gls

    load_gls()
    a = assessment_create(protected_area=area, user=site_manager, year=2026)
    make_eligible(a, staff=staff)
    transition(a, "candidate", by=staff, note="eligible")
    ratings = {n: "meets" for n in numbers(a) if n.startswith("1.")}
    ratings.update({"1.1.1": "not_applicable", "1.1.2": "partially_meets"})
    rate(a, site_manager, ratings)
    rescore(a)
    return a


def test_the_chart_writes_a_score_as_the_table_beside_it_does(page, live_server, component_one_at_95_8, site_manager):
    # given the chart's texts recorded as they are drawn, and a French reader
    page.add_init_script(
        """(() => { const draw = CanvasRenderingContext2D.prototype.fillText; window.drawnTexts = [];
                    CanvasRenderingContext2D.prototype.fillText = function (text, ...rest) {
                      window.drawnTexts.push(String(text)); return draw.call(this, text, ...rest); }; })()"""
    )
    browser_login(page, site_manager.email)
    page.context.add_cookies([{"name": "django_language", "value": "fr", "url": live_server.url}])
    # when the report draws its chart
    page.goto(f"/reports/assessments/{component_one_at_95_8.pk}/")
    page.wait_for_function("window.drawnTexts.length > 0")
    drawn = [
        " ".join(t.replace("\u202f", " ").replace("\xa0", " ").split()) for t in page.evaluate("window.drawnTexts")
    ]
    table = " ".join(page.locator(".score-table").inner_text().replace("\u202f", " ").replace("\xa0", " ").split())
    # then component 1's bar says 95,8 %, as its row in the table does (not a rounded 96 %)
    assert "95,8 %" in drawn and "95,8 %" in table, (drawn, table)
