"""Through a real Celery worker on Redis: uploads enqueue after commit, nothing is lost while no
worker runs, a dead claim is taken over, and bad files never take the worker down."""

import datetime

import pytest
from django.utils import timezone

from evidence.claims import evidence_claim, stuck_items
from evidence.models import EvidenceFacts, EvidenceItem
from evidence.pipeline import evidence_process
from evidence.tasks import sweep_stuck_evidence
from evidence.tests.conftest import wait_for
from evidence.tests.corpus import corpus

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def settled(*ids):
    rows = EvidenceItem.objects.filter(pk__in=ids, processing_status__in=["ready", "failed"])
    return rows.count() == len(ids)


def test_worker_processes_uploads_after_commit(celery_worker_process, arezzo_assessment, arezzo_team, upload, testdata):
    # given a running worker, when real files are uploaded (the hook enqueues after commit)
    photo = upload(arezzo_assessment, arezzo_team, testdata / "img-exif-samples/gps/DSCN0040.jpg")
    trail = upload(arezzo_assessment, arezzo_team, testdata / "img-camtrapR/raw_images/StationB/IMG0002.JPG")
    reconyx = upload(arezzo_assessment, arezzo_team, testdata / "img-exif-samples/Reconyx_HC500_Hyperfire.jpg")
    # then the worker extracts their facts
    wait_for(lambda: settled(photo.pk, trail.pk, reconyx.pk), timeout=90)
    facts = {f.pk: f for f in EvidenceFacts.objects.filter(pk__in=[photo.pk, trail.pk, reconyx.pk])}
    assert facts[photo.pk].location_check == "inside" and facts[photo.pk].camera_make == "NIKON"
    assert facts[trail.pk].camera_model == "CUDDEBACK" and facts[trail.pk].captured_at.year == 2009
    assert facts[reconyx.pk].captured_at.year == 2020
    assert "process_evidence_item" in celery_worker_process.log_path.read_text()


def test_nothing_lost_when_no_worker_runs(request, arezzo_assessment, arezzo_team, upload, testdata):
    # given uploads while no worker is running (their messages are then lost, as when Redis is down)
    items = [
        upload(arezzo_assessment, arezzo_team, testdata / f"img-exif-samples/gps/{name}")
        for name in ("DSCN0042.jpg", "DSCN0012.jpg")
    ]
    ids = [i.pk for i in items]
    assert EvidenceItem.objects.filter(pk__in=ids, processing_status="pending").count() == 2
    worker = request.getfixturevalue("celery_worker_process")  # purges the queue on start
    # and they have been pending for longer than the sweep's grace period
    EvidenceItem.objects.filter(pk__in=ids).update(uploaded_at=timezone.now() - datetime.timedelta(minutes=10))
    # when beat's sweep runs
    sweep_stuck_evidence.delay()
    # then the worker processes them
    wait_for(lambda: settled(*ids), timeout=90)
    assert set(EvidenceItem.objects.filter(pk__in=ids).values_list("processing_status", flat=True)) == {"ready"}
    assert worker.poll() is None


def test_dead_claim_is_taken_over(celery_worker_process, arezzo_assessment, arezzo_team, upload, testdata, settings):
    # given an item a worker claimed and then died on (killed mid-task: no result was written)
    item = upload(arezzo_assessment, arezzo_team, testdata / "img-exif-samples/gps/DSCN0021.jpg")
    wait_for(lambda: settled(item.pk))
    EvidenceItem.objects.filter(pk=item.pk).update(processing_status="processing")
    EvidenceFacts.objects.filter(pk=item.pk).update(
        claim_task="dead-task", claimed_at=timezone.now() - datetime.timedelta(hours=1)
    )
    assert list(stuck_items().values_list("pk", flat=True)) == [item.pk]
    # when the sweep runs
    sweep_stuck_evidence.delay()
    # then the item is processed again and ends ready
    wait_for(lambda: EvidenceFacts.objects.filter(pk=item.pk, claim_task="").exists() and settled(item.pk))
    assert EvidenceFacts.objects.get(pk=item.pk).attempts == 2


def test_bad_corpus_through_the_worker(celery_worker_process, arezzo_assessment, arezzo_team, upload, testdata):
    bad = corpus()
    chosen = ["bomb.zip", "traversal.zip", "huge.png", "elf.jpg", "encrypted.pdf", "truncated.jpg", "no-shx.zip"]
    before = upload(arezzo_assessment, arezzo_team, testdata / "img-exif-samples/gps/DSCN0025.jpg")
    bad_items = {name: upload(arezzo_assessment, arezzo_team, bad[name][0], name=name) for name in chosen}
    after = upload(arezzo_assessment, arezzo_team, testdata / "img-exif-samples/gps/DSCN0027.jpg")
    ids = [before.pk, after.pk] + [i.pk for i in bad_items.values()]
    wait_for(lambda: settled(*ids), timeout=120)
    for name, item in bad_items.items():
        item.refresh_from_db()
        assert item.processing_status == "failed", name
        assert EvidenceFacts.objects.get(pk=item.pk).error_code == bad[name][1]
    assert EvidenceItem.objects.get(pk=before.pk).processing_status == "ready"
    assert EvidenceItem.objects.get(pk=after.pk).processing_status == "ready"
    # the worker survived every file and still answers
    assert celery_worker_process.poll() is None
    from greenlist.celery import app

    assert app.control.ping(destination=[celery_worker_process.hostname], timeout=2)


# --- claims, without a worker -----------------------------------------------------------------


def test_live_claim_blocks_a_second_run(arezzo_assessment, arezzo_team, upload, testdata):
    item = upload(arezzo_assessment, arezzo_team, testdata / "img-exif-samples/gps/DSCN0029.jpg")
    claim = evidence_claim(item.pk, task_id="first")
    assert claim is not None
    assert evidence_process(item.pk, task_id="second") is None  # another delivery: skipped
    assert evidence_process(item.pk, task_id="first") == "ready"  # the retry of the same run goes on


def test_gives_up_after_repeated_deaths(arezzo_assessment, arezzo_team, upload, testdata, settings):
    item = upload(arezzo_assessment, arezzo_team, testdata / "img-exif-samples/gps/DSCN0029.jpg")
    old = timezone.now() - datetime.timedelta(hours=1)
    for n in range(settings.EVIDENCE_MAX_ATTEMPTS):
        assert evidence_claim(item.pk, task_id=f"run-{n}") is not None
        EvidenceFacts.objects.filter(pk=item.pk).update(claimed_at=old)  # that run died
    assert evidence_claim(item.pk, task_id="one-more") is None
    item.refresh_from_db()
    assert item.processing_status == "failed" and "stopped 3 times" in item.status_reason
