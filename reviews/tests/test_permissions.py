"""Who sees an assessment under review: its site team, staff, and assigned reviewers who declared no
conflict. Everyone else gets 404 (they need not know it exists), on pages and in the API."""

import pytest
from django.urls import reverse

from accounts.tests.factories import Role, make_user
from evidence.models import EvidenceItem
from reviews import services
from reviews.models import AssessmentReview, GroupFinding, IndicatorReview, InformationReply, InformationRequest
from reviews.tests.factories import answers_of
from reviews.tests.helpers import review_page_with_details

pytestmark = pytest.mark.django_db

REFUSED = ["outsider", "unassigned_expert", "conflicted_expert", "undeclared_expert", "other_manager"]


@pytest.fixture
def world(team, expert, assign, jurisdiction, outsider, unassigned_expert, second_expert, other_manager):
    assessment = team["assessment"]
    undeclared = make_user(Role.EXPERT, email="undeclared@example.org", jurisdiction=jurisdiction)
    assign(assessment, undeclared, declare=None)
    answer = answers_of(assessment)[0]
    req = services.information_request_create(assessment=assessment, answer=answer, by=expert, question="Why?")
    return {
        "assessment": assessment,
        "answer": answer,
        "request": req,
        "people": {
            "outsider": outsider,
            "unassigned_expert": unassigned_expert,
            "conflicted_expert": second_expert,
            "undeclared_expert": undeclared,
            "other_manager": other_manager,
        },
    }


def _page_requests(w):
    a, ans, req = w["assessment"].pk, w["answer"].pk, w["request"].pk
    return [
        ("get", reverse("reviews:review", args=[a]), {}),
        ("get", reverse("reviews:manage", args=[a]), {}),
        ("post", reverse("reviews:indicator", args=[a, ans, "review"]), {"rating": "meets", "finding": "x"}),
        ("post", reverse("reviews:indicator", args=[a, ans, "finding"]), {"rating": "meets", "finding": "x"}),
        ("post", reverse("reviews:indicator", args=[a, ans, "ask"]), {"question": "x"}),
        ("post", reverse("reviews:share", args=[a]), {}),
        ("post", reverse("reviews:recommend", args=[a]), {"outcome": "recommend", "reasons": "x"}),
        ("post", reverse("reviews:confirm", args=[a]), {"decision": "confirm"}),
        ("post", reverse("reviews:phase", args=[a, "release"]), {}),
        ("post", reverse("reviews:request-reply", args=[req]), {"text": "x"}),
        ("post", reverse("reviews:request-close", args=[req]), {}),
    ]


def _api_requests(w):
    a, ans, req = w["assessment"].pk, w["answer"].pk, w["request"].pk
    base = f"/api/v1/review-assessments/{a}"
    return [
        ("get", f"{base}/indicators/", None),
        ("get", f"{base}/indicator-reviews/", None),
        ("get", f"{base}/findings/", None),
        ("get", f"{base}/requests/", None),
        ("get", f"{base}/recommendation/", None),
        ("post", f"{base}/indicator-reviews/", {"answer": ans, "rating": "meets"}),
        ("post", f"{base}/findings/", {"answer": ans, "rating": "meets", "finding": "x"}),
        ("post", f"{base}/requests/", {"answer": ans, "question": "x"}),
        ("post", f"{base}/recommendation/", {"outcome": "recommend", "reasons": "x"}),
        ("post", f"{base}/confirm/", {"confirmed": True}),
        ("post", f"{base}/phase/", {"action": "release"}),
        ("post", f"/api/v1/information-requests/{req}/replies/", {"text": "x"}),
        ("post", f"/api/v1/information-requests/{req}/close/", {}),
    ]


def _nothing_written(w):
    assert not IndicatorReview.objects.exists()
    assert not GroupFinding.objects.exists()
    assert InformationRequest.objects.count() == 1
    assert not InformationReply.objects.exists()


@pytest.mark.parametrize("who", REFUSED)
def test_pages_are_404_for_people_without_a_cleared_assignment(client, world, who):
    client.force_login(world["people"][who])
    for method, url, data in _page_requests(world):
        response = getattr(client, method)(url, data)
        assert response.status_code == 404, (who, method, url)
    _nothing_written(world)


@pytest.mark.parametrize("who", REFUSED)
def test_api_is_404_for_people_without_a_cleared_assignment(api_client, world, who):
    api_client.force_authenticate(world["people"][who])
    for method, url, data in _api_requests(world):
        response = getattr(api_client, method)(url, data, format="json")
        assert response.status_code == 404, (who, method, url, response.content)
        assert response.json()["code"] == "not_found"
    _nothing_written(world)


@pytest.mark.parametrize("who", REFUSED)
def test_evidence_files_stay_hidden(client, world, who):
    item = EvidenceItem.objects.filter(assessment=world["assessment"]).first()
    client.force_login(world["people"][who])
    assert client.get(reverse("evidence:download", args=[item.pk])).status_code == 404


def test_cleared_reviewers_site_team_and_staff_see_the_review_page(
    client, world, expert, reviewer, site_manager, staff
):
    item = EvidenceItem.objects.filter(assessment=world["assessment"]).first()
    for person in (expert, reviewer, site_manager, staff):
        client.force_login(person)
        assert client.get(reverse("reviews:review", args=[world["assessment"].pk])).status_code == 200, person
        assert client.get(reverse("evidence:download", args=[item.pk])).status_code == 200, person


def test_site_team_only_evidence_is_not_shown_to_reviewers(client, world, expert, site_manager):
    EvidenceItem.objects.filter(assessment=world["assessment"]).update(sensitivity="site_team")
    client.force_login(expert)
    page = review_page_with_details(client, world["assessment"])
    assert "Photo 1.1.1" not in page
    client.force_login(site_manager)
    page = review_page_with_details(client, world["assessment"])
    assert "Photo 1.1.1" in page


def test_unknown_objects_are_404(client, api_client, expert, staff):
    client.force_login(staff)
    for url in (
        reverse("reviews:review", args=[999999]),
        reverse("reviews:manage", args=[999999]),
        reverse("reviews:declare", args=[999999]),
    ):
        assert client.get(url).status_code == 404
    api_client.force_authenticate(staff)
    assert api_client.get("/api/v1/review-assessments/999999/indicators/").status_code == 404
    assert api_client.get("/api/v1/review-assignments/999999/").status_code == 404
    assert api_client.post("/api/v1/information-requests/999999/close/").status_code == 404


def test_someone_elses_assignment_is_404(client, api_client, world, team, outsider, unassigned_expert):
    own = team["expert"]
    for person in (outsider, unassigned_expert):
        client.force_login(person)
        assert client.get(reverse("reviews:declare", args=[own.pk])).status_code == 404
        api_client.force_authenticate(person)
        assert api_client.get(f"/api/v1/review-assignments/{own.pk}/").status_code == 404
        response = api_client.post(f"/api/v1/review-assignments/{own.pk}/declare/", {"has_conflict": False})
        assert response.status_code == 404


def test_anonymous_people_are_sent_to_log_in(client, api_client, world):
    response = client.get(reverse("reviews:review", args=[world["assessment"].pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert api_client.get(f"/api/v1/review-assessments/{world['assessment'].pk}/indicators/").status_code in (401, 403)


def test_site_team_sees_questions_but_not_expert_reviews_or_unreleased_findings(client, world, expert, site_manager):
    assessment = world["assessment"]
    services.indicator_review_save(
        assessment=assessment,
        answer=world["answer"],
        by=expert,
        rating="does_not_meet",
        finding="SECRET-DRAFT",
        shared=True,
    )
    services.group_finding_save(
        assessment=assessment, answer=world["answer"], by=expert, rating="does_not_meet", finding="GROUP-FINDING"
    )
    client.force_login(site_manager)
    page = review_page_with_details(client, assessment)
    assert "Why?" in page
    assert "SECRET-DRAFT" not in page and "GROUP-FINDING" not in page
    # nor in the indicator's own page
    page = client.get(reverse("reviews:indicator-page", args=[assessment.pk, world["answer"].pk])).content.decode()
    assert "Why?" in page
    assert "SECRET-DRAFT" not in page and "GROUP-FINDING" not in page


def test_the_groups_chair_manages_assignments_but_ordinary_experts_do_not(
    client, api_client, world, chair, expert, unassigned_expert, due
):
    assessment = world["assessment"]
    url = reverse("reviews:manage", args=[assessment.pk])
    client.force_login(chair)
    page = client.get(url)
    assert page.status_code == 200
    assert "Send back to the site" not in page.content.decode()  # phase moves stay with staff
    # Releasing findings is for staff: the chair sees the page but is refused (403, with the reason).
    released = client.post(reverse("reviews:phase", args=[assessment.pk, "release"]))
    assert released.status_code == 403 and "Only IUCN staff release findings" in released.content.decode()
    assert not AssessmentReview.objects.filter(findings_released_at__isnull=False).exists()
    api_client.force_authenticate(chair)
    r = api_client.post(
        "/api/v1/review-assignments/",
        {"assessment": assessment.pk, "user": unassigned_expert.pk, "role": "expert", "due_date": str(due)},
        format="json",
    )
    assert r.status_code == 201
    assert r.json()["warnings"] == []  # automatic warnings are for staff
    client.force_login(expert)
    assert client.get(url).status_code == 404


def test_people_on_the_review_who_may_not_take_an_action_get_403_with_the_reason(
    client, world, expert, reviewer, site_manager
):
    # given people who see the review page but whose role does not allow these actions
    a = world["assessment"]
    refused = [
        (site_manager, reverse("reviews:share", args=[a.pk]), {}, "not assigned as an expert"),
        (reviewer, reverse("reviews:request-close", args=[world["request"].pk]), {}, "Only the person who asked"),
        # the confirmation is refused before its form is read (no "decision" sent here)
        (expert, reverse("reviews:confirm", args=[a.pk]), {}, "Only the assigned independent reviewer"),
        (site_manager, reverse("reviews:indicator", args=[a.pk, world["answer"].pk, "review"]), {}, "not assigned"),
    ]
    for user, url, data, reason in refused:
        client.force_login(user)
        assert client.get(reverse("reviews:review", args=[a.pk])).status_code == 200
        # when they post, then the answer is 403 saying why, not a redirect or a form error
        response = client.post(url, data)
        assert response.status_code == 403, (user, url, response.status_code)
        assert reason in response.content.decode(), (user, url)
    # and nothing changed
    world["request"].refresh_from_db()
    assert world["request"].status == "open"
    assert not AssessmentReview.objects.filter(assessment=a).exclude(reviewer_decision="pending").exists()


def test_the_reviewer_sending_an_incomplete_confirmation_gets_a_form_error_not_403(client, world, reviewer):
    # given the assigned independent reviewer, who may confirm
    client.force_login(reviewer)
    # when the form lacks the decision, then it is a 400 about the form
    response = client.post(reverse("reviews:confirm", args=[world["assessment"].pk]), {})
    assert response.status_code == 400
