"""Reviewers' saves without a full-page reload (issue 15): a form inside an indicator posts in the
background and the indicator's row is redrawn from the server's answer, with its message."""

import pytest
from playwright.sync_api import expect

from conftest import browser_login, open_indicator_details
from reviews import services
from reviews.models import IndicatorReview, InformationRequest
from reviews.tests.factories import in_review_with_expert, submitted_assessment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_expert_saves_a_review_and_a_refusal_without_leaving_the_page(
    page, area, site_manager, staff, expert, jurisdiction
):
    assessment = submitted_assessment(area=area, manager=site_manager, staff=staff)
    in_review_with_expert(assessment, expert=expert, staff=staff)
    answer = assessment.answers.order_by("indicator__position").last()
    browser_login(page, expert.email)
    page.goto(f"/reviews/assessments/{assessment.pk}/")
    page.evaluate("window.notReloaded = true")
    row = page.locator(f"#indicator-{answer.pk}")

    # a refused save (no rating) keeps what was typed and says why, in the row
    row.locator(f"#finding-{answer.pk}").fill("Minutes seen, plan signed.")
    row.locator(".review-form").get_by_role("button", name="Save review").click()
    expect(row.locator(".field-error")).to_be_visible()
    expect(row.locator(f"#finding-{answer.pk}")).to_have_value("Minutes seen, plan signed.")

    # then a good one is saved and says so beside the indicator
    row.locator(f"#rating-{answer.pk}").select_option("meets")
    row.locator(".review-form").get_by_role("button", name="Save review").click()
    expect(row.locator(".message-near")).to_contain_text("saved")
    assert page.evaluate("window.notReloaded === true")  # the same page all along
    review = IndicatorReview.objects.get(answer=answer)
    assert review.rating == "meets" and review.finding == "Minutes seen, plan signed."


def test_the_header_says_one_open_question_after_a_question_asked_in_place(
    page, area, site_manager, staff, expert, jurisdiction
):
    # given a review page with no open question ("0 open questions", the server's plural)
    assessment = submitted_assessment(area=area, manager=site_manager, staff=staff)
    in_review_with_expert(assessment, expert=expert, staff=staff)
    answer = assessment.answers.order_by("indicator__position").first()
    browser_login(page, expert.email)
    page.goto(f"/reviews/assessments/{assessment.pk}/")
    open_item = page.locator(".review-counts li").filter(has=page.locator('[data-count="open"]'))
    expect(open_item).to_have_text("0 open questions")

    # when the expert asks the site a question, saved in place
    row = page.locator(f"#indicator-{answer.pk}")
    open_indicator_details(page, answer.pk, ask=True)
    row.locator("textarea[name=question]").fill("Where are the 2025 meeting minutes?")
    row.get_by_role("button", name="Send question").click()
    expect(row.locator(".message-near")).to_contain_text("sent to the site team")

    # then the script counts again and writes the words for one question, not "1 open questions"
    expect(open_item).to_have_text("1 open question")

    # when the site answers it, the expert's page says it waits on the reviewers
    asked = InformationRequest.objects.get(answer=answer)
    services.information_reply_create(request=asked, by=site_manager, text="Uploaded to the library.")
    page.reload()
    answered_item = page.locator(".review-counts li").filter(has=page.locator('[data-count="answered"]'))
    expect(answered_item).to_have_text("1 answered by the site, to close")
    # and once the expert closes it in place, the script counts it out and hides the line
    open_indicator_details(page, answer.pk)
    row.get_by_role("button", name="Close this question").click()
    expect(open_item).to_have_text("0 open questions")
    expect(answered_item).to_be_hidden()
