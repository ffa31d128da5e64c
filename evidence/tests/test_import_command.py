"""`manage.py import_evidence`: every file through the upload service and the pipeline."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from evidence.models import EvidenceItem

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_evidence", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_folder_is_imported_recursively(arezzo_assessment, testdata, tmp_path):
    bad = tmp_path / "empty.jpg"
    bad.write_bytes(b"")
    out, err = run(
        str(testdata / "img-camtrapR/raw_images"), str(bad), "--assessment", str(arezzo_assessment.pk), "--json"
    )
    items = json.loads(out.strip().splitlines()[-1])["items"]
    assert len(items) == 7
    paths = [i["path"] for i in items]
    assert paths[0].endswith("StationA/IMG0001.JPG") and paths[-1].endswith("empty.jpg")
    assert all(i["status"] == "pending" for i in items[:6])
    assert items[-1]["status"] == "refused" and items[-1]["error"] == "The file is empty."
    assert EvidenceItem.objects.filter(assessment=arezzo_assessment).count() == 6
    assert "7 files: 6 uploaded, 1 refused or failed." in err


def test_indicator_link_and_errors(arezzo_assessment, testdata):
    indicator = arezzo_assessment.standard.indicators.order_by("position").first()
    photo = str(testdata / "img-exif-samples/gps/DSCN0010.jpg")
    run(photo, "--assessment", str(arezzo_assessment.pk), "--indicator", indicator.number, "-v", "0")
    item = EvidenceItem.objects.get(assessment=arezzo_assessment)
    assert list(item.answers.values_list("indicator_id", flat=True)) == [indicator.pk]
    with pytest.raises(CommandError, match="No indicator 'nope'"):
        run(photo, "--assessment", str(arezzo_assessment.pk), "--indicator", "nope")
    with pytest.raises(CommandError, match="No assessment with id 0"):
        run(photo, "--assessment", "0")
    with pytest.raises(CommandError, match="no such file"):
        run("/nonexistent/x.jpg", "--assessment", str(arezzo_assessment.pk))


def test_outsider_cannot_import(arezzo_assessment, outsider, testdata):
    out, _ = run(
        str(testdata / "img-exif-samples/gps/DSCN0010.jpg"),
        "--assessment",
        str(arezzo_assessment.pk),
        "--user",
        outsider.email,
        "--json",
    )
    (item,) = json.loads(out.strip().splitlines()[-1])["items"]
    assert item["status"] == "refused" and "site's team" in item["error"]


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_wait_with_a_real_worker(celery_worker_process, arezzo_assessment, testdata):
    out, err = run(
        str(testdata / "img-exif-samples/gps"),
        str(testdata / "img-exif-samples/Canon_40D.jpg"),
        "--assessment",
        str(arezzo_assessment.pk),
        "--wait",
        "--timeout",
        "120",
        "--json",
    )
    items = json.loads(out.strip().splitlines()[-1])["items"]
    assert len(items) == 10
    gps = [i for i in items if "/gps/" in i["path"]]
    assert all(i["status"] == "ready" and i["location_check"] == "inside" for i in gps), gps
    assert all(43.46 < i["latitude"] < 43.47 and 11.87 < i["longitude"] < 11.89 for i in gps)
    assert all(i["captured_at"].startswith("2008-") and len(i["sha256"]) == 64 for i in gps)
    canon = items[-1]
    assert canon["status"] == "ready" and canon["location_check"] == "none" and canon["latitude"] is None
    assert canon["distance_km"] is None and canon["error"] is None
    # the import sent batch tasks, not one task per file
    log = celery_worker_process.log_path.read_text()
    assert "process_evidence_batch[" in log and "process_evidence_item[" not in log
