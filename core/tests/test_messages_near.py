"""Messages next to what they are about: after saving one indicator of a long page, the message is
marked with the indicator's element (core.messages.success_near) and the page's script puts it
there, where the browser has scrolled to (issue 15)."""

import pytest
from playwright.sync_api import expect

from conftest import browser_login, open_indicator_details
from core.messages import near_target
from reviews import services as review_services
from reviews.tests.factories import submitted_assessment


def test_a_message_names_the_element_it_is_about():
    assert near_target("near:answer-12") == "answer-12"
    assert near_target("") == "" and near_target("other") == ""


@pytest.mark.django_db
def test_saving_one_answer_marks_the_message_with_its_indicator(client, area, site_manager, staff):
    from assessments.services import assessment_create
    from assessments.workflow import transition
    from eligibility.tests.factories import make_eligible
    from reviews.tests.factories import make_standard

    make_standard(3)
    assessment = assessment_create(protected_area=area, user=site_manager, year=2026)
    make_eligible(assessment, staff=staff)
    transition(assessment, "candidate", by=staff)
    answer = assessment.answers.order_by("indicator__position").last()
    client.force_login(site_manager)
    response = client.post(
        f"/assessments/{assessment.pk}/answers/{answer.pk}/",
        {"version": answer.version, "rating": "meets", "justification": "Minutes of 2025."},
        follow=True,
    )
    assert f'data-near="answer-{answer.pk}">Indicator {answer.indicator.number} saved.</p>' in response.content.decode()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_page_puts_the_message_beside_the_indicator(page, area, site_manager, staff, jurisdiction):
    assessment = submitted_assessment(area=area, manager=site_manager, staff=staff)
    review_services.review_start(assessment=assessment, by=staff)
    answer = assessment.answers.order_by("indicator__position").last()
    browser_login(page, staff.email)
    page.goto(f"/reviews/assessments/{assessment.pk}/")
    open_indicator_details(page, answer.pk, ask=True)
    form = page.locator(f"#indicator-{answer.pk} form").filter(has=page.locator("textarea[name=question]"))
    form.locator("textarea[name=question]").fill("Which year?")
    form.get_by_role("button").click()  # saved in the background (review.js), the row redrawn
    message = page.locator(f"#indicator-{answer.pk} > .message")
    expect(message).to_contain_text("was sent to the site team")
    assert page.locator(".messages").is_hidden()  # nothing left at the top
