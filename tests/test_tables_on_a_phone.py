"""Tables of records as cards on a phone (`table stack-on-phone`, static/css/app.css), in Chromium.

A review of phone screenshots in French and Spanish found the column that matters most scrolled off a
390 px screen inside its table's box: "Abr revi" (the next step in "My reviews"), "En revis" (an
assessment's phase), "Télé…" (the download of "My data"). On a phone each row is now a card and that
link, button or pill is whole on the screen; on a desktop the table is the table it was. Set
GREENLIST_SHOTS=<dir> to keep the screenshots somewhere else than var/screenshots.
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
SHOTS = Path(os.environ.get("GREENLIST_SHOTS") or Path(__file__).resolve().parents[1] / "var" / "screenshots")
AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"

# Where an element is on the screen once the page is scrolled down to it (down only: scrolling it
# into view sideways would scroll a table's box and hide the defect), and whether it is cut: by a box
# that clips its overflow (a table that scrolls), or by the screen's edges, or covered on one of its lines.
WHERE = r"""(el) => {
  window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - innerHeight / 2);
  const r = el.getBoundingClientRect();
  let clippedBy = null;
  for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
    const s = getComputedStyle(a);
    if (s.overflowX === "visible" && s.overflowY === "visible") continue;
    const b = a.getBoundingClientRect();
    if (r.left < b.left - 1 || r.right > b.right + 1) { clippedBy = a.className || a.tagName; break; }
  }
  // each of its lines (a link may wrap) at its middle, not under something else
  const seen = [...el.getClientRects()].every((line) => {
    const hit = document.elementFromPoint((line.left + line.right) / 2, (line.top + line.bottom) / 2);
    return !!hit && (hit === el || el.contains(hit));
  });
  return {left: r.left, right: r.right, width: r.width, clippedBy, seen, text: el.textContent.trim()};
}"""

# Each labelled cell's name is its column's heading, word for word (same msgid, same translation).
LABELS = r"""(table) => {
  const headings = [...table.tHead.rows[0].cells].map((th) => th.textContent.trim());
  const wrong = [];
  for (const row of table.tBodies[0].rows) {
    [...row.cells].forEach((cell, i) => {
      if (cell.dataset.label !== undefined && cell.dataset.label !== headings[i]) {
        wrong.push(`${cell.dataset.label} ≠ ${headings[i]}`);
      }
    });
  }
  return wrong;
}"""


@pytest.fixture
def reviewer_world(area, other_area, site_manager, other_manager, staff, reviewer, jurisdiction):
    """The reviewer seated on two assessments in review: one declared (its next step opens the review),
    one not yet (its next step is the declaration); and a download of their own data, ready."""
    from accounts.models import DataExport
    from reviews import services as review_services
    from reviews.tests.factories import submitted_assessment

    area.name = "Réserve naturelle de Phong Dien et forêts du bassin versant"
    area.save()
    due = timezone.localdate() + datetime.timedelta(days=21)
    seats = []
    for site, manager in ((area, site_manager), (other_area, other_manager)):
        assessment = submitted_assessment(area=site, manager=manager, staff=staff, n_indicators=1)
        review_services.review_start(assessment=assessment, by=staff)
        seats.append(
            review_services.assignment_create(
                assessment=assessment, assignee=reviewer, role="independent_reviewer", due_date=due, by=staff
            )
        )
    review_services.conflict_declare(assignment=seats[0], by=reviewer, has_conflict=False)
    DataExport.objects.create(
        user=reviewer, status="ready", size=1_234_567, expires_at=timezone.now() + datetime.timedelta(days=7)
    )
    return reviewer


# (page, its table, the element that must be whole on a phone, how many of them at least)
PAGES = [
    ("/reviews/", "main table.stack-on-phone", "td a.button", 2),
    ("/", "#my-reviews table", "td:last-child a", 2),
    ("/assessments/", "main table.stack-on-phone", "td .status-pill", 1),
    ("/accounts/my-data/", "main table.stack-on-phone", "td a[href*='download']", 1),
]


def _open(browser, live_server, email, viewport, language):
    # bypass_csp: axe is injected as an inline script (as in tests/test_accessibility.py)
    context = browser.new_context(base_url=live_server.url, viewport=viewport, bypass_csp=True)
    page = context.new_page()
    browser_login(page, email)
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    return context, page


@pytest.mark.parametrize("language", ["fr", "es"])
def test_the_next_step_and_the_status_are_whole_on_a_phone(browser, live_server, reviewer_world, language):
    # given the reviewer on a phone, in French or Spanish
    context, page = _open(browser, live_server, reviewer_world.email, PHONE, language)
    SHOTS.mkdir(parents=True, exist_ok=True)
    for url, table_selector, selector, at_least in PAGES:
        # when each page with a table of records opens
        page.goto(url)
        expect(page.locator("html")).to_have_attribute("lang", language)
        table = page.locator(table_selector)
        expect(table).to_have_count(1)
        name = url.strip("/").replace("/", "-") or "home"
        page.screenshot(path=str(SHOTS / f"table-cards-{name}-390-{language}.png"), full_page=True)

        # then the column that matters is whole on the screen, row by row, uncut and uncovered
        targets = table.locator(selector)
        assert targets.count() >= at_least, (url, targets.count())
        cut = []
        for i in range(targets.count()):
            where = targets.nth(i).evaluate(WHERE)
            if not (where["left"] >= 0 and where["right"] <= PHONE["width"] and where["width"] > 0):
                cut.append(f"{url} “{where['text']}”: from {where['left']:.0f} to {where['right']:.0f} px")
            elif where["clippedBy"] or not where["seen"]:
                cut.append(f"{url} “{where['text']}”: cut by {where['clippedBy']}, seen {where['seen']}")
        assert not cut, "\n".join(cut)
        # and the page itself does not scroll sideways
        assert page.evaluate("document.documentElement.scrollWidth <= innerWidth + 1"), url
        # and each card's lines are named by the column headings, which screen readers still have
        assert table.evaluate(LABELS) == [], url
        assert table.locator("thead").evaluate("e => e.getBoundingClientRect().height") <= 1, url
        headings = table.locator("thead th").all_text_contents()
        cdp = context.new_cdp_session(page)
        exposed = {
            (node["role"]["value"], node.get("name", {}).get("value", ""))
            for node in cdp.send("Accessibility.getFullAXTree")["nodes"]
            if "role" in node
        }
        cdp.detach()
        assert {("columnheader", h.strip()) for h in headings if h.strip()} <= exposed, (url, headings)
        assert any(role == "cell" for role, _ in exposed), url
        # and axe finds nothing serious in the cards
        page.add_script_tag(path=str(AXE))
        results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        serious = [v["id"] for v in results["violations"] if v["impact"] in {"serious", "critical"}]
        assert serious == [], (url, serious)
    context.close()


def test_a_desktop_still_shows_the_tables_as_tables(browser, live_server, reviewer_world):
    # given the reviewer on a desktop, in French
    context, page = _open(browser, live_server, reviewer_world.email, DESKTOP, "fr")
    for url, table_selector, _selector, _at_least in PAGES:
        # when each page opens
        page.goto(url)
        table = page.locator(table_selector)
        # then the headings are shown above the columns, and each row is one line of cells, unlabelled
        expect(table.locator("thead")).to_be_visible()
        assert table.evaluate("t => getComputedStyle(t).display") == "table", url
        assert table.locator("thead th").first.evaluate("e => e.getBoundingClientRect().height") > 10, url
        row = table.locator("tbody tr").first
        tops = row.locator("td").evaluate_all("cells => cells.map((c) => Math.round(c.getBoundingClientRect().top))")
        assert len(tops) > 1 and len(set(tops)) == 1, (url, tops)
        labels = row.locator("td[data-label]").evaluate_all(
            "cells => cells.map((c) => getComputedStyle(c, '::before').content)"
        )
        assert labels and set(labels) == {"none"}, (url, labels)
    context.close()


def test_the_standards_versions_show_their_action_on_a_phone(browser, live_server):
    # given the Standard loaded and a Standard Committee member on a phone, in French: "Nouveau brouillon
    # à partir de cette version" scrolled off the screen in the versions table's last column
    from accounts.tests.factories import Role, make_user
    from standards.tests.factories import load_gls

    load_gls()
    keeper = make_user(Role.STANDARD_COMMITTEE, email="keeper@example.org")
    context, page = _open(browser, live_server, keeper.email, PHONE, "fr")
    page.goto("/standard/versions/")
    # then each version's action is whole on the screen, uncut
    actions = page.locator("main table.versions-table td:last-child a")
    assert actions.count() >= 1
    for i in range(actions.count()):
        where = actions.nth(i).evaluate(WHERE)
        assert where["left"] >= 0 and where["right"] <= PHONE["width"], where
        assert not where["clippedBy"] and where["seen"], where
    context.close()
