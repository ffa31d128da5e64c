"""The reviews of a listed site in Chromium, on a phone in French (issue 16): beat opens the mid-term
review on its day (time travel by argument); the site manager finds it from the certificate page and
files the update with progress on the listing's condition; the expert of the group that reviewed the
listed cycle records the group's review; the Panel's chair records that the Panel took note. Then the
renewal review opens; the site manager reads the certificate's status rule, starts the renewal cycle
prefilled from the listed one, and the public page says the renewal is under way.

Set up through services (the listed site, its condition, beat's run); everything else typed and clicked."""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
SHOTS = Path(os.environ.get("GREENLIST_SHOTS") or Path(__file__).resolve().parents[2] / "var" / "screenshots")


def _page(browser, live_server, email):
    context = browser.new_context(base_url=live_server.url, viewport=PHONE)
    page = context.new_page()
    browser_login(page, email)
    context.add_cookies([{"name": "django_language", "value": "fr", "url": live_server.url}])
    return page


def _check(page, name):
    """No sideways scrolling at 390 px, and a photograph of the page."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), name
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"listing-reviews-{name}-390-fr.png"), full_page=True)


def test_midterm_and_renewal_on_a_phone_in_french(
    browser, live_server, certificate, site_manager, group_expert, panel_chair, staff
):
    from assessments.models import Assessment
    from certification.conditions import condition_add
    from listing_reviews import services
    from listing_reviews.models import MidtermReview
    from listing_reviews.tasks import open_due_reviews

    condition = condition_add(
        certificate=certificate,
        text="Publier les données de patrouille.",
        due_on=certificate.expires_on - datetime.timedelta(days=30),
        checked_by="expert_group",
        by=staff,
    )
    # beat, on the day the mid-term falls due
    assert open_due_reviews(today=services.midterm_due_on(certificate).isoformat())["midterm_opened"] == 1
    review = MidtermReview.objects.get(certificate=certificate)

    team = _page(browser, live_server, site_manager.email)
    team.goto(certificate.get_absolute_url())
    team.locator("#midterm-link").click()
    expect(team).to_have_url(f"{live_server.url}/listing-reviews/midterm/{review.pk}/")
    team.locator("#what-changed").fill("Nouveau poste de gardes au nord ; deux pièges photographiques ajoutés.")
    team.locator(f"#progress-{condition.pk}").fill("Données de 2027 publiées en ligne.")
    _check(team, "update-form")
    team.locator("#midterm-update-form button[type=submit]").click()
    expect(team.locator("#midterm-status")).to_have_attribute("data-status", "update_filed")
    expect(team.locator("#midterm-update")).to_contain_text("Nouveau poste de gardes")

    group = _page(browser, live_server, group_expert.email)
    group.goto(f"/listing-reviews/midterm/{review.pk}/")
    group.locator("#findings").fill("Les progrès sont réels ; la condition avance.")
    group.locator("#midterm-review-form button[type=submit]").click()
    expect(group.locator("#midterm-findings")).to_contain_text("Les progrès sont réels")

    chair = _page(browser, live_server, panel_chair.email)
    chair.goto(f"/listing-reviews/midterm/{review.pk}/")
    chair.locator("input[name=outcome][value=panel_noted]").check()
    chair.locator("#panel-note").fill("Le Panel prend note de la mise à jour.")
    chair.locator("#midterm-panel-form button[type=submit]").click()
    expect(chair.locator("#midterm-panel")).to_contain_text("Le Panel prend note")
    _check(chair, "midterm-closed")
    review.refresh_from_db()
    assert review.status == "panel_noted"

    # beat, on the day the renewal falls due
    assert open_due_reviews(today=services.renewal_due_on(certificate).isoformat())["renewal_opened"] == 1
    team.goto(certificate.get_absolute_url())
    expect(team.locator("#renewal-status-rule")).to_be_visible()
    team.locator("#renewal-link").click()
    expect(team.locator("#renewal-rule")).to_be_visible()
    _check(team, "renewal")
    team.locator("#renewal-start-form button[type=submit]").click()
    cycle = Assessment.objects.get(protected_area=certificate.protected_area, previous=certificate.decision.assessment)
    expect(team).to_have_url(f"{live_server.url}/assessments/{cycle.pk}/")
    _check(team, "renewal-cycle")

    public = browser.new_context(base_url=live_server.url, viewport=PHONE).new_page()
    public.context.add_cookies([{"name": "django_language", "value": "fr", "url": live_server.url}])
    public.goto(f"/green-list/{certificate.protected_area_id}/")
    expect(public.locator("#renewal-under-way")).to_be_visible()
    _check(public, "public-page")
