"""The staff system page (issue 20): what it shows, and its retry buttons re-queueing on the real broker."""

from __future__ import annotations

from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from audit.models import AuditEvent
from core.models import Job
from evidence.choices import ProcessingStatus
from operations.models import BackupRun, BackupStatus

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def broker(db):
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.delete(*settings.GREENLIST_QUEUES.values())
    yield client
    client.delete(*settings.GREENLIST_QUEUES.values())


@pytest.fixture
def failed_item(db, area, site_manager):
    from assessments.services import assessment_create
    from evidence.pipeline import evidence_process
    from evidence.services import evidence_upload
    from standards.services import standard_load

    standard_load(ROOT / "standards" / "data" / "gls-v1.1.yaml")
    assessment = assessment_create(protected_area=area, user=site_manager, year=2026)
    item = evidence_upload(
        assessment=assessment, user=site_manager, file=ContentFile(b"MZ" + b"\0" * 300, name="outil.exe")
    )
    evidence_process(item.pk)  # an executable: rejected, failed
    item.refresh_from_db()
    assert item.processing_status == ProcessingStatus.FAILED
    return item


def test_staff_see_the_system_and_retry_a_failed_job_and_evidence_item(
    client, staff, site_manager, failed_item, broker, django_capture_on_commit_callbacks
):
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    # exports run on the bulk queue, evidence on its own (greenlist/queues.py)
    bulk, evidence = settings.GREENLIST_QUEUES["bulk"], settings.GREENLIST_QUEUES["evidence"]
    job = Job.objects.create(
        kind="reports.export", created_by=staff, params={}, status=Job.Status.FAILED, error="Arrêt inattendu"
    )
    BackupRun.objects.create(destination="/sauvegardes/a", status=BackupStatus.VERIFIED)

    # a site manager may neither see nor retry
    client.force_login(site_manager)
    assert client.get("/operations/system/").status_code == 403
    assert client.post(f"/operations/system/jobs/{job.pk}/retry/").status_code == 403
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED

    # staff see services, queues, the failed job and item with their retry buttons, in French
    client.force_login(staff)
    with CaptureQueriesContext(connection) as page_queries:
        page = client.get("/operations/system/", HTTP_ACCEPT_LANGUAGE="fr")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Arrêt inattendu" in html and f"/operations/system/jobs/{job.pk}/retry/" in html
    assert f"/operations/system/evidence/{failed_item.pk}/retry/" in html
    assert f"<code>{queue}</code>" in html and f"<code>{bulk}</code>" in html
    assert page["Content-Language"] == "fr"

    # the retry puts the job back in the queue: its task message is in the real broker
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/operations/system/jobs/{job.pk}/retry/")
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED and job.error == ""
    assert broker.llen(bulk) == 1
    assert AuditEvent.objects.filter(action="operations.job_retried", target_id=str(job.pk), actor=staff).exists()
    # twice: nothing more to retry, nothing queued
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/operations/system/jobs/{job.pk}/retry/")
    assert broker.llen(bulk) == 1

    # the failed evidence item is pending again, with its task queued
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/operations/system/evidence/{failed_item.pk}/retry/")
    assert response.status_code == 302
    failed_item.refresh_from_db()
    assert failed_item.processing_status == ProcessingStatus.PENDING
    assert broker.llen(evidence) == 1
    assert AuditEvent.objects.filter(action="evidence.processing_retried", target_id=str(failed_item.pk)).exists()

    # more failed jobs: the page asks the same number of queries
    Job.objects.bulk_create(
        Job(kind="reports.export", created_by=staff, params={}, status=Job.Status.FAILED, error="x") for _ in range(20)
    )
    with CaptureQueriesContext(connection) as more_queries:
        assert client.get("/operations/system/").status_code == 200
    assert len(more_queries.captured_queries) == len(page_queries.captured_queries)


def test_the_system_page_names_the_workers_and_the_failed_jobs_in_the_readers_language(client, staff, broker):
    # given a failed export and no worker listening (the test queue has none), read in Spanish
    from tests.catalogue import translated

    Job.objects.create(kind="reports.export", created_by=staff, params={}, status=Job.Status.FAILED, error="x")
    client.force_login(staff)
    spanish = {
        "Background workers (Celery)": "Procesos en segundo plano (Celery)",
        "no worker answered": "ningún proceso respondió",
        "Export of an assessment": "Exportación de una evaluación",
    }
    # when (the request leaves its language active: the override puts the test's back)
    with translated("es", spanish), translation.override("en"):
        html = client.get("/operations/system/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    # then the row, its detail and the job's kind are in Spanish words, not English ones or a code
    for words in spanish.values():
        assert words in html
    assert "Workers" not in html and "no worker answered" not in html
    assert "reports.export" not in html
