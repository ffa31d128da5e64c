"""A piece of a page loaded when asked for (issue 19) may fail to load: the three places that load one
(an indicator's details on the review page, its linked evidence on the assessment page for the site
team and for a reader) say so beside it with an alert, through the one loader (static/js/fragments.js),
and load it when asked again once the server answers."""

import re

import pytest
from playwright.sync_api import expect

from assessments.services import assessment_create
from assessments.workflow import transition
from conftest import browser_login
from eligibility.tests.factories import make_eligible
from evidence.models import EvidenceItem
from reviews.tests.factories import in_review_with_expert, submitted_assessment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _page(browser, live_server, email):
    page = browser.new_context(base_url=live_server.url, viewport={"width": 1366, "height": 900}).new_page()
    browser_login(page, email)
    return page


def _failing(page, pattern):
    """Answers 500 to the requests matching `pattern` until `page.unroute_all()`."""
    page.route(pattern, lambda route: route.fulfill(status=500, body="Server error"))


def test_the_details_of_an_indicator_that_fail_to_load_say_so_and_load_on_retry(
    browser, live_server, area, site_manager, staff, expert
):
    assessment = submitted_assessment(area=area, manager=site_manager, staff=staff)
    in_review_with_expert(assessment, expert=expert, staff=staff)
    answer = assessment.answers.order_by("indicator__position").first()
    page = _page(browser, live_server, expert.email)
    page.goto(f"/reviews/assessments/{assessment.pk}/")

    # when the details fragment fails
    _failing(page, re.compile(r".*/indicators/\d+/details/$"))
    page.locator(f"#indicator-{answer.pk} details.row-details > summary").click()
    # then the indicator says so, with a way to try again
    note = page.locator(f"#details-{answer.pk} .js-details-error")
    expect(note).to_have_attribute("role", "alert")
    expect(note).to_contain_text("Could not load the evidence and questions of this indicator.")
    # a second failure says it once, not twice
    note.get_by_role("button", name="Retry").click()
    expect(note).to_have_count(1)
    expect(page.locator(f"#details-{answer.pk} .js-details-retry")).to_have_count(1)

    # when the server answers again, Retry loads them
    page.unroute_all()
    page.locator(f"#details-{answer.pk} .js-details-retry").click()
    expect(page.locator(f"#details-{answer.pk}")).to_have_attribute("data-loaded", "1")
    expect(page.locator(f"#details-{answer.pk} .js-details-error")).to_have_count(0)


def _linked_list_fails_then_loads(page, answer, title):
    _failing(page, re.compile(r".*/evidence/linked/$"))
    page.locator(f"#answer-{answer.pk} .js-show-all").click()
    note = page.locator(f"#answer-{answer.pk} .js-linked-error")
    expect(note).to_have_attribute("role", "alert")
    expect(note).to_contain_text("Could not load the linked evidence. Try again.")
    # the link is back as it was, to try again
    expect(page.locator(f"#answer-{answer.pk} .js-show-all")).not_to_have_attribute("data-loading", "1")
    page.unroute_all()
    page.locator(f"#answer-{answer.pk} .js-show-all").click()
    expect(page.locator(f'ul.linked-evidence[data-answer="{answer.pk}"] > li', has_text=title)).to_have_count(1)
    expect(page.locator(f"#answer-{answer.pk} .js-linked-error")).to_have_count(0)


def _link(assessment, answer, user, title):
    item = EvidenceItem.objects.create(
        assessment=assessment,
        title=title,
        file="t/minutes.pdf",
        original_filename="minutes.pdf",
        content_type="application/pdf",
        size=2048,
        uploaded_by=user,
    )
    answer.evidence.add(item)


def test_linked_evidence_that_fails_to_load_says_so_for_the_site_team_and_loads_again(
    browser, live_server, area, site_manager, staff
):
    from standards.tests.factories import load_gls

    load_gls()
    assessment = assessment_create(protected_area=area, user=site_manager, year=2026)
    make_eligible(assessment, staff=staff)
    transition(assessment, "candidate", by=staff, note="eligible")
    answer = assessment.answers.order_by("indicator__position").first()
    _link(assessment, answer, site_manager, "Board minutes 2025")
    page = _page(browser, live_server, site_manager.email)
    page.goto(f"/assessments/{assessment.pk}/")
    expect(page.locator(f"#answer-{answer.pk} form.js-answer-form")).to_be_visible()  # the site team's page
    _linked_list_fails_then_loads(page, answer, "Board minutes 2025")


def test_linked_evidence_that_fails_to_load_says_so_for_a_reader_and_loads_again(
    browser, live_server, area, site_manager, staff
):
    assessment = submitted_assessment(area=area, manager=site_manager, staff=staff)
    answer = assessment.answers.order_by("indicator__position").first()
    _link(assessment, answer, site_manager, "Board minutes 2025")
    page = _page(browser, live_server, staff.email)
    page.goto(f"/assessments/{assessment.pk}/")
    expect(page.locator(f"#answer-{answer.pk} form.js-answer-form")).to_have_count(0)  # read only
    _linked_list_fails_then_loads(page, answer, "Board minutes 2025")
