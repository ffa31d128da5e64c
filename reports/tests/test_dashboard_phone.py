"""The staff dashboard's charts measured in Chromium on a 390 px phone in French, then on a desktop.
A user review found the charts drawn over each other (a chart's caption over the previous chart's axis
labels: the canvas sized to its whole figure, caption included) and the phases' names cut at the left
("fications demandées"). Screenshots: var/screenshots/reports-dashboard-390-fr.png and
reports-assessment-390-fr.png."""

import os
from pathlib import Path

import pytest

from conftest import browser_login
from tests.layout_checks import CHARTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(os.environ.get("GREENLIST_SHOTS") or Path(__file__).resolve().parents[2] / "var" / "screenshots")
PHONE = {"width": 390, "height": 844}

# Every figure's chart inside its figure; no caption over another figure's canvas; every category of
# an axis written (none skipped) and no line of its label wider than the axis (cut at the canvas's edge).
OVERLAPS = r"""() => {
  const problems = [];
  const box = (e) => e.getBoundingClientRect();
  const meet = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1
    && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;
  const figures = [...document.querySelectorAll("figure.chart-box")];
  const canvases = [...document.querySelectorAll("figure.chart-box canvas.js-chart")];
  for (const figure of figures) {
    const canvas = figure.querySelector("canvas.js-chart");
    const name = canvas.dataset.chart + (canvas.dataset.id ? "#" + canvas.dataset.id : "");
    const f = box(figure), c = box(canvas);
    if (c.top < f.top - 1 || c.bottom > f.bottom + 1 || c.left < f.left - 1 || c.right > f.right + 1) {
      const span = (r) => `${Math.round(r.top)}–${Math.round(r.bottom)}`;
      problems.push(`${name}: the canvas (${span(c)}) runs out of its figure (${span(f)})`);
    }
    const caption = figure.querySelector("figcaption");
    for (const other of canvases) {
      if (caption && !figure.contains(other) && meet(box(caption), box(other))) {
        problems.push(`the caption “${caption.textContent}” is drawn over the ${other.dataset.chart} chart`);
      }
    }
    const legend = figure.querySelector(".chart-legend");
    if (legend && meet(box(legend), c)) problems.push(`${name}: its legend is over its canvas`);
    const chart = Chart.getChart(canvas);
    if (!chart) { problems.push(`${name}: not drawn`); continue; }
    const ctx = chart.ctx;
    for (const scale of Object.values(chart.scales)) {
      if (scale.type !== "category") continue;
      if (scale.ticks.length !== chart.data.labels.length) {
        problems.push(`${name}: ${scale.ticks.length} of ${chart.data.labels.length} labels written on ${scale.id}`);
      }
      if (scale.isHorizontal()) continue;
      ctx.save();
      ctx.font = Chart.helpers.toFont(scale.options.ticks.font).string;
      for (const tick of scale.ticks) {
        for (const line of [].concat(tick.label)) {
          const w = ctx.measureText(String(line)).width;
          const axis = Math.round(scale.width);
          if (w > axis + 1) problems.push(`${name}: “${line}” is ${Math.round(w)} px on a ${axis} px axis`);
        }
      }
      ctx.restore();
    }
  }
  return problems;
}"""


@pytest.fixture
def portfolio(site_manager, staff, area):
    """Forty sites in every phase, a candidate with scores, and two sites whose countries' names are
    long in French ("Saint-Vincent-et-les Grenadines", "République démocratique du Congo")."""
    from assessments.models import Assessment
    from assessments.services import assessment_create
    from assessments.workflow import transition
    from eligibility.tests.factories import make_eligible
    from protected_areas.tests.factories import ProtectedAreaFactory
    from reports.tests.portfolio import make_portfolio
    from scoring.services import rescore_many
    from scoring.tests.fixtures import numbers, rate
    from standards.tests.factories import load_gls

    standard = load_gls()
    a = assessment_create(protected_area=area, user=site_manager, year=2026)
    make_eligible(a, staff=staff)
    transition(a, "candidate", by=staff, note="eligible")
    rate(a, site_manager, {n: "meets" for n in numbers(a)} | {"1.1.1": "does_not_meet"})
    ids = make_portfolio(40)
    for iso3 in ("VCT", "COD"):
        Assessment.objects.create(
            protected_area=ProtectedAreaFactory(iso3=[iso3], parent_iso3=[iso3]),
            cycle=1,
            year=2026,
            standard=standard,
            created_by=staff,
            status="changes_requested",
        )
    rescore_many([*ids, a.pk])
    return a


def _drawn(page):
    page.wait_for_function(
        "() => [...document.querySelectorAll('canvas.js-chart')].every((c) => window.Chart && Chart.getChart(c))"
    )


def test_dashboard_charts_do_not_overlap_on_a_phone_in_french(browser, live_server, portfolio, staff):
    # given staff reading French on a phone
    context = browser.new_context(base_url=live_server.url, viewport=PHONE)
    page = context.new_page()
    browser_login(page, staff.email)
    context.add_cookies([{"name": "django_language", "value": "fr", "url": live_server.url}])

    # when the dashboard draws its charts
    page.goto("/reports/dashboard/")
    _drawn(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#portfolio-board .chart-grid").screenshot(path=str(SHOTS / "reports-dashboard-390-fr.png"))

    # then no caption is drawn over another chart, every phase and country is written whole
    problems = page.evaluate(OVERLAPS) + page.evaluate(CHARTS)
    assert not problems, "\n".join(problems)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # and so on a desktop, the charts drawn again at their new width
    page.set_viewport_size({"width": 1280, "height": 900})
    page.wait_for_timeout(300)
    problems = page.evaluate(OVERLAPS) + page.evaluate(CHARTS)
    assert not problems, "\n".join(problems)
    page.locator("#portfolio-board .chart-grid").screenshot(path=str(SHOTS / "reports-dashboard-1280-fr.png"))
    context.close()


def test_assessment_report_chart_fits_a_phone_in_french(browser, live_server, portfolio, site_manager):
    # given the site's manager reading French on a phone
    context = browser.new_context(base_url=live_server.url, viewport=PHONE)
    page = context.new_page()
    browser_login(page, site_manager.email)
    context.add_cookies([{"name": "django_language", "value": "fr", "url": live_server.url}])

    # when the assessment's report draws its component chart
    page.goto(f"/reports/assessments/{portfolio.pk}/")
    _drawn(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "reports-assessment-390-fr.png"), full_page=True)

    # then the chart stays in its figure, its legend under it and its components' names whole
    problems = page.evaluate(OVERLAPS) + page.evaluate(CHARTS)
    assert not problems, "\n".join(problems)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    context.close()
