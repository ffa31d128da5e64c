"""A Celery worker killed (SIGKILL) in the middle of processing an evidence file: the item is not
left stuck, it is processed once a worker is back, and it is processed to completion only once."""

import datetime
import io
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from conftest import start_celery_worker, stop_celery_worker

pytestmark = [pytest.mark.faults, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def big_png() -> bytes:
    """100 megapixels (under the decompression-bomb limit): decoding takes long enough to be caught."""
    image = Image.linear_gradient("L").resize((10_000, 10_000)).convert("RGB")
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=1)
    return out.getvalue()


def wait_until(predicate, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def test_item_survives_a_worker_killed_mid_task(celery_worker_process, tmp_path):
    from accounts.tests.factories import Role, make_user
    from assessments.services import assessment_create
    from assessments.workflow import transition
    from audit.models import AuditEvent
    from eligibility.tests.factories import make_eligible
    from evidence.claims import stale_after
    from evidence.models import EvidenceFacts, EvidenceItem
    from evidence.services import evidence_upload
    from evidence.tasks import sweep_stuck_evidence
    from protected_areas.tests.factories import ProtectedAreaFactory
    from reviews.tests.factories import make_standard

    make_standard(2)
    area = ProtectedAreaFactory()
    manager = make_user(Role.SITE_MANAGER, protected_area=area)
    assessment = assessment_create(protected_area=area, user=manager, year=timezone.localdate().year)
    make_eligible(assessment)
    transition(assessment, "candidate", by=make_user(Role.IUCN_STAFF))

    # given a worker busy with a large image
    item = evidence_upload(
        assessment=assessment,
        user=manager,
        file=SimpleUploadedFile("aerial.png", big_png(), content_type="image/png"),
        title="Aerial survey",
    )

    def status():
        return EvidenceItem.objects.values_list("processing_status", flat=True).get(pk=item.pk)

    assert wait_until(lambda: status() == "processing", timeout=60), status()
    # when the worker is killed outright, mid-task
    celery_worker_process.kill()
    celery_worker_process.wait(timeout=10)
    assert status() == "processing"  # no result was written

    # then, with a worker back and the claim older than any task could run (time passes: the
    # sweep only takes over claims that no live task can still hold), beat's sweep re-sends it
    second = start_celery_worker(tmp_path / "worker-2.log")
    try:
        EvidenceFacts.objects.filter(item_id=item.pk).update(
            claimed_at=timezone.now() - stale_after() - datetime.timedelta(minutes=1)
        )
        sweep_stuck_evidence.delay()
        assert wait_until(lambda: status() in {"ready", "failed"}, timeout=120), status()
    finally:
        stop_celery_worker(second)
    item.refresh_from_db()
    assert item.processing_status == "ready", item.status_reason
    facts = EvidenceFacts.objects.get(item_id=item.pk)
    assert facts.attempts == 2  # the killed run and the one that finished
    assert facts.thumbnail
    assert AuditEvent.objects.filter(action="evidence.processed", target_id=str(item.pk)).count() == 1
