"""Issue 15's "Done means": a reviewer asks for the minutes, and the site team answers with the file,
starting from its home page, on a phone, in French; the reviewer then opens the file from the thread."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import browser_login, open_indicator_details
from evidence.models import EvidenceItem
from reviews import services
from reviews.models import InformationRequest
from reviews.tests.factories import PNG, submitted_assessment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_reviewer_asks_for_minutes_and_the_site_answers_with_the_file_from_its_home_page(
    browser, live_server, area, site_manager, staff, expert, jurisdiction, tmp_path
):
    assessment = submitted_assessment(area=area, manager=site_manager, staff=staff)
    services.review_start(assessment=assessment, by=staff)
    seat = services.assignment_create(
        assessment=assessment,
        assignee=expert,
        role="expert",
        due_date=timezone.localdate() + datetime.timedelta(days=20),
        by=staff,
    )
    services.conflict_declare(assignment=seat, by=expert, has_conflict=False)
    answer = assessment.answers.order_by("indicator__position").first()

    # the expert asks, in the review page
    reviewer = browser.new_context(base_url=live_server.url, viewport={"width": 1366, "height": 900}).new_page()
    browser_login(reviewer, expert.email)
    reviewer.goto(f"/reviews/assessments/{assessment.pk}/")
    row = reviewer.locator(f"#indicator-{answer.pk}")
    open_indicator_details(reviewer, answer.pk, ask=True)
    row.locator("textarea[name=question]").fill("Please send the minutes of the last advisory board meeting.")
    row.locator("form").filter(has=reviewer.locator("textarea[name=question]")).get_by_role("button").click()
    expect(row.locator(".message-near")).to_be_visible()
    req = InformationRequest.objects.get(answer=answer)

    # the site manager, on a phone in French, sees it on the home page and answers with the file
    phone = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844}).new_page()
    browser_login(phone, site_manager.email)
    phone.context.add_cookies([{"name": "django_language", "value": "fr", "url": live_server.url}])
    phone.goto("/")
    expect(phone.locator("html")).to_have_attribute("lang", "fr")
    expect(phone.locator("#questions")).to_contain_text("advisory board")
    phone.locator("#questions").get_by_role("link").first.click()
    minutes = tmp_path / "minutes-2026-03.png"
    minutes.write_bytes(PNG)
    thread = phone.locator(f"#request-{req.pk}")
    thread.locator("textarea[name=text]").fill("Voici le procès-verbal de mars 2026.")
    thread.locator("input[type=file]").set_input_files(str(minutes))
    thread.locator("input[name=file_title]").fill("Procès-verbal, mars 2026")
    thread.get_by_role("button", name="Envoyer").click()
    expect(phone.locator(f"#request-{req.pk}")).to_contain_text("Procès-verbal, mars 2026")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    item = EvidenceItem.objects.get(title="Procès-verbal, mars 2026")
    req.refresh_from_db()
    assert req.status == "answered" and item.assessment_id == assessment.pk

    # the reviewer sees the answer and its file in the thread
    reviewer.reload()
    open_indicator_details(reviewer, answer.pk)
    link = reviewer.locator(f"#request-{req.pk}").get_by_role("link", name="Procès-verbal, mars 2026")
    expect(link).to_be_visible()
