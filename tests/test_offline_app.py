"""The server's part of the installable, offline-first app (issue 17; greenlist/offline.py): the manifest,
the service worker's script and the logout that clears the device. What the browser does with them is
walked in tests/journeys/test_offline.py."""

import pytest
from django.contrib.staticfiles import finders


@pytest.mark.django_db
def test_the_manifest_makes_the_site_installable_in_the_pages_language(client):
    # given the manifest a French page links
    response = client.get("/manifest.webmanifest?l=fr")

    # then it is a manifest, in French, opening the home page in a window of its own
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    body = response.json()
    assert body["lang"] == "fr" and body["name"] != "IUCN Green List platform"
    assert body["start_url"] == "/" and body["scope"] == "/" and body["display"] == "standalone"
    # with icons of both sizes, ordinary and maskable, each a file that exists
    assert {(i["sizes"], i["purpose"]) for i in body["icons"]} == {
        ("192x192", "any"),
        ("512x512", "any"),
        ("192x192", "maskable"),
        ("512x512", "maskable"),
    }
    for icon in body["icons"]:
        assert finders.find(icon["src"].removeprefix("/static/")), icon["src"]


@pytest.mark.django_db
def test_every_page_links_the_manifest_and_the_csp_allows_it(client, site_manager):
    page = client.get("/accounts/login/")
    assert b'rel="manifest" href="/manifest.webmanifest?l=' in page.content
    assert "manifest-src 'self'" in page["Content-Security-Policy"]
    assert "worker-src 'self'" in page["Content-Security-Policy"]
    # the worker is registered (and the person named for the device's offline data) only once logged in
    assert b'name="service-worker"' not in page.content
    client.force_login(site_manager)
    assert f'name="greenlist-user" content="{site_manager.pk}"'.encode() in client.get("/").content


@pytest.mark.django_db
def test_the_service_worker_is_served_from_the_root_never_cached(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"]
    assert b'addEventListener("fetch"' in response.content


@pytest.mark.django_db
def test_logout_asks_the_browser_to_clear_what_the_site_kept(client, site_manager):
    client.force_login(site_manager)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "storage"'
    assert "_auth_user_id" not in client.session
