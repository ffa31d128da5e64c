"""Every role's pages (the phone walk's, tests/journeys/test_every_role_on_a_phone.py) at 390 px in French,
measured: status pills on one line and visible as pills, drop-downs within the screen with a cut choice
written whole, charts with no text cut at their edges (tests/layout_checks.py). A UI review found tall
two-line ovals in tables ("Publi/ée"), an open condition's pill white on a white panel, "Le personnel
de l'UICN (le secré" and chart legends cut at both ends. Set GREENLIST_SHOTS=<dir> to keep screenshots.
"""

import os
from pathlib import Path

import pytest

from accounts.models import User
from conftest import browser_login
from tests.journeys.test_every_role_on_a_phone import JOURNEYS
from tests.layout_checks import CHARTS, DROP_DOWNS, PILLS
from tests.permissions.world import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
CHART_CANVASES = "canvas.js-chart, canvas.js-outcome-chart"


def test_pills_drop_downs_and_charts_fit_a_phone_in_french(
    browser,
    live_server,
    area,
    other_area,
    jurisdiction,
    site_manager,
    other_manager,
    expert,
    reviewer,
    staff,
    admin_user,
):
    # given the permission matrix's world (a certified site with an open condition, a cycle under
    # review, drafts of the Standard, concerns, visits, reports)
    world = build_world(
        area=area,
        other_area=other_area,
        jurisdiction=jurisdiction,
        site_manager=site_manager,
        other_manager=other_manager,
        expert=expert,
        reviewer=reviewer,
        staff=staff,
        admin_user=admin_user,
    )
    shots = Path(os.environ["GREENLIST_SHOTS"]) if os.environ.get("GREENLIST_SHOTS") else None
    problems = []
    seen = {"pill": 0, "select": 0, "chart": 0}
    for role, urls in JOURNEYS.items():
        context = browser.new_context(base_url=live_server.url, viewport=PHONE)
        page = context.new_page()
        if role == "panel_member":
            browser_login(page, User.objects.get(pk=world.ids["panel_member"]).email)
        elif role != "anonymous":
            browser_login(page, world.users[role].email)
        context.add_cookies([{"name": "django_language", "value": "fr", "url": live_server.url}])
        for template in urls:
            # when each page is shown on a phone, in French, after its scripts ran
            url = template.format(**world.ids)
            page.goto(url)
            page.wait_for_load_state("load")
            page.wait_for_function(f"!document.querySelector('{CHART_CANVASES}') || !!window.Chart")
            seen["pill"] += page.locator(".status-pill, .cert-status, .tag").count()
            seen["select"] += page.locator("main select").count()
            seen["chart"] += page.locator(CHART_CANVASES).count()
            # then nothing in it is cut, wrapped into an oval or invisible
            for check in (PILLS, DROP_DOWNS, CHARTS):
                problems += [f"{role} {url}: {p}" for p in page.evaluate(check)]
            if shots:
                shots.mkdir(parents=True, exist_ok=True)
                name = f"pills-{role}-{url.strip('/').replace('/', '_').replace('?', '_') or 'home'}.png"
                page.screenshot(path=str(shots / name[:150]), full_page=True)
        context.close()
    # (the walk met what it checks: the checks are not passing on pages without any)
    assert min(seen.values()) > 0, seen
    assert not problems, "\n".join(problems)
