"""The staff import wizard: columns with samples, a dry run, likely duplicates and a choice for each
(issue 15: importing a parks file created a second "Yosemite NP" that the public map then opened)."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.models import Job
from greenlist.demo import DEMO_AREAS_FILE
from protected_areas.import_wizard import preview_job_run
from protected_areas.models import ProtectedArea
from protected_areas.services import import_job_run, import_protected_areas
from protected_areas.tests.wizard import previewed

pytestmark = pytest.mark.django_db

NPS_MAP = {"key": "unit_code", "name": "unit_name", "iso3": "iso3", "iucn_category": "iucn_cat"}


@pytest.fixture
def nps():
    import_protected_areas(DEMO_AREAS_FILE, field_map=NPS_MAP, source="nps")
    return ProtectedArea.objects.get(key="nps:YOSE")


def _parks_file(yosemite, columns=("id", "name")) -> SimpleUploadedFile:
    """A state agency's file: Yosemite again under its own id and a longer name, and a new reserve."""
    key, name = columns
    features = [
        {
            "type": "Feature",
            "properties": {key: "P-17", name: "Yosemite National Park", "iso3": "USA"},
            "geometry": json.loads(yosemite.geom.geojson),
        },
        {
            "type": "Feature",
            "properties": {key: "P-90", name: "Mono Lake Tufa Reserve", "iso3": "USA"},
            "geometry": {
                "type": "Polygon",
                "coordinates": [
                    [[-119.05, 38.0], [-118.95, 38.0], [-118.95, 38.06], [-119.05, 38.06], [-119.05, 38.0]]
                ],
            },
        },
    ]
    body = json.dumps({"type": "FeatureCollection", "features": features}).encode()
    return SimpleUploadedFile("state_parks.geojson", body, content_type="application/geo+json")


def test_the_preview_shows_columns_a_dry_run_and_the_duplicate_yosemite_and_saves_nothing(client, staff, nps):
    before = ProtectedArea.objects.count()
    client.force_login(staff)
    job = previewed(client, _parks_file(nps))
    assert job.status == "done"
    assert ProtectedArea.objects.count() == before  # a dry run
    assert job.result["summary"]["created"] == 2
    [duplicate] = job.result["duplicates"]
    assert duplicate["existing"]["key"] == "nps:YOSE" and duplicate["incoming"]["key"] == "state_parks:P-17"
    assert "overlap" in duplicate["reasons"] and duplicate["overlap_percent"] == 100
    assert duplicate["suggested"] == "update"
    page = client.get(f"/areas/import/{job.pk}/").content.decode()
    assert "1 likely duplicate" in page and "Yosemite National Park" in page and "Yosemite NP" in page
    assert "boundaries overlap (100% of the smaller area)" in page  # worded for the reader, not the worker
    assert "Mono Lake Tufa Reserve" in page  # a sample value beside its column
    assert "preview-map-data" in page


@pytest.mark.parametrize(
    ("choice", "yosemites", "yosemite_key"),
    [("update", 1, "state_parks:P-17"), ("skip", 1, "nps:YOSE"), ("keep_both", 2, "nps:YOSE")],
)
def test_staff_choose_what_happens_to_the_duplicate(client, staff, nps, choice, yosemites, yosemite_key):
    client.force_login(staff)
    job = previewed(client, _parks_file(nps))
    response = client.post(f"/areas/import/{job.pk}/confirm/", {"duplicate_0": choice})
    real = Job.objects.filter(kind="protected_area_import").latest("id")
    assert response.status_code == 302 and response["Location"] == f"/areas/import/{real.pk}/"
    import_job_run(real.pk)
    real.refresh_from_db()
    assert real.status == "done", real.error
    assert ProtectedArea.objects.filter(name__startswith="Yosemite").count() == yosemites
    assert ProtectedArea.objects.filter(pk=nps.pk, key=yosemite_key).exists()
    assert ProtectedArea.objects.filter(name="Mono Lake Tufa Reserve").count() == 1
    if choice == "update":
        nps.refresh_from_db()
        assert nps.name == "Yosemite National Park"  # the one area, updated by the new record


def test_a_file_with_unknown_columns_is_mapped_with_drop_downs_then_previewed_again(client, staff, nps):
    client.force_login(staff)
    job = previewed(client, _parks_file(nps, columns=("park_id", "park_name")))
    assert "mapping_error" in job.result and "summary" not in job.result
    assert job.result["mapping_missing"] == ["name", "key"]  # both asked for at once, not one per preview
    page = client.get(f"/areas/import/{job.pk}/").content.decode()
    assert 'name="map_key"' in page and '<option value="park_id">park_id — P-17, P-90</option>' in page
    assert page.count('aria-invalid="true"') == 2
    # importing with the mapping that did not fit is refused on the page, not failed in the worker
    same = client.post(f"/areas/import/{job.pk}/confirm/", {})
    assert same.status_code == 400 and "Choose a column for each field marked." in same.content.decode()
    # a column the file does not have is refused, nothing started
    bad = client.post(f"/areas/import/{job.pk}/confirm/", {"map_key": "nope"})
    assert bad.status_code == 400 and "The file has no column nope." in bad.content.decode()
    response = client.post(f"/areas/import/{job.pk}/confirm/", {"map_key": "park_id", "map_name": "park_name"})
    again = Job.objects.filter(kind="protected_area_import_preview").latest("id")
    assert again.pk != job.pk and response["Location"] == f"/areas/import/{again.pk}/"
    preview_job_run(again.pk)
    again.refresh_from_db()
    assert again.result["summary"]["created"] == 2 and len(again.result["duplicates"]) == 1
    # the mapping is remembered for the next file of this data set
    nxt = previewed(client, _parks_file(nps, columns=("park_id", "park_name")), source="state_parks")
    assert nxt.params["field_map"] == {"key": "park_id", "name": "park_name"}


def _park_and_wilderness_file(yosemite) -> SimpleUploadedFile:
    """Two records that both look like Yosemite NP: the park itself and the wilderness inside it."""
    features = [
        {"type": "Feature", "properties": {"id": pid, "name": name}, "geometry": json.loads(yosemite.geom.geojson)}
        for pid, name in (("P-17", "Yosemite National Park"), ("W-3", "Yosemite Wilderness Area"))
    ]
    body = json.dumps({"type": "FeatureCollection", "features": features}).encode()
    return SimpleUploadedFile("state_parks.geojson", body, content_type="application/geo+json")


def test_one_existing_area_is_updated_by_one_record_only(client, staff, nps):
    # given a file with two records like Yosemite NP
    client.force_login(staff)
    job = previewed(client, _park_and_wilderness_file(nps))
    by_name = {d["incoming"]["name"]: d for d in job.result["duplicates"]}
    # then "update" is offered for the one most like it (the name), "keep both" for the other
    assert by_name["Yosemite National Park"]["suggested"] == "update"
    assert by_name["Yosemite Wilderness Area"]["suggested"] == "keep_both"
    # and choosing "update" for both is refused: the later would take the park's place, the park
    # itself becoming a second Yosemite (issue 15)
    response = client.post(f"/areas/import/{job.pk}/confirm/", {"duplicate_0": "update", "duplicate_1": "update"})
    assert response.status_code == 400
    assert "Only one record can update Yosemite NP" in response.content.decode()
    assert not Job.objects.filter(kind="protected_area_import").exists()


@pytest.mark.parametrize("who", ["site_manager", "expert", "reviewer"])
def test_outsiders_cannot_see_or_confirm_apreviewed(client, request, who, staff, nps):
    client.force_login(staff)
    job = previewed(client, _parks_file(nps))
    client.force_login(request.getfixturevalue(who))
    assert client.get(f"/areas/import/{job.pk}/").status_code == 404
    assert client.post(f"/areas/import/{job.pk}/confirm/", {"duplicate_0": "update"}).status_code == 404
    assert Job.objects.filter(kind="protected_area_import").count() == 0
