import pytest
from django.urls import reverse

from assessments.models import Answer
from assessments.services import AnswerConflict, answer_save
from assessments.tests.helpers import close_cycle, fill_all
from assessments.workflow import transition
from core.errors import DomainError
from evidence.models import EvidenceItem


def answers_url(assessment, answer=None):
    if answer is None:
        return reverse("assessment-answer-list", args=[assessment.pk])
    return reverse("assessment-answer-detail", args=[assessment.pk, answer.pk])


@pytest.fixture
def answer(assessment):
    return assessment.answers.get(indicator__number="1.1.1")


@pytest.fixture
def manager_api(api_client, site_manager):
    api_client.force_authenticate(site_manager)
    return api_client


@pytest.mark.django_db
def test_api_saves_an_answer_and_bumps_the_version(manager_api, assessment, answer):
    body = {
        "version": 1,
        "rating": "partially_meets",
        "justification": "Board exists, no bylaws yet.",
        "evidence_date": "2025-03-01",
        "action_text": "Adopt bylaws",
        "action_owner": "Director",
        "action_due": "2027-01-31",
    }
    response = manager_api.put(answers_url(assessment, answer), body, format="json")
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["version"] == 2 and data["rating"] == "partially_meets" and data["action_due"] == "2027-01-31"
    answer.refresh_from_db()
    assert answer.justification == "Board exists, no bylaws yet." and answer.updated_by.email == "manager@example.org"
    listed = manager_api.get(answers_url(assessment)).json()
    assert len(listed) == 50 and listed[0]["indicator_code"] == "GLS-V1.1-1.1.1"


@pytest.mark.django_db
def test_rating_outside_the_scale_is_refused(manager_api, assessment, answer):
    response = manager_api.put(answers_url(assessment, answer), {"version": 1, "rating": "excellent"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "rating_invalid" and response.json()["field"] == "rating"
    answer.refresh_from_db()
    assert answer.rating == "" and answer.version == 1


@pytest.mark.django_db
def test_over_long_justification_is_refused_and_the_saved_text_kept(manager_api, assessment, answer):
    manager_api.put(answers_url(assessment, answer), {"version": 1, "justification": "kept"}, format="json")
    response = manager_api.put(
        answers_url(assessment, answer), {"version": 2, "justification": "x" * 5001}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "justification_too_long"
    answer.refresh_from_db()
    assert answer.justification == "kept" and answer.version == 2


@pytest.mark.django_db
def test_stale_version_is_a_conflict_with_their_text(manager_api, assessment, answer, site_manager):
    # given a colleague saved first
    answer_save(answer=answer, user=site_manager, expected_version=1, changes={"justification": "Their text"})
    # when I save from the version I loaded
    response = manager_api.put(
        answers_url(assessment, answer), {"version": 1, "justification": "My text"}, format="json"
    )
    # then
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "answer_changed"
    assert body["current"]["justification"] == "Their text" and body["current"]["version"] == 2
    answer.refresh_from_db()
    assert answer.justification == "Their text"
    # and saving again from their version keeps mine
    ok = manager_api.put(answers_url(assessment, answer), {"version": 2, "justification": "My text"}, format="json")
    assert ok.status_code == 200 and ok.json()["version"] == 3


@pytest.mark.django_db
def test_service_conflict(assessment, answer, site_manager):
    answer_save(answer=answer, user=site_manager, expected_version=1, changes={"rating": "meets"})
    with pytest.raises(AnswerConflict) as err:
        answer_save(answer=answer, user=site_manager, expected_version=1, changes={"rating": "does_not_meet"})
    assert err.value.current.rating == "meets"


@pytest.mark.django_db
def test_evidence_of_another_site_cannot_be_linked(
    manager_api, assessment, answer, other_manager, other_area, standard, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from assessments.services import assessment_create
    from evidence.services import evidence_upload

    theirs = assessment_create(protected_area=other_area, user=other_manager, year=2026)
    item = evidence_upload(assessment=theirs, user=other_manager, file=SimpleUploadedFile("a.txt", b"data"))
    response = manager_api.put(answers_url(assessment, answer), {"version": 1, "evidence": [item.pk]}, format="json")
    # the same answer as for an id that does not exist, naming no item (issue 12)
    assert response.status_code == 400 and response.json()["code"] == "evidence_not_found"
    assert answer.evidence.count() == 0
    missing = manager_api.put(answers_url(assessment, answer), {"version": 1, "evidence": [999999]}, format="json")
    assert missing.status_code == 400 and missing.json() == response.json()


@pytest.mark.django_db
def test_editing_after_submission_is_refused(manager_api, assessment, answer, site_manager):
    fill_all(assessment, site_manager)
    transition(assessment, "submitted", by=site_manager)
    answer.refresh_from_db()
    response = manager_api.put(
        answers_url(assessment, answer), {"version": answer.version, "rating": "meets"}, format="json"
    )
    assert response.status_code == 409 and response.json()["code"] == "assessment_frozen"
    with pytest.raises(DomainError) as err:
        answer_save(answer=answer, user=site_manager, expected_version=answer.version, changes={"rating": ""})
    assert err.value.code == "assessment_frozen"
    answer.refresh_from_db()
    assert answer.rating == "meets"


@pytest.mark.django_db
def test_api_transitions_and_incomplete_submission(manager_api, assessment, site_manager):
    url = reverse("assessment-transition-list", args=[assessment.pk])
    response = manager_api.post(url, {"to": "submitted"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "assessment_incomplete" and len(body["missing"]) == 50
    assert body["missing"][0]["number"] == "1.1.1" and body["missing"][0]["problems"] == ["No rating yet."]
    fill_all(assessment, site_manager)
    response = manager_api.post(url, {"to": "submitted", "note": "done"}, format="json")
    assert response.status_code == 201 and response.json()["to_status"] == "submitted"
    assert [t["to_status"] for t in manager_api.get(url).json()] == ["candidate", "submitted"]
    bad = manager_api.post(url, {"to": "flying"}, format="json")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid"


@pytest.mark.django_db
def test_api_create_assessment(api_client, site_manager, other_manager, area, standard):
    api_client.force_authenticate(site_manager)
    url = reverse("assessment-list")
    response = api_client.post(url, {"protected_area": area.pk, "year": 2026}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["cycle"] == 1 and response.json()["status"] == "application"
    assert Answer.objects.filter(assessment_id=response.json()["id"]).count() == 50
    api_client.force_authenticate(other_manager)
    refused = api_client.post(url, {"protected_area": area.pk, "year": 2026}, format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "not_site_team"
    api_client.force_authenticate(site_manager)
    bad_year = api_client.post(url, {"protected_area": area.pk, "year": 1850}, format="json")
    assert bad_year.status_code == 400 and bad_year.json()["code"] == "year_invalid"


@pytest.mark.django_db
def test_list_queries_do_not_grow(api_client, site_manager, area, standard, django_assert_max_num_queries):
    from assessments.services import assessment_create

    for year in (2020, 2021, 2022):
        close_cycle(assessment_create(protected_area=area, user=site_manager, year=year))  # one open cycle per site
    api_client.force_authenticate(site_manager)
    with django_assert_max_num_queries(6):
        assert len(api_client.get(reverse("assessment-list")).json()["results"]) == 3
    assert EvidenceItem.objects.count() == 0
