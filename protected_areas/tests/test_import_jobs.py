"""Imports from the browser: upload → Job → Celery task → status page."""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Sum
from django.urls import reverse

from core.models import Job
from protected_areas.models import LowZoomTile, MapCell, ProtectedArea


def _upload(name, content):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["outsider", "site_manager", "expert", "reviewer"])
def test_non_staff_cannot_import_or_see_jobs(client, request, who, staff):
    job = Job.objects.create(kind="protected_area_import", created_by=staff, params={"file_name": "x.gpkg"})
    client.force_login(request.getfixturevalue(who))

    assert client.get(reverse("protected_areas:import")).status_code == 403
    post = client.post(reverse("protected_areas:import"), {"file": _upload("a.geojson", b"{}")})
    assert post.status_code == 403
    assert client.get(reverse("protected_areas:import-status", args=[job.pk])).status_code == 404
    assert client.get(reverse("protected_areas:import-status-json", args=[job.pk])).status_code == 404
    # nor through the API's status endpoint, which the page polls
    assert client.get(reverse("job-detail", args=[job.pk])).status_code == 404
    assert Job.objects.count() == 1


@pytest.mark.django_db
def test_staff_see_any_import_through_the_api_and_the_old_status_address_leads_there(client, staff, admin_user):
    # given an import queued by one member of staff
    job = Job.objects.create(kind="protected_area_import", created_by=staff, params={"file_name": "x.gpkg"})
    # when another (imports are a shared chore) asks for it
    client.force_login(admin_user)
    body = client.get(reverse("job-detail", args=[job.pk])).json()
    # then the API answers as for every job, with the page that shows it
    assert body["kind"] == "protected_area_import" and body["status"] == "queued"
    assert body["result"] is None and body["download_url"] is None
    assert body["assessment"] is None and body["format"] is None
    assert body["page_url"] == reverse("protected_areas:import-status", args=[job.pk])
    # and the page's old status address redirects to it
    old = client.get(reverse("protected_areas:import-status-json", args=[job.pk]))
    assert old.status_code == 302 and old["Location"] == f"/api/v1/jobs/{job.pk}/"


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("protected_areas:import"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "message"),
    [("parks.shp", "put them in one .zip"), ("parks.csv", "Unsupported file type .csv")],
)
def test_upload_of_wrong_file_type_is_refused(client, staff, name, message):
    client.force_login(staff)
    response = client.post(reverse("protected_areas:import"), {"file": _upload(name, b"data")})
    assert response.status_code == 200 and message in response.content.decode()
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_bad_mapping_is_refused(client, staff):
    client.force_login(staff)
    response = client.post(
        reverse("protected_areas:import"), {"file": _upload("a.geojson", b"{}"), "field_map": "colour=unit_name"}
    )
    assert "colour cannot be mapped" in response.content.decode()


def _wait_for(client, job_id, timeout=90):
    url = reverse("job-detail", args=[job_id])  # what the status page polls
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        data = client.get(url).json()
        if data["status"] in {"done", "failed"}:
            return data
        time.sleep(0.3)
    raise AssertionError(f"import {job_id} did not finish: {data}")


@pytest.mark.worker
def test_browser_import_runs_in_a_real_worker(client, staff, testdata, celery_worker_process):
    client.force_login(staff)

    # given an upload of a real WDPA GeoPackage
    gpkg = (testdata / "wdpa-mapme-samples/wdpa_laos.gpkg").read_bytes()
    response = client.post(reverse("protected_areas:import"), {"file": _upload("wdpa_laos.gpkg", gpkg)})

    # then the status page polls until the worker is done
    assert response.status_code == 302
    job = Job.objects.get()
    assert response["Location"] == reverse("protected_areas:import-status", args=[job.pk])
    data = _wait_for(client, job.pk)
    assert data["status"] == "done", data
    assert data["result"] == {
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "repaired": 0,
        "rejected": 0,
        "errors": [],
        "maps_refreshing": True,
    }
    assert ProtectedArea.objects.get(wdpa_id=303039).orig_name == "Phong Điền"
    page = client.get(response["Location"]).content.decode()
    assert "Import of wdpa_laos.gpkg" in page and 'data-result="created">2<' in page
    assert 'data-result-if="maps_refreshing">The maps show the new boundaries once they are refreshed' in page

    # and the maps follow: the worker runs the follow-up the import queued (heavy queue)
    deadline = time.monotonic() + 60
    while not (MapCell.objects.exists() and LowZoomTile.objects.exists()) and time.monotonic() < deadline:
        time.sleep(0.3)
    assert MapCell.objects.filter(level=0).aggregate(n=Sum("areas"))["n"] == 2
    assert LowZoomTile.objects.count() > 0

    # and a file that cannot be read fails with the reason
    client.post(reverse("protected_areas:import"), {"file": _upload("broken.geojson", b"not json at all")})
    failed = Job.objects.exclude(pk=job.pk).get()
    data = _wait_for(client, failed.pk)
    assert data["status"] == "failed"
    assert "Could not read broken.geojson" in data["error"]
    assert (
        "Could not read broken.geojson"
        in client.get(reverse("protected_areas:import-status", args=[failed.pk])).content.decode()
    )


@pytest.mark.django_db
def test_rejects_are_worded_in_the_importing_persons_language(staff):
    # given staff reading the platform in Spanish, and a file with a nameless feature (rejected while
    # reading, on the reader's thread) and an identity given twice (rejected by PostGIS)
    import json

    from django.utils import translation

    from protected_areas.services import import_job_run, import_job_start

    ring = [[10, 10], [10.1, 10], [10.1, 10.1], [10, 10.1], [10, 10]]
    features = [
        {"type": "Feature", "properties": props, "geometry": {"type": "Polygon", "coordinates": [ring]}}
        for props in ({"WDPAID": 7, "NAME": "Uno"}, {"WDPAID": 8}, {"WDPAID": 7, "NAME": "Otra vez"})
    ]
    content = json.dumps({"type": "FeatureCollection", "features": features}).encode()
    with translation.override("es"):  # the language of the request that asks for the import
        job = import_job_start(user=staff, upload=_upload("areas.geojson", content))

    # when the worker runs the import (in the test's language: the job brings its own)
    import_job_run(job.pk)

    # then each reason is in Spanish, kept so on the job
    job.refresh_from_db()
    assert job.status == "done", job.error
    assert job.result["errors"] == [
        {"feature": 2, "reason": "sin nombre"},
        {"feature": 3, "reason": "duplicado de la entidad 1 (misma identidad wdpa:7)"},
    ]


@pytest.mark.django_db
def test_a_file_the_worker_cannot_read_is_explained_in_the_importing_persons_language(staff):
    from django.utils import translation

    from protected_areas.services import import_job_run, import_job_start

    with translation.override("fr"):
        job = import_job_start(user=staff, upload=_upload("cassé.geojson", b"not json at all"))

    import_job_run(job.pk)

    job.refresh_from_db()
    assert job.status == "failed"
    assert job.error.startswith("Impossible de lire cassé.geojson en tant que GeoJSON")
