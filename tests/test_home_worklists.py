"""The home page as each role's worklist: what to do next, with a link that goes there (issue 15)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import DEFAULT_PASSWORD, Role, make_user
from assessments import services as assessment_services
from assessments.models import Answer
from assessments.workflow import transition
from eligibility.tests.factories import make_eligible
from evidence.choices import ProcessingStatus
from evidence.models import EvidenceItem
from protected_areas.tests.factories import ProtectedAreaFactory
from reviews import services as review_services
from reviews.tests.factories import make_standard, submitted_assessment

pytestmark = pytest.mark.django_db


def _home(client, user) -> str:
    client.login(username=user.email, password=DEFAULT_PASSWORD)
    return client.get("/").content.decode()


def _candidate(area, manager, staff, answered: int):
    assessment = assessment_services.assessment_create(protected_area=area, user=manager, year=2026)
    make_eligible(assessment, staff=staff)
    transition(assessment, "candidate", by=staff)
    for answer in Answer.objects.filter(assessment=assessment).order_by("indicator__position")[:answered]:
        assessment_services.answer_save(
            answer=answer,
            user=manager,
            expected_version=answer.version,
            changes={"rating": "meets", "justification": "Shown by the plan."},
        )
    return assessment


def test_a_site_manager_is_told_how_many_indicators_are_left_and_taken_to_the_next(client, area, site_manager, staff):
    make_standard(5)
    assessment = _candidate(area, site_manager, staff, answered=2)
    page = _home(client, site_manager)
    assert f"Continue {area.name}: 3 indicators left" in page
    assert f'href="/assessments/{assessment.pk}/#next-unanswered"' in page


def test_reviewers_questions_reach_the_site_team_home_and_nobody_elses(
    client, area, site_manager, other_manager, staff, jurisdiction
):
    assessment = submitted_assessment(area=area, manager=site_manager, staff=staff)
    review_services.review_start(assessment=assessment, by=staff)
    answer = Answer.objects.filter(assessment=assessment).order_by("indicator__position").first()
    req = review_services.information_request_create(
        assessment=assessment, answer=answer, by=staff, question="Please send the minutes of the 2025 board meeting."
    )
    page = _home(client, site_manager)
    assert "1 question from reviewers" in page
    assert "Please send the minutes of the 2025 board meeting." in page
    assert f'href="/reviews/assessments/{assessment.pk}/#request-{req.pk}"' in page
    client.logout()
    assert "minutes of the 2025 board" not in _home(client, other_manager)
    # once closed, it leaves the worklist
    review_services.information_request_close(request=req, by=staff)
    client.logout()
    assert "0 questions from reviewers" in _home(client, site_manager)


def test_staff_see_groups_to_form_decisions_due_and_failed_evidence(client, area, site_manager, staff):
    assessment = submitted_assessment(area=area, manager=site_manager, staff=staff)
    item = EvidenceItem.objects.filter(assessment=assessment).first()
    EvidenceItem.objects.filter(pk=item.pk).update(processing_status=ProcessingStatus.FAILED)
    page = _home(client, staff)
    assert "1 review group to form" in page
    assert f'href="/reviews/assessments/{assessment.pk}/manage/"' in page
    assert "1 evidence file could not be processed" in page and item.title in page
    assert "0 decisions due" in page


def test_a_keeper_sees_the_drafts_of_the_standard_and_others_do_not(client, staff):
    from standards import content
    from standards.models import Standard

    source = make_standard(2)
    draft = content.create_version(
        {**content.content_of(source), "standard": {**content.content_of(source)["standard"], "version": "9-draft"}},
        status=Standard.Status.DRAFT,
    )
    keeper = make_user(Role.STANDARD_COMMITTEE, email="keeper@example.org")
    assert f'href="/standard/versions/{draft.pk}/"' in _home(client, keeper)
    client.logout()
    assert f"/standard/versions/{draft.pk}/" not in _home(client, staff)


def test_the_site_managers_home_costs_the_same_queries_for_one_site_or_four(client, area, site_manager, staff):
    make_standard(4)
    _candidate(area, site_manager, staff, answered=1)
    client.login(username=site_manager.email, password=DEFAULT_PASSWORD)
    with CaptureQueriesContext(connection) as one:
        client.get("/")
    for _ in range(3):
        more = ProtectedAreaFactory()
        from accounts.services import role_grant

        role_grant(user=site_manager, role=Role.SITE_MANAGER, granted_by=None, protected_area=more)
        _candidate(more, site_manager, staff, answered=1)
    with CaptureQueriesContext(connection) as four:
        client.get("/")
    assert len(four) == len(one)


def test_the_assessment_page_shows_open_questions_beside_their_indicator_to_the_site_team(
    client, area, site_manager, other_manager, staff, jurisdiction
):
    assessment = submitted_assessment(area=area, manager=site_manager, staff=staff)
    review_services.review_start(assessment=assessment, by=staff)
    answer = Answer.objects.filter(assessment=assessment).order_by("indicator__position").last()
    req = review_services.information_request_create(
        assessment=assessment, answer=answer, by=staff, question="Which year is the visitor survey from?"
    )
    client.login(username=site_manager.email, password=DEFAULT_PASSWORD)
    page = client.get(f"/assessments/{assessment.pk}/").content.decode()
    assert "1 question from reviewers is waiting for an answer:" in page
    assert f'href="#answer-{answer.pk}"' in page
    # beside the indicator: the question and the way to answer it
    block = page[page.index(f'id="answer-{answer.pk}"') :]
    assert "Which year is the visitor survey from?" in block[: block.index('<div class="answer">')]
    assert f"/reviews/assessments/{assessment.pk}/#request-{req.pk}" in block
    # answered questions leave the page's list
    review_services.information_reply_create(request=req, by=site_manager, text="2025.")
    assert "Which year is the visitor survey" not in client.get(f"/assessments/{assessment.pk}/").content.decode()
