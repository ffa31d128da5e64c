"""The public Green List, area pages, verification and the feed: no login, nothing internal."""

import datetime
import json

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import dateformat, translation

from certification import services
from certification.tests.factories import panel_decide_for_tests
from protected_areas.tests.factories import ProtectedAreaFactory


def grant(area, staff, review_staff, standard, **fields):
    from accounts.choices import Role
    from accounts.tests.factories import make_user
    from certification.tests.helpers import make_recommended

    manager = make_user(Role.SITE_MANAGER, protected_area=area)
    assessment = make_recommended(area=area, site_manager=manager, reviewer=review_staff)
    return panel_decide_for_tests(
        assessment=assessment,
        user=staff,
        outcome="granted",
        reasons=fields.get("reasons", "ok"),
        **{k: v for k, v in fields.items() if k != "reasons"},
    ).certificate


def test_the_list_shows_listed_areas_with_country_category_date_and_status(client, certificate, staff):
    page = client.get("/green-list/").content.decode()
    area = certificate.protected_area
    granted = dateformat.format(certificate.granted_on, "j F Y")  # English's one date format
    for fact in (area.name, "Vietnam", "IV", granted, "Active"):
        assert fact in page
    # the country by its name, in the reader's language, not its ISO code
    assert "VNM" not in page
    with translation.override("fr"):
        assert "Viêt Nam" in client.get("/green-list/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    services.certificate_transition(certificate=certificate, user=staff, to="suspended", reason="x")
    assert "Suspended" in client.get("/green-list/").content.decode()
    services.certificate_transition(certificate=certificate, user=staff, to="withdrawn", reason="x")
    assert area.name not in client.get("/green-list/").content.decode()


def test_the_area_page_shows_status_and_the_public_summary_never_internal_text(client, recommended, staff):
    cert = panel_decide_for_tests(
        assessment=recommended,
        user=staff,
        outcome="granted",
        reasons="INTERNAL-REASON poacher network under investigation",
        conditions="INTERNAL-CONDITION",
        public_summary="A well-governed reserve.",
    ).certificate
    area = cert.protected_area
    response = client.get(f"/green-list/{area.pk}/", follow=True)
    assert response.redirect_chain[-1][0].startswith(f"/green-list/{area.pk}/phong-dien-test-reserve/")
    page = response.content.decode()
    assert "Green Listed" in page and "A well-governed reserve." in page and cert.number in page
    assert "INTERNAL" not in page
    assert "Documented in the management plan" not in page  # the site's own answers stay private
    shape = client.get(f"/green-list.geojson?area={area.pk}").json()
    assert shape["features"][0]["geometry"]["type"] == "MultiPolygon"


def test_areas_never_listed_have_no_page(client, area):
    assert client.get(f"/green-list/{area.pk}/").status_code == 404
    assert client.get("/green-list.geojson?area=abc").status_code == 400


@pytest.mark.parametrize(
    ("action", "verdict", "word"),
    [
        (None, "valid", "This certificate is valid today."),
        ("suspended", "suspended", "This certificate is suspended."),
        ("withdrawn", "withdrawn", "This certificate has been withdrawn."),
        ("expired", "expired", "This certificate has expired."),
    ],
)
def test_verification_says_valid_or_not_today(client, certificate, staff, action, verdict, word):
    if action == "expired":
        with time_machine.travel(datetime.datetime.combine(certificate.expires_on, datetime.time(1), datetime.UTC)):
            services.certificates_expire()
    elif action:
        services.certificate_transition(certificate=certificate, user=staff, to=action, reason="Reason")
    response = client.get(f"/verify/{certificate.number}/")
    page = response.content.decode()
    assert response.status_code == 200 and word in page and f'data-verdict="{verdict}"' in page
    assert ("NOT VALID" not in page) == (verdict == "valid")
    assert "no-cache" in response["Cache-Control"]


def test_verification_before_beat_ran_already_says_expired(client, certificate):
    with time_machine.travel(datetime.datetime.combine(certificate.expires_on, datetime.time(0, 1), datetime.UTC)):
        page = client.get(f"/verify/{certificate.number}/").content.decode()
    assert "This certificate has expired." in page
    # when it was checked, written as the page's other dates are
    expiry = certificate.expires_on
    assert f"{expiry.day} {expiry:%B} {expiry.year}, 00:01 UTC</time>" in page


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("GL-2026-ZZZZ-ZZZ{check}", "No Green List certificate has this number."),
        ("hello", "This is not a certificate number."),
        ("GL-2026-" + "A" * 300, "This is not a certificate number."),
        ("%00%ff<script>", "This is not a certificate number."),
        ("GL-2026-ÀÉÎÕ-ÜÑÇ1", "This is not a certificate number."),
    ],
)
def test_unknown_and_malformed_numbers_get_a_clear_not_valid_page(client, db, number, message):
    from certification.numbers import check_character

    number = number.replace("{check}", check_character("2026ZZZZZZZ"))
    response = client.get(f"/verify/{number}/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "NOT VALID" in page and message in page


def test_a_typo_is_told_apart_from_an_unknown_number(client, certificate):
    last = certificate.number[-1]
    typo = certificate.number[:-1] + ("A" if last != "A" else "B")
    page = client.get(f"/verify/{typo}/").content.decode()
    assert "one character is wrong" in page


def test_the_verify_form_goes_to_the_number_page(client, certificate):
    response = client.get("/verify/", {"number": certificate.number.lower().replace("-", " ")})
    assert response.status_code == 302
    assert "valid today" in client.get(response.url, follow=True).content.decode()
    assert client.get("/verify/").status_code == 200


def test_the_feed_carries_ids_status_expiry_and_urls(client, certificate, staff, settings):
    data = client.get("/green-list.json").json()
    assert data["count"] == 1
    entry = data["results"][0]
    area = certificate.protected_area
    assert entry["protected_area"]["wdpa_id"] == area.wdpa_id and entry["protected_area"]["wdpa_pid"] == area.wdpa_pid
    assert entry["status"] == "active" and entry["valid_today"] is True
    assert entry["expires_on"] == certificate.expires_on.isoformat()
    assert entry["url"] == f"{settings.SITE_URL}/green-list/{area.pk}/phong-dien-test-reserve/"
    assert entry["verification_url"] == f"{settings.SITE_URL}/verify/{certificate.number}/"
    assert "reasons" not in json.dumps(data)
    services.certificate_transition(certificate=certificate, user=staff, to="withdrawn", reason="x")
    assert client.get("/green-list.json").json()["results"][0]["status"] == "withdrawn"


def test_sitemap_lists_the_area_pages(client, certificate):
    body = client.get("/sitemap.xml").content.decode()
    assert f"/green-list/{certificate.protected_area_id}/phong-dien-test-reserve/" in body
    assert "/green-list/</loc>" in body


def test_public_pages_cost_the_same_queries_for_1_and_6_areas(client, standard, staff, review_staff, jurisdiction):
    urls = ["/green-list/", "/green-list.json", "/green-list.geojson", "/sitemap.xml", "/api/v1/green-list/"]

    def counts():
        out = {}
        for url in urls:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            out[url] = len(ctx.captured_queries)
        return out

    grant(ProtectedAreaFactory(), staff, review_staff, standard)
    small = counts()
    for _ in range(5):
        grant(ProtectedAreaFactory(), staff, review_staff, standard)
    assert len(client.get("/green-list.json").json()["results"]) == 6
    assert counts() == small


def test_the_map_and_the_feed_are_the_apis_at_their_old_addresses_too(client, certificate):
    # given a listed area, when its map and the feed are asked for at both addresses
    area = certificate.protected_area
    for old, new in (
        ("/green-list.geojson", "/api/v1/green-list/map/"),
        ("/green-list.json", "/api/v1/green-list/feed/"),
    ):
        first, api = client.get(old, HTTP_ACCEPT="text/html"), client.get(new, HTTP_ACCEPT="text/html")
        # then both answer the same JSON (never the browsable API's page, even to a browser)
        assert first.status_code == api.status_code == 200
        assert first["Content-Type"] == api["Content-Type"] == "application/json"
        first_body, api_body = first.json(), api.json()
        for body in (first_body, api_body):
            body.pop("generated_at", None)  # the feed's time of writing
        assert first_body == api_body
    features = client.get("/api/v1/green-list/map/", {"area": area.pk}).json()["features"]
    assert [f["properties"]["id"] for f in features] == [area.pk]
    assert features[0]["properties"]["url"] == f"/green-list/{area.pk}/"
    assert client.get("/api/v1/green-list/feed/")["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("area", ["abc", "", "1.5", "99999999999999999999", "١"])
def test_a_map_for_an_area_that_is_no_id_is_a_400_with_the_error_body(client, area):
    for url in ("/green-list.geojson", "/api/v1/green-list/map/"):
        response = client.get(url, {"area": area})
        assert response.status_code == 400
        assert response.json() == {"code": "invalid_area", "detail": "area must be a number.", "field": "area"}


def test_the_old_addresses_are_not_in_the_schema(client):
    from drf_spectacular.generators import SchemaGenerator

    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    assert "/api/v1/green-list/map/" in paths and "/api/v1/green-list/feed/" in paths
    assert not any(p.startswith("/green-list") for p in paths)


def test_a_listed_areas_public_page_draws_its_outline_without_a_map_library(client, certificate):
    from certification.views import area_url

    page = client.get(area_url(certificate.protected_area)).content.decode()
    assert '<figure class="area-boundary"><svg' in page and "<path d=" in page
    assert "maplibre" not in page  # 1.5 MB of map code for one outline, no more
