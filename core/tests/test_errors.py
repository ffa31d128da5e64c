import pytest


@pytest.mark.django_db
def test_unknown_api_path_is_a_json_404(client):
    response = client.get("/api/v1/no-such-thing/42/")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "detail": "Not found."}


@pytest.mark.django_db
def test_unknown_page_is_the_site_404_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert b"Not found" in response.content


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(client):
    policy = client.get("/accounts/login/")["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy.split("style-src-attr")[0]
    assert "frame-ancestors 'none'" in policy


@pytest.mark.django_db
def test_a_403_without_a_reason_shows_the_general_one(client, site_manager):
    # given a page refused by a bare PermissionDenied (the invitations are staff business)
    client.force_login(site_manager)
    # when a site manager opens it, then the 403 page gives the general reason
    response = client.get("/accounts/invitations/")
    assert response.status_code == 403 and "Your role does not allow this." in response.content.decode()
