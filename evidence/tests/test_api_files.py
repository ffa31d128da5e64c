"""Evidence files and thumbnails through the API, with a personal token: the same visibility rule
and the same response as the download page (evidence.files), for scripts without a browser."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from evidence.pipeline import evidence_process
from evidence.services import evidence_upload
from reviews.tests.factories import PNG


@pytest.fixture
def assessment(site_manager, staff, area):
    from assessments.services import assessment_create
    from assessments.workflow import transition
    from eligibility.tests.factories import make_eligible
    from standards.tests.factories import load_gls

    load_gls()
    a = assessment_create(protected_area=area, user=site_manager, year=2026)
    make_eligible(a, staff=staff)
    transition(a, "candidate", by=staff)
    return a


def token_client(user) -> Client:
    from accounts.services import api_token_create

    _token, key = api_token_create(user=user, name="script", otp_verified=False)
    return Client(HTTP_AUTHORIZATION=f"Token {key}")


def upload(assessment, user, name, content, **kw):
    return evidence_upload(assessment=assessment, user=user, file=SimpleUploadedFile(name, content), **kw)


@pytest.mark.django_db
def test_the_site_managers_token_downloads_their_file_from_the_listed_link(assessment, site_manager):
    # given a file of the manager's site, marked for the site team only
    item = upload(assessment, site_manager, "survey.csv", b"a,b\n1,2\n", sensitivity="site_team")
    client = token_client(site_manager)

    # when their script follows the link the evidence list gives
    listed = client.get(f"/api/v1/assessments/{assessment.pk}/evidence/").json()["results"]
    assert [row["download_url"] for row in listed] == [f"/api/v1/evidence/{item.pk}/file/"]
    response = client.get(listed[0]["download_url"], HTTP_ACCEPT="text/csv")  # no 406 for a file's type

    # then the file comes back as the page sends it: streamed, a download, never sniffed or kept
    assert response.status_code == 200 and response.streaming
    assert b"".join(response.streaming_content) == b"a,b\n1,2\n"
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == 'attachment; filename="survey.csv"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    # (the page takes a browser session only: a token is sent to the login page)
    page = client.get(f"/assessments/evidence/{item.pk}/file/")
    assert page.status_code == 302 and page["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_an_image_is_shown_inline_and_its_thumbnail_link_takes_a_token(assessment, site_manager):
    item = upload(assessment, site_manager, "nest.png", PNG)
    evidence_process(item.pk)
    client = token_client(site_manager)

    response = client.get(f"/api/v1/evidence/{item.pk}/file/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PNG
    assert response["Content-Type"] == "image/png" and response["Content-Disposition"].startswith("inline")
    assert "sandbox" in response["Content-Security-Policy"]

    status = client.get(f"/api/v1/evidence-processing/assessments/{assessment.pk}/status/").json()
    assert status["items"][0]["thumbnail"] == f"/api/v1/evidence/{item.pk}/thumbnail/"
    thumbnail = client.get(status["items"][0]["thumbnail"])
    assert thumbnail.status_code == 200 and thumbnail["Content-Type"] == "image/jpeg"
    assert b"".join(thumbnail.streaming_content).startswith(b"\xff\xd8")  # a JPEG
    assert thumbnail["Cache-Control"] == "private, no-store"


@pytest.mark.django_db
def test_a_file_without_a_thumbnail_is_a_404_with_a_code(assessment, site_manager):
    item = upload(assessment, site_manager, "notes.txt", b"notes")

    response = token_client(site_manager).get(f"/api/v1/evidence/{item.pk}/thumbnail/")

    assert response.status_code == 404 and response.json()["code"] == "not_found"


@pytest.mark.parametrize("who", ["outsider", "other_manager", "expert"])
@pytest.mark.django_db
def test_anyone_elses_token_gets_404(assessment, site_manager, who, request):
    # given an image of the manager's site, processed (so it has a thumbnail)
    item = upload(assessment, site_manager, "nest.png", PNG)
    evidence_process(item.pk)
    client = token_client(request.getfixturevalue(who))

    # then an outsider, another site's manager and an unassigned expert learn nothing of it
    for url in (f"/api/v1/evidence/{item.pk}/file/", f"/api/v1/evidence/{item.pk}/thumbnail/"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.json()["code"] == "not_found"
        assert "nest" not in response.content.decode()
