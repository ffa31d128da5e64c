"""Staff pages and the API: who may do what, error codes, nothing changed on refusal."""

import pytest

from certification.models import Certificate, Decision


def test_staff_can_no_longer_decide_alone_through_the_api(api_client, recommended, staff, review_staff, outsider):
    body = {"assessment": recommended.pk, "outcome": "granted", "reasons": "All met."}
    for who in (staff, review_staff):
        api_client.force_authenticate(who)
        response = api_client.post("/api/v1/certification/decisions/", body, format="json")
        assert (response.status_code, response.json()["code"]) == (403, "panel_decides")
        assert response.json()["panel_cases"] == "/certification/panel/"
    api_client.force_authenticate(outsider)  # may not see the assessment: 404 as before
    assert api_client.post("/api/v1/certification/decisions/", body, format="json").status_code == 404
    api_client.force_authenticate(staff)
    response = api_client.post("/api/v1/certification/decisions/", {**body, "outcome": "x"}, format="json")
    assert response.status_code == 400
    assert not Decision.objects.exists()


def test_certificates_through_the_api(api_client, certificate, staff):
    api_client.force_authenticate(staff)
    number = certificate.number
    assert api_client.get(f"/api/v1/certification/certificates/{number}/").json()["status"] == "active"
    response = api_client.post(
        f"/api/v1/certification/certificates/{number}/transition/",
        {"to": "suspended", "reason": "Audit"},
        format="json",
    )
    assert response.status_code == 200 and response.json()["status"] == "suspended"
    verdict = api_client.get(f"/api/v1/verify/{number}/").json()
    assert verdict["verdict"] == "suspended" and verdict["valid"] is False


def test_suspending_an_expired_certificate_via_the_api_is_409(api_client, certificate, staff):
    import datetime

    import time_machine

    from certification import services

    with time_machine.travel(datetime.datetime.combine(certificate.expires_on, datetime.time(2), datetime.UTC)):
        services.certificates_expire()
        api_client.force_authenticate(staff)
        response = api_client.post(
            f"/api/v1/certification/certificates/{certificate.number}/transition/",
            {"to": "suspended", "reason": "late"},
            format="json",
        )
    assert (response.status_code, response.json()["code"]) == (409, "certificate_expired")


@pytest.mark.parametrize("who", ["outsider", "other_manager", "expert", "reviewer"])
def test_outsiders_cannot_see_certificates_or_decisions(api_client, client, certificate, who, request):
    user = request.getfixturevalue(who)
    api_client.force_authenticate(user)
    assert api_client.get("/api/v1/certification/certificates/").json()["count"] == 0
    assert api_client.get(f"/api/v1/certification/certificates/{certificate.number}/").status_code == 404
    assert api_client.get("/api/v1/certification/decisions/").json()["count"] == 0
    client.force_login(user)
    assert client.get(f"/certification/certificates/{certificate.number}/").status_code == 404
    assert client.get(f"/certification/certificates/{certificate.number}/pdf/").status_code == 404
    assert client.get("/certification/").status_code == 403
    response = client.post(
        f"/certification/certificates/{certificate.number}/status/", {"to": "suspended", "reason": "x"}
    )
    assert response.status_code == 404
    assert Certificate.objects.get(pk=certificate.pk).status == "active"


def test_the_site_team_sees_and_downloads_its_own_certificate_but_cannot_change_it(client, certificate, site_manager):
    from certification import services

    services.certificate_render_pdf(certificate_id=certificate.pk)
    client.force_login(site_manager)
    page = client.get(f"/certification/certificates/{certificate.number}/").content.decode()
    assert certificate.number in page and "Suspend" not in page
    response = client.get(f"/certification/certificates/{certificate.number}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    client.post(f"/certification/certificates/{certificate.number}/status/", {"to": "suspended", "reason": "x"})
    assert Certificate.objects.get(pk=certificate.pk).status == "active"


def test_public_api_needs_no_login(api_client, certificate):
    assert api_client.get("/api/v1/green-list/").json()["results"][0]["certificate_number"] == certificate.number
    assert api_client.get("/api/v1/verify/nonsense/").json()["verdict"] == "malformed"


def test_the_old_decide_page_says_the_panel_decides(client, recommended, staff):
    client.force_login(staff)
    response = client.get(f"/certification/assessments/{recommended.pk}/decide/")
    assert response.status_code == 403 and "/certification/panel/" in response.content.decode()
    response = client.post(
        f"/certification/assessments/{recommended.pk}/decide/", {"outcome": "granted", "reasons": "mine"}
    )
    assert response.status_code == 403 and not Decision.objects.exists()


def test_schema_documents_the_endpoints_without_warnings(capsys):
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--file", "/dev/null")  # others' warnings are theirs
    err = capsys.readouterr().err
    assert "certification" not in err and "green-list" not in err and "verify" not in err
