"""The certificate PDF through the API, with a personal token: the same rule as the certificate
page (IUCN staff and the certified site's team), for scripts that have no browser session."""

import pytest
from django.test import Client

from certification import services


def token_client(user) -> Client:
    from accounts.services import api_token_create

    _token, key = api_token_create(user=user, name="script", otp_verified=False)
    return Client(HTTP_AUTHORIZATION=f"Token {key}")


def test_the_site_managers_token_downloads_their_certificate_where_the_page_sends_it_to_log_in(
    certificate, site_manager
):
    # given a granted certificate whose PDF the worker has made
    services.certificate_render_pdf(certificate_id=certificate.pk)
    client = token_client(site_manager)

    # when the site manager's script reads the certificate and follows its link
    body = client.get(f"/api/v1/certification/certificates/{certificate.number}/").json()
    assert body["pdf_ready"] is True
    assert body["pdf_url"] == f"/api/v1/certification/certificates/{certificate.number}/pdf/"
    response = client.get(body["pdf_url"], HTTP_ACCEPT="application/pdf")  # no 406 for asking for a PDF

    # then it gets the PDF, streamed, kept by nobody
    assert response.status_code == 200 and response.streaming
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{certificate.number}.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    # (the page takes a browser session only: a token is sent to the login page)
    page = client.get(f"/certification/certificates/{certificate.number}/pdf/")
    assert page.status_code == 302 and page["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("who", ["outsider", "other_manager", "expert", "reviewer"])
def test_anyone_elses_token_gets_404_and_no_link(certificate, who, request):
    services.certificate_render_pdf(certificate_id=certificate.pk)
    client = token_client(request.getfixturevalue(who))

    response = client.get(f"/api/v1/certification/certificates/{certificate.number}/pdf/")

    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found"
    assert client.get("/api/v1/certification/certificates/").json()["results"] == []


def test_a_pdf_still_being_made_is_a_409_with_its_code_and_no_link(certificate, staff):
    # given a certificate whose PDF the worker has not made yet
    client = token_client(staff)

    # then the certificate says so, and the download says why it cannot answer yet
    body = client.get(f"/api/v1/certification/certificates/{certificate.number}/").json()
    assert (body["pdf_ready"], body["pdf_url"]) == (False, None)
    response = client.get(f"/api/v1/certification/certificates/{certificate.number}/pdf/")
    assert response.status_code == 409 and response.json()["code"] == "certificate_pdf_not_ready"
