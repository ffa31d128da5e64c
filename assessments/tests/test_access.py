"""Every person who is not on the site team (nor IUCN staff) gets 404: they need not know."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from evidence.services import evidence_upload


@pytest.fixture
def item(assessment, site_manager):
    return evidence_upload(
        assessment=assessment,
        user=site_manager,
        file=SimpleUploadedFile("plan.txt", b"plan"),
        indicators=[assessment.answers.first().indicator_id],
    )


def page_urls(a, item):
    answer = a.answers.first()
    return [
        ("get", reverse("assessments:detail", args=[a.pk])),
        ("get", reverse("assessments:submit", args=[a.pk])),
        ("post", reverse("assessments:submit", args=[a.pk])),
        ("post", reverse("assessments:answer", args=[a.pk, answer.pk])),
        ("post", reverse("assessments:transition", args=[a.pk])),
        ("post", reverse("evidence:upload", args=[a.pk])),
        ("get", reverse("evidence:download", args=[item.pk])),
    ]


def api_urls(a):
    answer = a.answers.first()
    return [
        ("get", reverse("assessment-detail", args=[a.pk])),
        ("get", reverse("assessment-answer-list", args=[a.pk])),
        ("get", reverse("assessment-answer-detail", args=[a.pk, answer.pk])),
        ("put", reverse("assessment-answer-detail", args=[a.pk, answer.pk])),
        ("get", reverse("assessment-transition-list", args=[a.pk])),
        ("post", reverse("assessment-transition-list", args=[a.pk])),
        ("get", reverse("assessment-evidence-list", args=[a.pk])),
        ("post", reverse("assessment-evidence-list", args=[a.pk])),
    ]


@pytest.mark.parametrize("who", ["outsider", "other_manager", "expert", "reviewer"])
@pytest.mark.django_db
def test_people_outside_the_site_team_get_404(request, who, client, api_client, assessment, item):
    user = request.getfixturevalue(who)
    client.force_login(user)
    for method, url in page_urls(assessment, item):
        response = getattr(client, method)(url, {"to": "submitted", "version": 1})
        assert response.status_code == 404, (who, method, url, response.status_code)
    api_client.force_authenticate(user)
    for method, url in api_urls(assessment):
        response = api_client.generic(
            method.upper(), url, '{"version": 1, "to": "submitted"}', content_type="application/json"
        )
        assert response.status_code == 404, (who, method, url, response.status_code)
        assert response.json()["code"] == "not_found"
    assert api_client.get(reverse("assessment-list")).json()["count"] == 0
    client_list = client.get(reverse("assessments:list")).content.decode()
    assert assessment.protected_area.name not in client_list


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client, api_client, assessment):
    response = client.get(reverse("assessments:detail", args=[assessment.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert api_client.get(reverse("assessment-detail", args=[assessment.pk])).status_code == 403


@pytest.mark.django_db
def test_staff_see_everything_but_cannot_edit_the_site_answers(client, api_client, staff, assessment, item):
    client.force_login(staff)
    for _method, url in page_urls(assessment, item)[:2] + [page_urls(assessment, item)[-1]]:
        assert client.get(url).status_code == 200
    api_client.force_authenticate(staff)
    answer = assessment.answers.first()
    response = api_client.put(
        reverse("assessment-answer-detail", args=[assessment.pk, answer.pk]),
        {"version": 1, "rating": "meets"},
        format="json",
    )
    assert response.status_code == 403 and response.json()["code"] == "not_site_team"


@pytest.mark.django_db
def test_site_team_evidence_is_hidden_from_nobody_on_the_team(client, site_manager, assessment):
    secret = evidence_upload(
        assessment=assessment, user=site_manager, file=SimpleUploadedFile("s.txt", b"secret"), sensitivity="site_team"
    )
    client.force_login(site_manager)
    assert client.get(reverse("evidence:download", args=[secret.pk])).status_code == 200
