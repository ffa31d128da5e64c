"""Datasets through the service and the import command, on the real samples: what is stored,
what the worker's processing writes, and what bad input leaves behind (nothing half-computed)."""

import datetime
import io
import json

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from audit.models import AuditEvent
from core.errors import Conflict, DomainError, NotAllowed
from monitoring import rules, services
from monitoring.choices import DatasetStatus
from monitoring.management.commands import import_monitoring
from monitoring.models import MonitoringDataset, MonitoringDatasetTransition, MonitoringValue
from monitoring.selectors import map_points

pytestmark = pytest.mark.django_db

CAMTRAP = "monitoring/camtrapdp-tdwg-example"


def _files(folder):
    return [(p.name, open(p, "rb")) for p in sorted(folder.iterdir()) if p.is_file()]


def test_site_team_adds_a_camtrap_package_and_processing_writes_its_series(testdata, area, site_manager):
    dataset = services.add_dataset(
        area=area, title="Cámaras 2020", files=_files(testdata / CAMTRAP), by=site_manager, process=False
    )
    assert dataset.kind == "camtrap"  # told from the content
    assert dataset.files.count() == 4 and all(len(f.sha256) == 64 for f in dataset.files.all())
    assert dataset.status == DatasetStatus.RECEIVED and not MonitoringValue.objects.filter(dataset=dataset).exists()
    dataset = services.process_dataset(dataset.pk)
    assert dataset.status == DatasetStatus.READY, dataset.problems
    assert dataset.summary["deployment_days"] == 73.37
    rate = MonitoringValue.objects.get(
        dataset=dataset, metric="detection_rate", taxon="Anas platyrhynchos", period="2020"
    )
    assert rate.value == pytest.approx(23.374, abs=1e-3) and rate.effort_unit == "trap-nights"
    assert not rate.comparable and rate.ci_low < rate.value < rate.ci_high
    assert list(dataset.transitions.values_list("to_status", flat=True)) == ["processing", "ready"]
    # Processed again: the values are replaced, not added to.
    count = dataset.values.count()
    services.process_dataset(dataset.pk)
    assert dataset.values.count() == count
    assert MonitoringDatasetTransition.objects.filter(dataset=dataset).count() == 4


def test_who_may_add_and_see(area, site_manager, other_manager, staff, outsider, testdata):
    assert rules.can_add_monitoring(site_manager, area) and rules.can_add_monitoring(staff, area)
    assert not rules.can_add_monitoring(other_manager, area) and not rules.can_view_monitoring(outsider, area)
    with pytest.raises(NotAllowed):
        services.add_dataset(area=area, title="x", files=_files(testdata / CAMTRAP), by=other_manager)


def test_bad_input_is_refused_with_a_clear_message_and_nothing_stored(area, site_manager, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("nothing here")
    with pytest.raises(DomainError) as refused:
        services.add_dataset(area=area, title="Notas", files=[("notes.txt", open(notes, "rb"))], by=site_manager)
    assert refused.value.code == "monitoring_kind_unguessable"
    with pytest.raises(DomainError) as refused:
        services.add_dataset(
            area=area,
            title="Sonidos",
            files=[("a.csv", io.BytesIO(b"x"))],
            by=site_manager,
            kind="acoustic",
            params={"min_confidence": 1.5},
        )
    assert refused.value.code == "monitoring_param_invalid" and refused.value.field == "min_confidence"
    with pytest.raises(DomainError) as refused:
        services.add_dataset(
            area=area, title="Bosque", files=[("run.exe", io.BytesIO(b"MZ"))], by=site_manager, kind="forest"
        )
    assert refused.value.code == "monitoring_file_type"
    assert not area.monitoring_datasets.exists()


def test_two_files_of_the_same_name_are_refused_not_read_over_each_other(area, site_manager):
    # A browser sends base names only: two recordings' BirdNET tables both arrive as BirdNET.results.csv.
    header = b"Start (s),End (s),Scientific name,Common name,Confidence\n"
    first, second = header + b"0,3,Strix aluco,Tawny Owl,0.9\n", header + b"0,3,Bubo bubo,Eurasian Eagle-Owl,0.8\n"
    with pytest.raises(DomainError) as refused:
        services.add_dataset(
            area=area,
            title="Grabadoras",
            files=[("BirdNET.results.csv", io.BytesIO(first)), ("BirdNET.results.csv", io.BytesIO(second))],
            by=site_manager,
            kind="acoustic",
            process=False,
        )
    assert refused.value.code == "monitoring_file_name_repeated" and "BirdNET.results.csv" in refused.value.message
    assert not area.monitoring_datasets.exists()
    # in their folders they are two files, each read from its own place
    dataset = services.add_dataset(
        area=area,
        title="Grabadoras",
        files=[("rec1/BirdNET.results.csv", io.BytesIO(first)), ("rec2/BirdNET.results.csv", io.BytesIO(second))],
        by=site_manager,
        kind="acoustic",
        process=False,
    )
    assert dataset.files.count() == 2
    # a dataset stored with a repeated name before names were checked fails, saying why, and loses nothing
    dataset.files.filter(original_name__startswith="rec2").update(original_name="rec1/BirdNET.results.csv")
    dataset = services.process_dataset(dataset.pk)
    assert dataset.status == DatasetStatus.FAILED and dataset.files.count() == 2
    assert "both named 'rec1/BirdNET.results.csv'" in dataset.problems[0]["message"]


def test_unreadable_table_fails_the_dataset_with_its_problems_and_no_values(area, site_manager):
    table = io.BytesIO(b"when,what,how sure\n0,Strix aluco,0.9\n")
    dataset = services.add_dataset(
        area=area, title="Sonidos", files=[("detections.csv", table)], by=site_manager, kind="acoustic", process=False
    )
    dataset = services.process_dataset(dataset.pk)
    assert dataset.status == DatasetStatus.FAILED
    assert dataset.values.count() == 0 and dataset.points.count() == 0
    assert dataset.problems[0]["file"] == "detections.csv" and dataset.problems[0]["fatal"]
    assert "not those of a detection table" in dataset.transitions.last().note


def test_sensitive_points_are_generalised(area, site_manager, testdata):
    dataset = services.add_dataset(
        area=area, title="Cámaras", files=_files(testdata / CAMTRAP), by=site_manager, sensitive=True, process=False
    )
    dataset = services.process_dataset(dataset.pk)
    points = map_points(dataset)
    # 51.496 N 4.774 E becomes the centre of its 0.1° cell; the two DL deployments share a cell.
    assert {(round(p["lon"], 2), round(p["lat"], 2)) for p in points} == {(4.75, 51.45), (5.65, 51.15), (4.05, 50.65)}
    assert all(p["label"] == "" for p in points)


def test_import_command_json_last_line(testdata, area, monkeypatch, capsys):
    monkeypatch.setattr(import_monitoring, "UNCLAIMED_SECONDS", 0)  # no worker here: the command reads
    call_command(
        "import_monitoring",
        str(testdata / "monitoring/birdnet-analyzer-example/soundscape.BirdNET.results.csv"),
        str(testdata / "monitoring/gbif-dwca-doi-inthanon/0084005-210914110416597.zip"),
        "--area",
        area.key,
        "--min-confidence",
        "0.5",
        "--year",
        "2022",
        "--wait",
        "--json",
        verbosity=0,
    )
    last = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert set(last) >= {"series", "errors"}
    acoustic = {r["taxon"]: r for r in last["series"] if r["kind"] == "acoustic" and r["value"]}
    assert set(acoustic) == {"Haemorhous mexicanus", "Junco hyemalis"}
    assert (
        acoustic["Junco hyemalis"]["value"] == 60.0 and acoustic["Junco hyemalis"]["effort_unit"] == "recording-hours"
    )
    records = {r["period"]: r["value"] for r in last["series"] if r["metric"] == "record_count" and r["taxon"] is None}
    assert records == {"2010": 29, "2011": 39}
    assert [e["column"] for e in last["errors"]] == ["decimalLatitude", "decimalLatitude"]


def test_import_command_refuses_an_unknown_area(testdata):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No protected area"):
        call_command("import_monitoring", str(testdata / CAMTRAP), "--area", "wdpa:0")


def test_each_boundary_version_serves_the_years_from_its_recording_to_the_next(area):
    import datetime

    from protected_areas.models import BoundaryVersion
    from protected_areas.tests.factories import square

    first = BoundaryVersion.objects.create(protected_area=area, version=1, geom=square(105, 15))
    second = BoundaryVersion.objects.create(protected_area=area, version=2, geom=square(105, 15, 0.2))
    BoundaryVersion.objects.filter(pk=first.pk).update(created_at=datetime.datetime(2012, 6, 1, tzinfo=datetime.UTC))
    BoundaryVersion.objects.filter(pk=second.pk).update(created_at=datetime.datetime(2018, 3, 1, tzinfo=datetime.UTC))
    history = services.boundary_history(area)
    assert [(b.id, b.first_year, b.last_year) for b in history] == [(first.pk, None, 2017), (second.pk, 2018, None)]
    assert history[0].covers(2005) and history[0].covers(2017) and not history[0].covers(2018)
    assert history[1].covers(2020)


def _camtrap_ready(testdata, area, site_manager):
    dataset = services.add_dataset(
        area=area, title="Cámaras", files=_files(testdata / CAMTRAP), by=site_manager, process=False
    )
    return services.process_dataset(dataset.pk)


def test_two_requests_at_once_process_once_and_the_second_is_told_busy(
    testdata, area, site_manager, django_capture_on_commit_callbacks
):
    # given a ready dataset that two of the team's browsers loaded at the same moment
    ready = _camtrap_ready(testdata, area, site_manager)
    first, second = MonitoringDataset.objects.get(pk=ready.pk), MonitoringDataset.objects.get(pk=ready.pk)
    with django_capture_on_commit_callbacks() as sent:
        assert services.request_processing(first, by=site_manager).status == DatasetStatus.PROCESSING
        # the second sees "ready" in its copy, but the dataset is locked and read again: 409, no second worker
        with pytest.raises(Conflict) as busy:
            services.request_processing(second, by=site_manager)
    assert busy.value.code == "monitoring_dataset_busy" and len(sent) == 1
    assert AuditEvent.objects.filter(action="monitoring_dataset.reprocess").count() == 1


def test_a_dataset_that_kills_its_worker_fails_after_three_starts_and_staff_may_restart_a_stuck_one(
    testdata, area, site_manager, staff
):
    ready = _camtrap_ready(testdata, area, site_manager)
    assert ready.attempts == 0 and ready.processing_since is None  # a finished reading clears the count
    services.request_processing(ready, by=site_manager)
    # three workers started reading and were killed (the count is kept, the message redelivered) ...
    MonitoringDataset.objects.filter(pk=ready.pk).update(attempts=services.MAX_ATTEMPTS)
    # ... so the fourth delivery does not read the files: the dataset fails, saying why, files kept
    dataset = services.process_dataset(ready.pk)
    assert dataset.status == DatasetStatus.FAILED and dataset.values.count() == 0 and dataset.files.count() == 4
    assert "The worker stopped while reading these files (3 times)" in dataset.problems[0]["message"]
    assert dataset.attempts == 0
    # and the team may process it again (it is no longer "processing")
    assert services.request_processing(dataset, by=site_manager).status == DatasetStatus.PROCESSING
    # a dataset processing for longer than any task may run: staff start it again, the team still waits
    long_ago = timezone.now() - datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
    MonitoringDataset.objects.filter(pk=ready.pk).update(processing_since=long_ago, attempts=2)
    with pytest.raises(Conflict):
        services.request_processing(dataset, by=site_manager)
    restarted = services.request_processing(dataset, by=staff)
    assert restarted.status == DatasetStatus.PROCESSING and restarted.attempts == 0
    with pytest.raises(Conflict):  # just restarted: not stuck
        services.request_processing(dataset, by=staff)
