"""A multi-site application in Chromium (issue 16): the site team, on a phone in French, adds a second
site with its connection statement, sees both sites named on one map, and the eligibility pre-check of
each site on the eligibility page.

Set up through services: the main site, the second site (in the platform, not in any application), the
application-phase assessment."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
SHOTS = Path(os.environ.get("GREENLIST_SHOTS") or Path(__file__).resolve().parents[2] / "var" / "screenshots")


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"msite-{name}.png"), full_page=True)


def test_site_team_adds_a_second_site_and_sees_both_on_the_map_and_the_precheck(
    browser, live_server, area, jurisdiction, site_manager
):
    from assessments.services import assessment_create
    from protected_areas.tests.factories import ProtectedAreaFactory
    from standards.tests.factories import load_gls

    load_gls()
    from accounts.services import role_grant
    from accounts.tests.factories import Role

    second = ProtectedAreaFactory(name="Parc de Bach Ma", governance_type="Federal or national ministry or agency")
    # the site team manages the second site too (a site team adds only areas it manages)
    role_grant(user=site_manager, role=Role.SITE_MANAGER, granted_by=None, protected_area=second)
    application = assessment_create(protected_area=area, user=site_manager, year=2026)

    context = browser.new_context(base_url=live_server.url, viewport=PHONE)
    page = context.new_page()
    browser_login(page, site_manager.email)
    context.add_cookies([{"name": "django_language", "value": "fr", "url": live_server.url}])

    # from the assessment page to its sites
    page.goto(f"/assessments/{application.pk}/")
    assert page.locator("html").get_attribute("lang") == "fr"
    page.locator("#application-sites a").click()
    expect(page).to_have_url(f"{live_server.url}/assessments/{application.pk}/sites/")
    form = page.locator("#site-add-form")
    form.locator("input[name=wdpa_id]").fill(str(second.wdpa_id))
    form.locator("textarea[name=connection]").fill("Un corridor forestier le long de la rivière relie les deux parcs.")
    form.locator("textarea[name=shared_values]").fill("Habitat du saola ; même bassin versant.")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    form.locator("button[type=submit]").click()

    # both sites listed, and both named on one map
    expect(page.locator("#sites-list > li")).to_have_count(2)
    expect(page.locator("#sites-list")).to_contain_text("Un corridor forestier")
    expect(page.locator("#sites-map[data-loaded=true]")).to_have_count(1, timeout=15000)
    labels = page.locator("#sites-map .site-label")
    expect(labels).to_have_count(2)
    expect(labels.nth(1)).to_have_text("Parc de Bach Ma")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # each name whole inside the map, even a site's at the frame's edge ("ong Dien Test Reserve" was cut)
    frame = page.locator("#sites-map").bounding_box()
    for i in range(2):
        box = labels.nth(i).bounding_box()
        assert frame["x"] <= box["x"] and box["x"] + box["width"] <= frame["x"] + frame["width"], (i, box, frame)
    _shot(page, "sites-390-fr")

    # the eligibility pre-check, site by site
    page.goto(f"/assessments/{application.pk}/eligibility/")
    expect(page.locator("#precheck li")).to_have_count(4)
    second_check = page.locator(f"#sites-precheck [data-site='{second.pk}']")
    expect(second_check.locator("li.gate-pass")).to_have_count(4)
    expect(second_check).to_contain_text("Un corridor forestier")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    _shot(page, "eligibility-390-fr")
    context.close()
