"""The monitoring API: upload (multipart), the dataset, its values as JSON and CSV, filters, refusals."""

import csv
import io

import pytest

from monitoring import services
from monitoring.models import MonitoringDataset

pytestmark = pytest.mark.django_db

BIRDNET_CSV = "monitoring/birdnet-analyzer-example/soundscape.BirdNET.results.csv"


def test_site_team_uploads_and_reads_values_as_json_and_csv(api_client, area, site_manager, testdata):
    api_client.force_authenticate(site_manager)
    with open(testdata / BIRDNET_CSV, "rb") as handle:
        answer = api_client.post(
            f"/api/v1/protected-areas/{area.pk}/monitoring/",
            {"files": [handle], "title": "Grabadora 1", "min_confidence": "0.5", "year": "2022"},
            format="multipart",
        )
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert body["kind"] == "acoustic" and body["status"] == "received"
    assert body["params"] == {"min_confidence": 0.5, "year": 2022}
    assert body["files"][0]["original_name"] == "soundscape.BirdNET.results.csv"
    url = f"/api/v1/monitoring-datasets/{body['id']}/values/"
    assert api_client.get(url).json() == []  # nothing shown before the worker's result
    services.process_dataset(body["id"])
    rows = api_client.get(url, {"metric": "detections_per_hour"}).json()
    kept = {r["taxon"]: r["value"] for r in rows if r["value"]}
    assert kept == {"Haemorhous mexicanus": 60.0, "Junco hyemalis": 60.0}
    assert {r["effort_unit"] for r in rows} == {"recording-hours"}
    answer = api_client.get(url, {"format": "csv", "taxon": "Junco hyemalis"})
    assert answer["Content-Type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(answer.content.decode())))
    assert [(r["taxon"], r["period"], float(r["value"])) for r in table] == [("Junco hyemalis", "2022", 60.0)]
    refused = api_client.get(url, {"metric": "nonsense", "format": "csv"})
    assert refused.status_code == 400 and refused.json()["code"] == "monitoring_filter_invalid"
    listed = api_client.get(f"/api/v1/protected-areas/{area.pk}/monitoring/").json()
    assert [d["status"] for d in listed] == ["ready"]


def test_upload_refusals_are_specific_and_store_nothing(api_client, area, site_manager, expert):
    api_client.force_authenticate(site_manager)
    url = f"/api/v1/protected-areas/{area.pk}/monitoring/"
    answer = api_client.post(
        url,
        {"files": [io.BytesIO(b"when,what\n1,2\n")], "title": "Tabla", "kind": "acoustic", "buffer_km": "5"},
        format="multipart",
    )
    assert answer.status_code == 400
    assert answer.json()["code"] == "monitoring_param_invalid" and answer.json()["field"] == "buffer_km"
    answer = api_client.post(url, {"title": "Sin archivos"}, format="multipart")
    assert answer.status_code == 400 and "files" in answer.json()["errors"]
    assert not MonitoringDataset.objects.exists()


def test_site_team_adds_a_dataset_on_its_page(client, area, site_manager, expert, testdata):
    url = f"/areas/{area.pk}/outcomes/add/"
    client.force_login(site_manager)
    assert client.get(url).status_code == 200
    refused = client.post(url, {"title": "Sin archivos"})
    assert refused.status_code == 400 and "Add at least one file." in refused.content.decode()
    with open(testdata / BIRDNET_CSV, "rb") as handle:
        answer = client.post(url, {"title": "Grabadora 2", "files": [handle], "min_confidence": "0.5", "year": "2021"})
    assert answer.status_code == 302 and answer["Location"] == f"/areas/{area.pk}/outcomes/"
    dataset = MonitoringDataset.objects.get()
    assert dataset.kind == "acoustic" and dataset.params == {"min_confidence": 0.5, "year": 2021}
    client.force_login(expert)
    assert client.get(url).status_code == 403
