"""The public GeoJSON API: /api/v1/protected-areas/."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from protected_areas.services import import_protected_areas
from protected_areas.tests.factories import ProtectedAreaFactory, square

pytestmark = pytest.mark.django_db
URL = "/api/v1/protected-areas/"


def test_anonymous_list_is_a_feature_collection(api_client, area):
    response = api_client.get(URL)

    assert response.status_code == 200
    body = response.json()
    assert body["type"] == "FeatureCollection" and body["count"] == 1
    feature = body["features"][0]
    assert feature["type"] == "Feature" and feature["geometry"]["type"] == "MultiPolygon"
    assert feature["properties"]["name"] == "Phong Dien Test Reserve"
    assert feature["properties"]["iso3"] == ["VNM"]
    assert "attributes" not in feature["properties"]


def test_filters(api_client):
    ProtectedAreaFactory(
        name="Phong Điền", iso3=["VNM"], iucn_category="IV", geom=square(107, 16), geom_display=square(107, 16)
    )
    ProtectedAreaFactory(
        name="Dakrong",
        iso3=["VNM", "LAO"],
        iucn_category="Not Reported",
        geom=square(106.8, 16.3),
        geom_display=square(106.8, 16.3),
    )
    ProtectedAreaFactory(
        name="Shell Beach",
        iso3=["GUY"],
        iucn_category="Not Reported",
        geom=square(-59.8, 8.3),
        geom_display=square(-59.8, 8.3),
    )

    def names(**params):
        response = api_client.get(URL, params)
        assert response.status_code == 200, response.json()
        return sorted(f["properties"]["name"] for f in response.json()["features"])

    assert names(country="LAO") == ["Dakrong"]
    assert names(iucn_category="IV") == ["Phong Điền"]
    assert names(q="shell") == ["Shell Beach"]
    assert names(bbox="100,10,110,20") == ["Dakrong", "Phong Điền"]
    assert names(bbox="-60,8,-59,9", country="GUY") == ["Shell Beach"]


@pytest.mark.parametrize("bbox", ["1,2,3", "a,b,c,d", "10,10,5,5", "0,0,200,10"])
def test_bad_bbox_is_a_clear_400(api_client, bbox):
    response = api_client.get(URL, {"bbox": bbox})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and "bbox" in body["errors"]


def test_detail_has_full_geometry_and_versions(api_client, testdata):
    import_protected_areas(testdata / "wdpa-mapme-samples/wdpa_laos.gpkg")
    listed = api_client.get(URL, {"q": "Phong"}).json()["features"][0]

    detail = api_client.get(f"{URL}{listed['id']}/").json()
    versions = api_client.get(f"{URL}{listed['id']}/boundary-versions/").json()

    assert detail["properties"]["orig_name"] == "Phong Điền"
    assert detail["properties"]["attributes"]["VERIF"] == "State Verified"
    full = sum(len(ring) for poly in detail["geometry"]["coordinates"] for ring in poly)
    shown = sum(len(ring) for poly in listed["geometry"]["coordinates"] for ring in poly)
    assert full == 1536 and shown < full
    assert versions["type"] == "FeatureCollection" and versions["count"] == 1
    assert versions["features"][0]["properties"]["version"] == 1
    assert versions["features"][0]["geometry"]["type"] == "MultiPolygon"
    assert api_client.get(f"{URL}999999/").status_code == 404


def test_api_list_query_count_does_not_grow(api_client):
    ProtectedAreaFactory.create_batch(2)
    with CaptureQueriesContext(connection) as few:
        api_client.get(URL)
    ProtectedAreaFactory.create_batch(30)
    with CaptureQueriesContext(connection) as many:
        response = api_client.get(URL)
    assert response.json()["count"] == 32
    assert len(few.captured_queries) == len(many.captured_queries)


def test_api_is_read_only(api_client, staff):
    api_client.force_authenticate(staff)
    response = api_client.post(URL, json.dumps({"name": "x"}), content_type="application/json")
    assert response.status_code == 405
