"""In review → recommended / not recommended: only the review path (the group's recommendation,
confirmed by the assigned independent reviewer) gets there. The workflow itself refuses every
other way, IUCN staff included, whether through the service, the page or the API."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from assessments import error_codes
from assessments.choices import Status
from assessments.models import Assessment, AssessmentTransition
from assessments.tests.helpers import fill_all
from assessments.workflow import available_moves, transition
from audit.models import AuditEvent
from core.errors import Conflict, NotAllowed
from reviews import services as review
from reviews.models import AssessmentReview
from reviews.tests.helpers import review_to_conclusion

pytestmark = pytest.mark.django_db

CONCLUSIONS = [Status.RECOMMENDED, Status.NOT_RECOMMENDED]


@pytest.fixture
def in_review(assessment, site_manager, staff, jurisdiction):
    fill_all(assessment, site_manager)
    transition(assessment, Status.SUBMITTED, by=site_manager)
    review.review_start(assessment=assessment, by=staff)
    return assessment


@pytest.fixture
def seats(in_review, staff, expert, reviewer):
    """The expert and the independent reviewer assigned, both without conflict."""
    due = timezone.localdate() + datetime.timedelta(days=30)
    for person, role in ((expert, "expert"), (reviewer, "independent_reviewer")):
        seat = review.assignment_create(assessment=in_review, assignee=person, role=role, due_date=due, by=staff)
        review.conflict_declare(assignment=seat, by=person, has_conflict=False)
    return in_review


def _all_findings(assessment, expert):
    for answer in assessment.answers.all():
        review.group_finding_save(assessment=assessment, answer=answer, by=expert, rating="meets", finding="Met.")


def unchanged(assessment) -> bool:
    return (
        Assessment.objects.get(pk=assessment.pk).status == Status.IN_REVIEW
        and not AssessmentTransition.objects.filter(assessment=assessment, to_status__in=CONCLUSIONS).exists()
        and not AuditEvent.objects.filter(action="assessment.transition", data__to__in=CONCLUSIONS).exists()
    )


@pytest.mark.parametrize("to", CONCLUSIONS)
def test_staff_cannot_conclude_a_review_themselves(in_review, staff, admin_user, to):
    # given an assessment in review, no recommendation made
    for person in (staff, admin_user):
        # when IUCN staff (or an administrator) try to conclude it through the workflow
        with pytest.raises(NotAllowed) as err:
            transition(in_review, to, by=person, note="shortcut")
        # then they are refused and nothing changes
        assert err.value.code == error_codes.TRANSITION_ROLE
        assert to not in [m.target for m in available_moves(in_review, person)]
    assert unchanged(in_review)


def test_staff_are_refused_even_with_a_confirmed_recommendation_on_file(seats, staff, expert):
    # given the group recommended and the row says confirmed (as if the reviewer had just confirmed)
    _all_findings(seats, expert)
    review.recommendation_make(assessment=seats, by=expert, outcome="recommend", reasons="All met.")
    AssessmentReview.objects.filter(assessment=seats).update(reviewer_decision="confirmed")
    # when staff make the move, then it is still only the reviewer's
    with pytest.raises(NotAllowed):
        transition(seats, Status.RECOMMENDED, by=staff)
    assert unchanged(seats)


def test_staff_are_refused_on_the_page(client, in_review, staff):
    client.force_login(staff)
    # the page offers them no button for it
    page = client.get(reverse("assessments:detail", args=[in_review.pk])).content.decode()
    assert 'value="recommended"' not in page and 'value="not_recommended"' not in page
    # and a crafted POST is refused with the rule's reason and changes nothing. (How the page
    # answers a refused role, a 403 or a redirect back with the message, is the pages' convention,
    # core.middleware.NotAllowedMiddleware; either way never the success message.)
    for to in CONCLUSIONS:
        response = client.post(reverse("assessments:transition", args=[in_review.pk]), {"to": to, "note": "x"})
        if response.status_code == 403:
            shown = [response.content.decode()]
        else:
            assert response.status_code == 302 and response["Location"] == in_review.get_absolute_url()
            shown = [m.message for m in get_messages(response.wsgi_request)]
        assert any("You may not move this assessment" in m for m in shown), shown
    assert unchanged(in_review)


def test_staff_are_refused_on_the_api(api_client, in_review, staff):
    api_client.force_authenticate(staff)
    url = reverse("assessment-transition-list", args=[in_review.pk])
    for to in CONCLUSIONS:
        response = api_client.post(url, {"to": to, "note": "shortcut"}, format="json")
        assert response.status_code == 403, response.content
        assert response.json()["code"] == error_codes.TRANSITION_ROLE
    assert unchanged(in_review)


def test_the_reviewer_needs_the_groups_recommendation_confirmed(seats, expert, reviewer, api_client):
    # no recommendation yet
    with pytest.raises(Conflict) as err:
        transition(seats, Status.RECOMMENDED, by=reviewer)
    assert err.value.code == error_codes.REVIEW_NOT_CONFIRMED
    # the group recommended; the reviewer has not confirmed (not through the API either)
    _all_findings(seats, expert)
    review.recommendation_make(assessment=seats, by=expert, outcome="recommend", reasons="All met.")
    with pytest.raises(Conflict) as err:
        transition(seats, Status.RECOMMENDED, by=reviewer)
    assert err.value.code == error_codes.REVIEW_NOT_CONFIRMED
    api_client.force_authenticate(reviewer)
    response = api_client.post(
        reverse("assessment-transition-list", args=[seats.pk]), {"to": "recommended"}, format="json"
    )
    assert response.status_code == 409 and response.json()["code"] == error_codes.REVIEW_NOT_CONFIRMED
    # the reviewer returned it to the group: still not confirmed
    review.process_confirm(assessment=seats, by=reviewer, confirmed=False, note="No site visit.")
    with pytest.raises(Conflict) as err:
        transition(seats, Status.RECOMMENDED, by=reviewer)
    assert err.value.code == error_codes.REVIEW_NOT_CONFIRMED
    # the expert never concludes it
    with pytest.raises(NotAllowed):
        transition(seats, Status.RECOMMENDED, by=expert)
    # and the page offers the reviewer no such button (they confirm on the review page)
    assert not [m for m in available_moves(seats, reviewer) if m.target in CONCLUSIONS]
    assert unchanged(seats)


def test_the_move_must_match_the_confirmed_recommendation(seats, expert, reviewer):
    # given a confirmed "not yet" (the row set directly: the service would have moved it already)
    _all_findings(seats, expert)
    review.recommendation_make(assessment=seats, by=expert, outcome="not_yet", reasons="Gaps.")
    AssessmentReview.objects.filter(assessment=seats).update(reviewer_decision="confirmed")
    with pytest.raises(Conflict) as err:
        transition(seats, Status.RECOMMENDED, by=reviewer)
    assert err.value.code == error_codes.REVIEW_OUTCOME_MISMATCH
    assert unchanged(seats)
    transition(seats, Status.NOT_RECOMMENDED, by=reviewer)
    assert Assessment.objects.get(pk=seats.pk).status == Status.NOT_RECOMMENDED


@pytest.mark.parametrize(("outcome", "phase"), [("recommend", "recommended"), ("not_recommend", "not_recommended")])
def test_the_review_path_concludes_it(in_review, staff, outcome, phase):
    summary = review_to_conclusion(in_review, staff=staff, outcome=outcome)
    assert in_review.status == phase
    last = AssessmentTransition.objects.filter(assessment=in_review).latest("id")
    assert (last.from_status, last.to_status, last.by_id) == ("in_review", phase, summary.reviewer_id)
    assert summary.reviewer_decision == "confirmed"
