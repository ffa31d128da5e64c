"""The issue's "Done means", in a real browser: staff assign two experts and a reviewer; one declares a
conflict and is blocked; the other reviews every indicator with the evidence beside it, asks a
question; the site answers with new evidence; the expert recommends; the reviewer confirms."""

import datetime
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.tests.factories import Role, make_user
from assessments.choices import Status
from assessments.models import Assessment
from assessments.workflow import transition
from conftest import browser_login
from reviews.tests.factories import PNG, submitted_assessment

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def _locate_two_items(assessment):
    """Give two evidence items a position, as the evidence pipeline would from photo metadata."""
    from django.contrib.gis.geos import Point

    from evidence.models import EvidenceFacts, EvidenceItem

    (x0, y0, x1, y1) = assessment.protected_area.geom.extent
    for item, (fx, fy) in zip(
        EvidenceItem.objects.filter(assessment=assessment).order_by("id"), ((0.3, 0.4), (0.7, 0.8)), strict=False
    ):
        EvidenceFacts.objects.create(item=item, kind="image", position=Point(x0 + fx * (x1 - x0), y0 + fy * (y1 - y0)))


def _as(browser, live_server, email):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    browser_login(page, email)
    return context, page


@pytest.mark.django_db(transaction=True)
def test_remote_review_journey(browser, live_server, area, site_manager, staff, jurisdiction, tmp_path):
    SHOTS.mkdir(parents=True, exist_ok=True)
    area.management_authority = "Hue Forest Protection Department"
    area.save()
    expert_a = make_user(Role.EXPERT, email="ana@example.org", jurisdiction=jurisdiction)
    expert_b = make_user(Role.EXPERT, email="bao@example.org", jurisdiction=jurisdiction)
    expert_b.organisation = "Hue Forest Protection Department"
    expert_b.save()
    reviewer = make_user(Role.INDEPENDENT_REVIEWER, email="ivy@example.org")
    assessment = submitted_assessment(
        area=area, manager=site_manager, staff=staff, n_indicators=3, ratings={"1.1.3": "partially_meets"}
    )
    _locate_two_items(assessment)
    due = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    manage_url = f"/reviews/assessments/{assessment.pk}/manage/"
    review_url = f"/reviews/assessments/{assessment.pk}/"

    # --- staff start the review and assign two experts and the independent reviewer
    ctx, page = _as(browser, live_server, staff.email)
    page.goto(manage_url)
    page.get_by_role("button", name="Start the review").click()
    expect(page.locator(".message")).to_contain_text("The review has started")
    for person, role in ((expert_a, "expert"), (expert_b, "expert"), (reviewer, "independent_reviewer")):
        page.locator("#assign-user").select_option(str(person.pk))
        page.locator("#assign-role").select_option(role)
        page.locator("#assign-due").fill(due)
        page.get_by_role("button", name="Assign", exact=True).click()
        expect(page.locator(".message")).to_contain_text("assigned")
    rows = page.locator("#assignments tbody tr")
    expect(rows).to_have_count(3)
    # the automatic warning: expert B works for the site's managing organisation
    expect(page.locator('tr[data-user="bao@example.org"] li[data-kind="same_organisation"]')).to_be_visible()
    page.screenshot(path=str(SHOTS / "review-manage.png"), full_page=True)
    ctx.close()

    # --- expert B declares a conflict and is blocked
    ctx, page = _as(browser, live_server, expert_b.email)
    page.goto("/reviews/")
    page.get_by_role("link", name="Declare conflicts").click()
    page.get_by_label("Yes: I have a conflict").check()
    page.get_by_label("Describe the conflict").fill("I work for the managing organisation.")
    page.get_by_role("button", name="Declare").click()
    expect(page.locator(".message")).to_contain_text("Conflict recorded")
    response = page.goto(review_url)
    assert response.status == 404
    ctx.close()

    # --- the independent reviewer declares no conflict
    ctx, page = _as(browser, live_server, reviewer.email)
    page.goto("/reviews/")
    page.get_by_role("link", name="Declare conflicts").click()
    page.get_by_label("No: I have no conflict").check()
    page.get_by_role("button", name="Declare").click()
    expect(page).to_have_url(re.compile(re.escape(review_url)))
    ctx.close()

    # --- expert A declares no conflict and reviews every indicator with the evidence beside it
    ctx, page = _as(browser, live_server, expert_a.email)
    page.goto("/reviews/")
    page.get_by_role("link", name="Declare conflicts").click()
    page.get_by_label("No: I have no conflict").check()
    page.get_by_role("button", name="Declare").click()
    expect(page).to_have_url(re.compile(re.escape(review_url)))
    cards = page.locator("article.review-row")
    expect(cards).to_have_count(3)
    for i in range(3):
        # each indicator's evidence loads when it is opened (issue 19)
        expect(cards.nth(i).locator(".evidence-item")).to_have_count(0)
        cards.nth(i).locator("details.row-details > summary").click()
        expect(cards.nth(i).locator(".evidence-item img.thumb")).to_have_count(1)
    expect(page.locator(".site-map .site-boundary")).to_be_visible()
    expect(page.locator(".site-map a.pin")).to_have_count(2)
    page.screenshot(path=str(SHOTS / "review-page-start.png"), full_page=True)
    # keyboard navigation: j moves to the next indicator, k back
    page.locator("h1").click()
    page.keyboard.press("j")
    expect(cards.nth(0)).to_have_class(re.compile("is-current"))
    page.keyboard.press("j")
    expect(cards.nth(1)).to_have_class(re.compile("is-current"))
    page.keyboard.press("k")
    expect(cards.nth(0)).to_have_class(re.compile("is-current"))

    ratings = {0: "meets", 1: "meets", 2: "does_not_meet"}
    summary = page.locator(".review-counts")
    expect(summary.locator("li").first).to_have_text("0 / 3 reviewed by you")
    for i, rating in ratings.items():
        card = page.locator("article.review-row").nth(i)
        card.locator("select[name=rating]").first.select_option(rating)
        card.locator("textarea[name=finding]").first.fill(f"Finding on indicator {i + 1}.")
        card.locator("input[name=shared]").check()
        card.get_by_role("button", name="Save review").click()
        expect(card.locator(".message-near")).to_contain_text("saved and shared")
        # saved in place: the header's counts follow the indicators' (no reload)
        expect(summary.locator("li").first).to_have_text(f"{i + 1} / 3 reviewed by you")
        card = page.locator("article.review-row").nth(i)
        card.get_by_role("button", name="Record group finding").click()
        expect(card.locator(".message-near")).to_contain_text("group's finding")
    # disagreement shown on indicator 3 (site: partially meets; experts: does not meet)
    expect(page.locator("article.review-row").nth(2).locator(".tag-disagree")).to_be_visible()
    expect(summary.locator('[data-count="disagree"]')).to_have_text("1")
    page.get_by_label("Disagreeing").check()
    expect(page.locator("article.review-row:visible")).to_have_count(1)
    page.get_by_label("All").check()
    # ask the site a question on indicator 2
    card = page.locator("article.review-row").nth(1)
    card.get_by_text("Ask the site a question").click()
    card.locator("textarea[name=question]").fill("Please share the minutes of the 2025 stakeholder meetings.")
    card.get_by_role("button", name="Send question").click()
    expect(card.locator(".message-near")).to_contain_text("sent to the site team")
    expect(summary.locator('[data-count="open"]')).to_have_text("1")
    ctx.close()

    # --- staff send it back with the open question listed
    ctx, page = _as(browser, live_server, staff.email)
    page.goto(manage_url)
    expect(page.get_by_text("Please share the minutes")).to_be_visible()
    page.get_by_role("button", name="Send back to the site").click()
    expect(page.locator(".message")).to_contain_text("Sent back")
    ctx.close()

    # --- the site answers with new evidence and resubmits
    minutes = tmp_path / "minutes-2025.png"
    minutes.write_bytes(PNG)
    ctx, page = _as(browser, live_server, site_manager.email)
    page.goto(review_url)
    card = page.locator("article.review-row").nth(1)
    card.locator("details.row-details > summary").click()
    card.locator("textarea[name=text]").fill("The minutes are attached.")
    card.locator("input[type=file]").set_input_files(str(minutes))
    card.locator("input[name=file_title]").fill("Stakeholder meeting minutes 2025")
    card.get_by_role("button", name="Send").click()
    expect(card.locator(".message-near")).to_contain_text("added to the thread")
    expect(page.get_by_text("Stakeholder meeting minutes 2025").first).to_be_visible()
    ctx.close()
    transition(Assessment.objects.get(pk=assessment.pk), Status.RESUBMITTED, by=site_manager)

    # --- staff restart the review; the expert sees what changed, re-reviews and recommends
    ctx, page = _as(browser, live_server, staff.email)
    page.goto(manage_url)
    page.get_by_role("button", name="Start the review").click()
    ctx.close()
    ctx, page = _as(browser, live_server, expert_a.email)
    page.goto(review_url)
    changed = page.locator("article.review-row.is-changed")
    expect(changed).to_have_count(1)
    expect(changed.get_by_text("Out of date: the site changed")).to_be_visible()
    expect(changed.get_by_text("out of date", exact=True)).to_be_visible()  # the group finding too
    changed.locator("details.row-details > summary").click()
    expect(changed.get_by_text("Stakeholder meeting minutes 2025").first).to_be_visible()
    page.screenshot(path=str(SHOTS / "review-page-changed.png"), full_page=True)
    changed.get_by_role("button", name="Save review").click()
    expect(changed.locator(".message-near")).to_contain_text("saved")  # saved in place, no reload
    changed = page.locator("article.review-row").nth(1)
    changed.get_by_text("Change the group finding").click()
    changed.get_by_role("button", name="Record group finding").click()
    expect(changed.locator(".message-near")).to_contain_text("group's finding")
    page.get_by_label("Not yet", exact=True).check()
    page.locator("#reasons").fill("Indicator 1.1.3 is not met yet: the site must implement its action plan.")
    page.get_by_role("button", name="Record recommendation").click()
    expect(page.locator(".message")).to_contain_text("Recommendation recorded")
    ctx.close()

    # --- the reviewer confirms the process was followed
    ctx, page = _as(browser, live_server, reviewer.email)
    page.goto(review_url)
    page.get_by_role("button", name="Confirm the process was followed").click()
    expect(page.locator(".message")).to_contain_text("Not recommended")
    page.screenshot(path=str(SHOTS / "review-page-confirmed.png"), full_page=True)
    ctx.close()
    assert Assessment.objects.get(pk=assessment.pk).status == Status.NOT_RECOMMENDED
