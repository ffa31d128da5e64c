"""Bad input the red team sent (issue 12) gets a clear 400 (or the 404 of a page out of range),
never a 500: JSON nested 100,000 deep, page numbers too large for the database."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments.models import Answer
from assessments.services import assessment_create
from assessments.workflow import transition
from eligibility.tests.factories import make_eligible
from evidence.services import evidence_upload
from reviews.tests.factories import make_standard

HUGE_PAGES = ["99999999999999999999", "9223372036854775808", "1e400", "-1", "0", "abc", "1.5", "٣"]


@pytest.fixture
def candidate(area, site_manager, staff):
    make_standard(2)
    assessment = assessment_create(protected_area=area, user=site_manager, year=2026)
    make_eligible(assessment, staff=staff)
    transition(assessment, "candidate", by=staff)
    evidence_upload(assessment=assessment, user=site_manager, file=SimpleUploadedFile("a.txt", b"a"), title="Survey")
    return assessment


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


# --- JSON nested too deep -------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("depth", [100_000, 2_000, 65])
def test_deeply_nested_json_is_a_400_with_its_own_code(api_client, candidate, site_manager, depth):
    # given a site manager saving an answer; when the body is JSON nested far too deep
    answer = Answer.objects.filter(assessment=candidate).first()
    api_client.force_authenticate(site_manager)
    url = reverse("assessment-answer-detail", args=[candidate.pk, answer.pk])
    body = '{"version": 1, "evidence": ' + _nested(depth) + "}"
    response = api_client.generic("PATCH", url, body, content_type="application/json")

    # then a 400 that says why, and nothing saved
    assert response.status_code == 400, response.content[:300]
    assert response.json()["code"] == "json_too_deep"
    assert "64" in response.json()["detail"]
    answer.refresh_from_db()
    assert answer.version == 1


@pytest.mark.django_db
def test_deeply_nested_json_is_refused_by_views_that_name_their_parsers(api_client, candidate, site_manager):
    # The evidence upload lists its parsers itself (multipart first, JSON too).
    api_client.force_authenticate(site_manager)
    url = reverse("assessment-evidence-list", args=[candidate.pk])
    response = api_client.generic("POST", url, '{"title": ' + _nested(100_000) + "}", content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "json_too_deep"


@pytest.mark.django_db
def test_json_within_the_depth_limit_is_still_read(api_client, candidate, site_manager):
    answer = Answer.objects.filter(assessment=candidate).first()
    api_client.force_authenticate(site_manager)
    url = reverse("assessment-answer-detail", args=[candidate.pk, answer.pk])
    response = api_client.patch(url, {"version": 1, "rating": "meets", "evidence": []}, format="json")
    assert response.status_code == 200, response.json()
    # nested within the limit but of the wrong shape: the usual field error, not the depth error
    body = '{"version": 2, "evidence": ' + _nested(10) + "}"
    response = api_client.generic("PATCH", url, body, content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "invalid"


# --- page numbers ---------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("page", HUGE_PAGES)
@pytest.mark.parametrize(
    "path",
    ["/api/v1/assessments/", "/api/v1/protected-areas/", "/api/v1/standards/", "/api/v1/green-list/"],
)
def test_api_lists_answer_a_bad_or_huge_page_number_with_a_4xx(api_client, candidate, site_manager, path, page):
    api_client.force_authenticate(site_manager)
    response = api_client.get(path, {"page": page})
    assert response.status_code in (400, 404), (response.status_code, response.content[:300])
    assert response.json()["code"] in ("page_invalid", "not_found")
    assert response.json()["detail"]


@pytest.mark.django_db
@pytest.mark.parametrize("page", HUGE_PAGES)
def test_evidence_picker_json_answers_a_bad_or_huge_page_number_with_a_400(client, candidate, site_manager, page):
    client.force_login(site_manager)
    url = reverse("evidence:picker", args=[candidate.pk])
    response = client.get(url, {"page": page})
    assert response.status_code == 400, (response.status_code, response.content[:300])
    assert response.json()["code"] == "page_invalid"


@pytest.mark.django_db
@pytest.mark.parametrize("page", HUGE_PAGES)
def test_paginated_pages_survive_a_bad_or_huge_page_number(client, candidate, site_manager, page):
    # Django's Paginator.get_page shows the first or last page for a number it cannot use.
    client.force_login(site_manager)
    answer = Answer.objects.filter(assessment=candidate).first()
    for url in (
        reverse("protected_areas:list"),
        reverse("evidence:library", args=[candidate.pk]),
        reverse("evidence:answer-evidence", args=[candidate.pk, answer.pk]),
    ):
        response = client.get(url, {"page": page})
        assert response.status_code == 200, (url, response.status_code)
