"""An export's file through the API, with a personal token: its owner only, as on the job page."""

import pytest
from django.test import Client

from reports.services import export_job_create, export_job_run
from scoring.tests.fixtures import assessment, standard  # noqa: F401


def token_client(user) -> Client:
    from accounts.services import api_token_create

    _token, key = api_token_create(user=user, name="script", otp_verified=False)
    return Client(HTTP_AUTHORIZATION=f"Token {key}")


def test_the_owners_token_downloads_the_export_from_its_download_url(assessment, site_manager):  # noqa: F811
    # given a finished CSV export of the site manager's
    job = export_job_create(assessment=assessment, user=site_manager, fmt="csv")
    export_job_run(job.pk)
    client = token_client(site_manager)

    # when their script polls the job and follows its link
    body = client.get(f"/api/v1/jobs/{job.pk}/").json()
    assert body["download_url"] == f"/api/v1/jobs/{job.pk}/download/"
    response = client.get(body["download_url"], HTTP_ACCEPT="text/csv")

    # then the file comes as the job page sends it, kept by nobody
    assert response.status_code == 200 and response.streaming
    assert b"".join(response.streaming_content).decode("utf-8-sig").startswith('"')
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Cache-Control"] == "private, no-store"
    # (the page takes a browser session only: a token is sent to the login page)
    page = client.get(f"/reports/jobs/{job.pk}/download/")
    assert page.status_code == 302 and page["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("who", ["outsider", "other_manager", "staff"])
def test_anyone_elses_token_gets_404(assessment, site_manager, who, request):  # noqa: F811
    job = export_job_create(assessment=assessment, user=site_manager, fmt="csv")
    export_job_run(job.pk)

    response = token_client(request.getfixturevalue(who)).get(f"/api/v1/jobs/{job.pk}/download/")

    assert response.status_code == 404 and response.json()["code"] == "not_found"
