"""The platform's own 404 page in every mode the README's commands start (DEBUG on for `make run`)."""

import pytest


@pytest.mark.django_db
@pytest.mark.parametrize("debug", [True, False])
@pytest.mark.parametrize("url", ["/no-such-page/", "/areas/999999/"])
def test_a_missing_page_is_the_platforms_own(client, settings, debug, url):
    settings.DEBUG = debug
    response = client.get(url)
    body = response.content.decode()
    assert response.status_code == 404
    assert "There is nothing here, or you do not have access to it." in body
    assert "Django tried these URL patterns" not in body and "NONE,NOARCHIVE" not in body


@pytest.mark.django_db
def test_the_api_still_answers_json(client, settings):
    settings.DEBUG = True
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404 and response["Content-Type"].startswith("application/json")
