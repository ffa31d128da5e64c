"""Batch processing (bulk ingest and the sweep): claims with SKIP LOCKED never overlap, a batch
writes its items in a fixed number of queries, and gives back what its time budget cannot start."""

import json
import threading

import pytest
from django.contrib.gis.geos import GeometryCollection, LineString, Point
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from evidence.claims import evidence_claim, evidence_claim_batch
from evidence.location import location_checks
from evidence.models import DuplicateLink, EvidenceFacts, EvidenceItem
from evidence.pipeline import evidence_process, evidence_process_batch
from evidence.tasks import processing_in_batches

pytestmark = pytest.mark.django_db

GPS = "img-exif-samples/gps"
PHOTOS = ["DSCN0010.jpg", "DSCN0012.jpg", "DSCN0021.jpg", "DSCN0025.jpg", "DSCN0027.jpg", "DSCN0029.jpg"]


def photos(upload, assessment, user, testdata, n, start=0):
    # Bytes after the JPEG end marker: distinct files (no duplicate links) that decode the same.
    return [
        upload(
            assessment,
            user,
            (testdata / GPS / PHOTOS[i % len(PHOTOS)]).read_bytes() + f"copy-{i}".encode(),
            name=f"{i:03d}.jpg",
        )
        for i in range(start, start + n)
    ]


def test_batch_processes_the_assessments_items_only(
    arezzo_assessment, arezzo_team, make_assessment, area, site_manager, upload, testdata
):
    # given pending photos in two assessments
    mine = photos(upload, arezzo_assessment, arezzo_team, testdata, 5)
    other = photos(upload, make_assessment(area, site_manager), site_manager, testdata, 1)
    # when a batch runs for the first assessment
    result = evidence_process_batch(assessment_id=arezzo_assessment.pk, task_id="batch-1")
    # then all of its items are processed with the same facts as one by one, the other is untouched
    assert (result.processed, result.more) == (5, False)
    facts = EvidenceFacts.objects.filter(item__in=mine).select_related("item")
    assert {f.item.processing_status for f in facts} == {"ready"}
    assert {f.location_check for f in facts} == {"inside"}
    assert all(f.thumbnail and f.camera_make == "NIKON" and f.in_period and f.attempts == 1 for f in facts)
    assert all(len(f.item.sha256) == 64 and f.claim_task == "" for f in facts)
    assert EvidenceItem.objects.get(pk=other[0].pk).processing_status == "pending"
    # and a second run finds nothing to do
    assert evidence_process_batch(assessment_id=arezzo_assessment.pk, task_id="batch-2").processed == 0


def test_batch_queries_do_not_grow_with_items(arezzo_assessment, arezzo_team, upload, testdata):
    def queries_for(n, start):
        photos(upload, arezzo_assessment, arezzo_team, testdata, n, start)
        with CaptureQueriesContext(connection) as ctx:
            assert evidence_process_batch(assessment_id=arezzo_assessment.pk).processed == n
        return len(ctx.captured_queries)

    small, large = queries_for(2, 0), queries_for(8, 2)
    # only the audit trail adds a row (one INSERT) per item; claim, location check, facts, items,
    # duplicates and search are one query each per batch
    assert large - small <= 8 - 2


def test_batch_claims_skip_locked_rows_and_never_overlap(arezzo_assessment, arezzo_team, upload, testdata):
    items = photos(upload, arezzo_assessment, arezzo_team, testdata, 4)
    first = evidence_claim_batch(assessment_id=arezzo_assessment.pk, task_id="a", limit=2)
    second = evidence_claim_batch(assessment_id=arezzo_assessment.pk, task_id="b", limit=10)
    assert [c.item.pk for c in first] == [items[0].pk, items[1].pk]
    assert [c.item.pk for c in second] == [items[2].pk, items[3].pk]  # live claims of "a" are not taken
    assert evidence_claim_batch(assessment_id=arezzo_assessment.pk, task_id="c") == []
    # a retry of run "a" (same task id) takes its own claims back, without counting an attempt
    again = evidence_claim_batch(assessment_id=arezzo_assessment.pk, task_id="a")
    assert [c.item.pk for c in again] == [items[0].pk, items[1].pk]
    assert set(EvidenceFacts.objects.filter(item__in=items).values_list("attempts", flat=True)) == {1}
    # a single-item task for an item under a batch's live claim skips it
    assert evidence_process(items[2].pk, task_id="single") is None


@pytest.mark.django_db(transaction=True)
def test_batch_claim_skips_rows_locked_by_another_transaction(arezzo_assessment, arezzo_team, upload, testdata):
    items = photos(upload, arezzo_assessment, arezzo_team, testdata, 3)
    locked, release = threading.Event(), threading.Event()

    def hold_lock():
        # another worker's claim transaction, still open on the first item
        try:
            with transaction.atomic():
                EvidenceItem.objects.select_for_update().filter(pk=items[0].pk).get()
                locked.set()
                release.wait(10)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_lock)
    holder.start()
    try:
        assert locked.wait(10)
        claims = evidence_claim_batch(assessment_id=arezzo_assessment.pk, task_id="t")  # does not wait
    finally:
        release.set()
        holder.join()
    assert [c.item.pk for c in claims] == [items[1].pk, items[2].pk]
    assert EvidenceItem.objects.get(pk=items[0].pk).processing_status == "pending"


def test_spent_budget_gives_the_rest_back(arezzo_assessment, arezzo_team, upload, testdata):
    items = photos(upload, arezzo_assessment, arezzo_team, testdata, 3)
    # with no time left, a batch still finishes the first item it claimed (progress is certain)
    result = evidence_process_batch(assessment_id=arezzo_assessment.pk, task_id="slow", budget=0)
    assert result.more is True
    statuses = dict(EvidenceItem.objects.filter(pk__in=[i.pk for i in items]).values_list("pk", "processing_status"))
    assert statuses == {items[0].pk: "ready", items[1].pk: "pending", items[2].pk: "pending"}
    # the items given back are pending, unclaimed and their attempt is not counted
    for item in items[1:]:
        facts = EvidenceFacts.objects.get(pk=item.pk)
        assert (facts.claim_task, facts.claimed_at, facts.attempts) == ("", None, 0)
    # and the follow-up finishes them
    assert evidence_process_batch(assessment_id=arezzo_assessment.pk, task_id="next").processed == 2
    assert set(EvidenceFacts.objects.filter(item__in=items).values_list("attempts", flat=True)) == {1}


def test_copies_within_one_batch_find_each_other(
    arezzo_assessment, arezzo_team, make_assessment, area, site_manager, upload, testdata
):
    photo = testdata / GPS / "DSCN0040.jpg"
    a = upload(arezzo_assessment, arezzo_team, photo)
    b = upload(arezzo_assessment, arezzo_team, photo, title="again")
    evidence_process_batch(assessment_id=arezzo_assessment.pk)
    assert set(EvidenceFacts.objects.filter(item__in=[a, b]).values_list("duplicate", flat=True)) == {"same_site"}
    assert DuplicateLink.objects.filter(item__in=[a, b], same_site=True).count() == 2
    # the same file on another site, in a later batch, flags none of the three as a duplicate of
    # the other site's (a site team must not learn what another site holds)
    other = make_assessment(area, site_manager)
    c = upload(other, site_manager, photo)
    evidence_process_batch(assessment_id=other.pk)
    assert EvidenceFacts.objects.get(pk=c.pk).duplicate == ""
    assert set(EvidenceFacts.objects.filter(item__in=[a, b]).values_list("duplicate", flat=True)) == {"same_site"}


def test_one_failure_does_not_touch_its_batch(arezzo_assessment, arezzo_team, upload, testdata):
    good = photos(upload, arezzo_assessment, arezzo_team, testdata, 2)
    bad = upload(arezzo_assessment, arezzo_team, b"\xff\xd8\xff\xe0garbage", name="broken.jpg")
    evidence_process_batch(assessment_id=arezzo_assessment.pk)
    bad.refresh_from_db()
    assert bad.processing_status == "failed" and "damaged" in bad.status_reason
    assert set(
        EvidenceItem.objects.filter(pk__in=[g.pk for g in good]).values_list("processing_status", flat=True)
    ) == {"ready"}


def test_location_checks_of_many_geometries_in_one_query(arezzo):
    inside = Point(11.88, 43.465, srid=4326)
    outside = Point(12.0, 43.47, srid=4326)  # 0.1° east of the site
    track = LineString((11.88, 43.465), (12.0, 43.47), srid=4326)  # leaves the site
    empty = GeometryCollection(srid=4326)
    with CaptureQueriesContext(connection) as ctx:
        results = location_checks([inside, outside, track, empty], arezzo.pk)
    assert [r[0] for r in results] == ["inside", "outside", "outside", "none"]
    assert results[0][1] == 0 and results[1][1] == pytest.approx(8.07, abs=0.1)
    assert results[2][1] == 0  # part of the track is inside: it touches the site
    assert sum("ST_Covers" in q["sql"] for q in ctx.captured_queries) == 1
    assert location_checks([inside], None) == [("none", None)]


def test_single_claim_still_works_alongside(arezzo_assessment, arezzo_team, upload, testdata):
    (item,) = photos(upload, arezzo_assessment, arezzo_team, testdata, 1)
    assert evidence_claim(item.pk, task_id="one") is not None
    assert evidence_claim_batch(assessment_id=arezzo_assessment.pk, task_id="batch") == []


@pytest.mark.worker  # the real broker: the messages are read back from the Redis queue
@pytest.mark.django_db(transaction=True)
def test_bulk_uploads_queue_one_batch_task_at_a_time(arezzo_assessment, arezzo_team, upload, testdata):
    from django.conf import settings
    from django.core.cache import cache

    from evidence import tasks
    from greenlist.celery import app

    def queued():
        with app.connection_for_write() as conn:
            # the queue the batch task is routed to (greenlist/queues.py: evidence processing)
            queue = settings.CELERY_TASK_ROUTES["evidence.tasks.process_evidence_batch"]["queue"]
            raw = conn.default_channel.client.lrange(queue, 0, -1)
        return [json.loads(m)["headers"] for m in raw]

    app.control.purge()
    cache.delete(tasks._queued_key(arezzo_assessment.pk))
    # when five files are uploaded in bulk (uploads commit one by one, as in import_evidence)
    with processing_in_batches(arezzo_assessment.pk, every=2) as batching:
        items = photos(upload, arezzo_assessment, arezzo_team, testdata, 5)
    # then one batch task is queued, not one task per file, and no second while it waits
    assert batching.count == 5
    assert [(h["task"], h["argsrepr"]) for h in queued()] == [
        ("evidence.tasks.process_evidence_batch", f"({arezzo_assessment.pk},)")
    ]
    # once a batch task has started, the next upload asks for a new one
    app.control.purge()
    assert tasks.process_evidence_batch(arezzo_assessment.pk) == 5
    assert set(
        EvidenceItem.objects.filter(pk__in=[i.pk for i in items]).values_list("processing_status", flat=True)
    ) == {"ready"}
    with processing_in_batches(arezzo_assessment.pk):
        photos(upload, arezzo_assessment, arezzo_team, testdata, 1, start=5)
    assert [h["task"] for h in queued()] == ["evidence.tasks.process_evidence_batch"]
    app.control.purge()


def test_full_claims_ask_for_a_sibling(arezzo_assessment, arezzo_team, upload, testdata):
    photos(upload, arezzo_assessment, arezzo_team, testdata, 5)
    asked = []
    result = evidence_process_batch(assessment_id=arezzo_assessment.pk, limit=2, on_full_claim=lambda: asked.append(1))
    # claims of 2, 2 and 1: the two full ones asked for help
    assert result.processed == 5 and len(asked) == 2
