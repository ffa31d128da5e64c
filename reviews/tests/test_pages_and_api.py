import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import Role, make_user
from assessments.choices import Status
from reviews import services
from reviews.models import GroupFinding, IndicatorReview, ReviewAssignment
from reviews.tests.factories import answers_of, submitted_assessment

pytestmark = pytest.mark.django_db


def _reviewed_assessment(area, manager, staff, expert, reviewer, due, n_indicators, evidence_per_indicator):
    assessment = submitted_assessment(
        area=area,
        manager=manager,
        staff=staff,
        n_indicators=n_indicators,
        evidence_per_indicator=evidence_per_indicator,
    )
    services.review_start(assessment=assessment, by=staff)
    for person, role in ((expert, "expert"), (reviewer, "independent_reviewer")):
        a = services.assignment_create(assessment=assessment, assignee=person, role=role, due_date=due, by=staff)
        services.conflict_declare(assignment=a, by=person, has_conflict=False)
    for answer in answers_of(assessment):
        services.indicator_review_save(assessment=assessment, answer=answer, by=expert, rating="meets", shared=True)
        services.group_finding_save(assessment=assessment, answer=answer, by=expert, rating="meets", finding="ok")
        req = services.information_request_create(assessment=assessment, answer=answer, by=expert, question="Q?")
        services.information_reply_create(request=req, by=manager, text="A.")
    return assessment


def _count(client, user, assessment) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("reviews:review", args=[assessment.pk]))
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_review_page_query_count_does_not_grow_with_indicators_and_evidence(
    client, area, other_area, jurisdiction, staff, expert, reviewer, due
):
    from standards.models import Jurisdiction

    Jurisdiction.objects.filter(pk=jurisdiction.pk).update(countries=["VNM", "LAO"])
    manager_a = make_user(Role.SITE_MANAGER, email="a@example.org", protected_area=area)
    manager_b = make_user(Role.SITE_MANAGER, email="b@example.org", protected_area=other_area)
    small = _reviewed_assessment(area, manager_a, staff, expert, reviewer, due, 2, 1)
    large = _reviewed_assessment(other_area, manager_b, staff, expert, reviewer, due, 12, 3)
    for user in (expert, reviewer, staff):
        assert _count(client, user, small) == _count(client, user, large), user
    assert _count(client, manager_a, small) == _count(client, manager_b, large)
    # 21: the page's tag for conditional requests (core.freshness, issue 17)
    assert _count(client, expert, large) <= 21


def test_a_refused_review_form_keeps_what_was_typed(client, team, expert):
    assessment = team["assessment"]
    answer = answers_of(assessment)[0]
    client.force_login(expert)
    url = reverse("reviews:indicator", args=[assessment.pk, answer.pk, "review"])
    response = client.post(url, {"rating": "superb", "finding": "A long careful finding I must not lose."})
    assert response.status_code == 400
    body = response.content.decode()
    assert "A long careful finding I must not lose." in body
    assert "is not a rating on this Standard" in body
    assert not IndicatorReview.objects.exists()
    ok = client.post(url, {"rating": "meets", "finding": "Fine.", "shared": "1"})
    assert ok.status_code == 302 and ok["Location"].endswith(f"#indicator-{answer.pk}")
    assert IndicatorReview.objects.get().shared is True


def _summary(body: str) -> str:
    """The review page header's counts, as read (tags and extra spaces left out)."""
    summary = re.search(r'<ul class="review-counts".*?</ul>', body, re.S).group(0)
    summary = re.sub(r"<li[^>]* hidden>.*?</li>", "", summary, flags=re.S)  # not shown
    return " ".join(re.sub(r"<[^>]+>", " ", summary).split())


def test_without_script_the_header_counts_follow_a_save_and_a_question(client, team, expert):
    assessment = team["assessment"]
    answer = answers_of(assessment)[1]
    client.force_login(expert)
    page = reverse("reviews:review", args=[assessment.pk])
    before = client.get(page)
    assert "0 / 3 reviewed by you" in _summary(before.content.decode())
    # a plain form post, then the page it redirects to (the browser asks again with the tag it had)
    review = reverse("reviews:indicator", args=[assessment.pk, answer.pk, "review"])
    client.post(review, {"rating": "does_not_meet", "finding": "No plan.", "shared": "1"})
    ask = reverse("reviews:indicator", args=[assessment.pk, answer.pk, "ask"])
    client.post(ask, {"question": "Where is the plan?"})
    after = client.get(page, headers={"if-none-match": before["ETag"]})
    assert after.status_code == 200
    assert _summary(after.content.decode()).startswith("1 / 3 reviewed by you 1 disagreeing 1 unmet 1 open")
    # the words agree with the count: one question, not "1 open questions"
    assert "0 open questions" in _summary(before.content.decode())
    assert _summary(after.content.decode()).endswith("1 open question")
    assert after.content.decode().count('data-open="1"') == 1


def test_the_header_says_which_open_questions_the_site_has_answered(client, team, expert, site_manager):
    # given two questions to the site, one of them answered (open until the expert closes it)
    assessment = team["assessment"]
    first, second = answers_of(assessment)[:2]
    asked = services.information_request_create(assessment=assessment, answer=first, by=expert, question="Plan?")
    services.information_request_create(assessment=assessment, answer=second, by=expert, question="Map?")
    page = reverse("reviews:review", args=[assessment.pk])
    client.force_login(expert)
    summary = _summary(client.get(page).content.decode())
    assert summary.endswith("2 open questions"), summary
    services.information_reply_create(request=asked, by=site_manager, text="Adopted in May.")
    # then the header says both are open and one of them waits on the reviewers
    body = client.get(page).content.decode()
    assert _summary(body).endswith("2 open questions 1 answered by the site, to close"), _summary(body)
    assert body.count('data-answered="1"') == 1
    # once closed, the answered one is neither open nor waiting, and its line is hidden
    services.information_request_close(request=asked, by=expert)
    body = client.get(page).content.decode()
    assert "1 open question" in _summary(body)
    assert re.search(r'<li data-hide-zero hidden><strong data-count="answered">0</strong>', body)


def test_recommend_page_shows_the_unreviewed_indicators(client, team, expert):
    client.force_login(expert)
    response = client.post(
        reverse("reviews:recommend", args=[team["assessment"].pk]), {"outcome": "recommend", "reasons": "Looks good."}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'data-code="indicators_unreviewed"' in body and "1.1.1, 1.1.2, 1.1.3" in body
    assert "Looks good." in body


def test_review_page_filters_and_flags(client, team, expert):
    assessment = team["assessment"]
    answer = answers_of(assessment)[1]
    services.indicator_review_save(assessment=assessment, answer=answer, by=expert, rating="does_not_meet")
    client.force_login(expert)
    body = client.get(reverse("reviews:review", args=[assessment.pk])).content.decode()
    assert body.count('data-disagree="1"') == 1 and body.count('data-reviewed="1"') == 1
    assert 'name="filter" value="unmet"' in body and "js/review.js" in body
    assert "<svg" in body and "site-boundary" in body


def test_api_journey(api_client, assessment, staff, expert, second_expert, reviewer, site_manager, due):
    # staff assign
    api_client.force_authenticate(staff)
    ids = {}
    for person, role in ((expert, "expert"), (second_expert, "expert"), (reviewer, "independent_reviewer")):
        r = api_client.post(
            "/api/v1/review-assignments/",
            {"assessment": assessment.pk, "user": person.pk, "role": role, "due_date": str(due)},
            format="json",
        )
        assert r.status_code == 201, r.content
        ids[person.pk] = r.json()["id"]
    bad = api_client.post(
        "/api/v1/review-assignments/",
        {"assessment": assessment.pk, "user": expert.pk, "role": "expert", "due_date": str(due)},
        format="json",
    )
    assert bad.status_code == 409 and bad.json()["code"] == "assignee_already_assigned"
    r = api_client.post(f"/api/v1/review-assessments/{assessment.pk}/phase/", {"action": "start"}, format="json")
    assert r.json()["status"] == Status.IN_REVIEW
    # declarations
    api_client.force_authenticate(second_expert)
    r = api_client.post(
        f"/api/v1/review-assignments/{ids[second_expert.pk]}/declare/",
        {"has_conflict": True, "note": "Former employer."},
        format="json",
    )
    assert r.json()["coi_status"] == "conflict" and r.json()["warnings"] == []
    assert api_client.get(f"/api/v1/review-assessments/{assessment.pk}/indicators/").status_code == 404
    for person in (expert, reviewer):
        api_client.force_authenticate(person)
        r = api_client.post(
            f"/api/v1/review-assignments/{ids[person.pk]}/declare/", {"has_conflict": False}, format="json"
        )
        assert r.status_code == 200
    # the expert reviews
    api_client.force_authenticate(expert)
    base = f"/api/v1/review-assessments/{assessment.pk}"
    rows = api_client.get(f"{base}/indicators/").json()["results"]
    assert len(rows) == 3 and rows[0]["evidence"][0]["download_url"].startswith("/api/v1/evidence/")
    r = api_client.post(f"{base}/indicator-reviews/", {"answer": rows[0]["answer"], "rating": "great"}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "review_rating_invalid"
    r = api_client.post(f"{base}/recommendation/", {"outcome": "recommend", "reasons": "x"}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "indicators_unreviewed"
    assert r.json()["indicators"] == ["1.1.1", "1.1.2", "1.1.3"]
    for row in rows:
        r = api_client.post(
            f"{base}/indicator-reviews/", {"answer": row["answer"], "rating": "meets", "shared": True}, format="json"
        )
        assert r.status_code == 200 and r.json()["expert"] == expert.email
        r = api_client.post(
            f"{base}/findings/", {"answer": row["answer"], "rating": "meets", "finding": "Met."}, format="json"
        )
        assert r.status_code == 200
    q = api_client.post(f"{base}/requests/", {"answer": rows[0]["answer"], "question": "Minutes?"}, format="json")
    assert q.status_code == 201
    # the site answers; nobody else's assignment is visible to them
    api_client.force_authenticate(site_manager)
    r = api_client.post(f"/api/v1/information-requests/{q.json()['id']}/replies/", {"text": "Attached."}, format="json")
    assert r.status_code == 201
    assert api_client.get(f"{base}/findings/").json()["results"] == []  # not released
    # recommend and confirm
    api_client.force_authenticate(expert)
    r = api_client.post(f"{base}/recommendation/", {"outcome": "recommend", "reasons": "All met."}, format="json")
    assert r.status_code == 200 and r.json()["reviewer_decision"] == "pending"
    api_client.force_authenticate(reviewer)
    r = api_client.post(f"{base}/confirm/", {"confirmed": True}, format="json")
    assert r.status_code == 200 and r.json()["reviewer_decision"] == "confirmed"
    assessment.refresh_from_db()
    assert assessment.status == Status.RECOMMENDED
    # staff release, site sees findings; staff see warnings and agreement
    api_client.force_authenticate(staff)
    api_client.post(f"{base}/phase/", {"action": "release"}, format="json")
    listing = api_client.get(f"/api/v1/review-assignments/?assessment={assessment.pk}").json()
    assert {row["coi_status"] for row in listing["results"]} == {"conflict", "no_conflict"}
    agreement = api_client.get("/api/v1/review-agreement/").json()
    assert agreement["per_expert"][0]["site_percent"] == 100
    api_client.force_authenticate(site_manager)
    assert [f["finding"] for f in api_client.get(f"{base}/findings/").json()["results"]] == ["Met."] * 3
    assert GroupFinding.objects.count() == 3
    assert ReviewAssignment.objects.count() == 3


def test_api_bad_bodies_get_clear_errors(api_client, team, expert):
    base = f"/api/v1/review-assessments/{team['assessment'].pk}"
    api_client.force_authenticate(expert)
    r = api_client.post(f"{base}/indicator-reviews/", {"answer": "abc"}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "invalid"
    r = api_client.post(f"{base}/indicator-reviews/", {"answer": 999999, "rating": "meets"}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "indicator_not_in_assessment"
    r = api_client.post(
        f"{base}/requests/", {"answer": answers_of(team["assessment"])[0].pk, "question": ""}, format="json"
    )
    assert r.status_code == 400 and r.json()["code"] == "review_text_required"
    r = api_client.get("/api/v1/review-assignments/?assessment=abc")
    assert r.status_code == 400


def test_the_assignments_filter_refuses_a_superscript_digit(api_client, staff):
    """'²'.isdigit() is true but int('²') fails: a clear 400 on `assessment`, not a 500."""
    api_client.force_authenticate(staff)
    response = api_client.get("/api/v1/review-assignments/", {"assessment": "²"})
    assert response.status_code == 400 and response.json()["field"] == "assessment"
