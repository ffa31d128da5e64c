"""Celery tasks of the evidence pipeline. They take ids and call services.

A single upload enqueues `process_evidence_item` (`services.evidence_upload` does it after commit).
Bulk ingest and the sweep enqueue `process_evidence_batch` instead: one task drains many items of an
assessment, which saves the per-task broker round trips and per-item queries (see
`pipeline.evidence_process_batch`).

The tasks were `evidence_processing.tasks.*` until issue 13 moved them here: the old names are still
registered (at the end of this module) so that messages queued before the upgrade are run.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging

from celery import Task, shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import close_old_connections, connection
from django.db.models import Count

from core.errors import TRANSIENT_DATABASE_ERRORS as TRANSIENT_ERRORS

from .claims import BATCH_SIZE, BATCH_TIME_BUDGET, stuck_items
from .pipeline import evidence_process, evidence_process_batch

log = logging.getLogger(__name__)

RETRY = {
    "acks_late": True,  # a worker killed mid-task leaves the message for another worker
    "reject_on_worker_lost": True,
    "autoretry_for": TRANSIENT_ERRORS,  # database restarts, dropped connections
    "retry_backoff": 5,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 8,
    "ignore_result": True,  # callers poll the item's status, never the task's result
}


# --- bulk ingest: batch tasks instead of one task per upload ------------------------------------

# How long the "a batch task of this assessment is waiting in the queue" mark lasts at most (the
# task removes it when it starts; this only bounds the harm of a message the broker lost).
QUEUED_MARK_SECONDS = 60


def _queued_key(assessment_id: int) -> str:
    # The queue and database names keep parallel test runs and bench databases apart.
    return (
        f"evidence-batch-queued:{settings.CELERY_TASK_DEFAULT_QUEUE}:{connection.settings_dict['NAME']}:{assessment_id}"
    )


def request_batch(assessment_id: int, *, force: bool = False) -> bool:
    """Send a batch task for the assessment unless one is already waiting in the queue (it will
    take every item waiting when it starts). Without this, an import of 10,000 files would queue
    hundreds of tasks that find nothing left to do. Returns whether a task was sent."""
    key = _queued_key(assessment_id)
    try:
        if force:
            cache.set(key, 1, timeout=QUEUED_MARK_SECONDS)
        elif not cache.add(key, 1, timeout=QUEUED_MARK_SECONDS):
            return False
        process_evidence_batch.delay(assessment_id)
    except Exception:  # noqa: BLE001 - Redis down: the uploads are saved and the sweep enqueues them
        log.warning("evidence batch for assessment %s not enqueued; the sweep will", assessment_id)
        return False
    return True


_batching: contextvars.ContextVar[_Batching | None] = contextvars.ContextVar("evidence_batching", default=None)


class _Batching:
    """Counts the uploads of a bulk ingest and asks for a batch task every `every` of them."""

    def __init__(self, assessment_id: int, every: int):
        self.assessment_id, self.every, self.count = assessment_id, every, 0

    def add(self) -> None:
        self.count += 1
        if self.count % self.every == 1 or self.every == 1:
            request_batch(self.assessment_id)


@contextlib.contextmanager
def processing_in_batches(assessment_id: int, every: int = BATCH_SIZE):
    """Within this block, uploads to `assessment_id` do not enqueue one task each: a batch task is
    asked for with the first upload and every `every` uploads after (so workers start while an
    import is still uploading; a request is dropped while another batch task is still queued) and
    once more at the end. Used by `import_evidence`."""
    state = _Batching(assessment_id, every)
    token = _batching.set(state)
    try:
        yield state
    finally:
        _batching.reset(token)
        if state.count:
            request_batch(assessment_id)


class _ItemTask(Task):
    """`process_evidence_item.delay()` is called by the upload service after commit; inside
    `processing_in_batches` it only counts the upload, for the batch task to come."""

    def apply_async(self, args=None, kwargs=None, **options):
        batching = _batching.get()
        if batching is not None:
            batching.add()
            return None
        return super().apply_async(args, kwargs, **options)


@shared_task(
    bind=True,
    base=_ItemTask,
    soft_time_limit=settings.EVIDENCE_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.EVIDENCE_TASK_TIME_LIMIT,
    **RETRY,
)
def process_evidence_item(self, item_id: int) -> str | None:
    """Extract the facts of one evidence item (idempotent; see `pipeline.evidence_process`)."""
    return _process_item(self, item_id)


def process_item_later(item_id: int, size: int) -> None:
    """Send one upload's processing task. A file over EVIDENCE_HEAVY_UPLOAD_MB (a large raster or geodata
    archive: minutes of work) goes to the heavy queue's workers, so it never holds up the evidence queue's
    photos and PDFs (issue 19, greenlist/queues.py). The task and its limits are the same either way."""
    options = {}
    if size > settings.EVIDENCE_HEAVY_UPLOAD_MB * 1024 * 1024:
        options["queue"] = settings.GREENLIST_QUEUES["heavy"]
    process_evidence_item.apply_async(args=[item_id], **options)


def _process_item(task: Task, item_id: int) -> str | None:
    try:
        # The retry of a run keeps the task id, so it may take over its own claim.
        return evidence_process(item_id, task_id=task.request.id or "")
    except TRANSIENT_ERRORS:
        close_old_connections()  # reconnect on the retry instead of reusing a broken connection
        raise


@shared_task(
    bind=True,
    # Each item a batch starts gets the full per-item limit: it starts within the budget.
    soft_time_limit=settings.EVIDENCE_TASK_SOFT_TIME_LIMIT + BATCH_TIME_BUDGET,
    time_limit=settings.EVIDENCE_TASK_TIME_LIMIT + BATCH_TIME_BUDGET,
    **RETRY,
)
def process_evidence_batch(self, assessment_id: int) -> int:
    """Process the waiting items of one assessment (idempotent, safe to run on several workers at
    once; see `services.evidence_process_batch`). Returns how many items it finished.

    While claims come back full it asks for a sibling task (one at most waits in the queue), so
    every idle worker joins in; when its time budget runs out it asks for a follow-up."""
    return _process_batch(self, assessment_id)


def _process_batch(task: Task, assessment_id: int) -> int:
    cache.delete(_queued_key(assessment_id))  # started: uploads from now on need another task
    try:
        result = evidence_process_batch(
            assessment_id=assessment_id,
            task_id=task.request.id or "",
            on_full_claim=lambda: request_batch(assessment_id),
        )
    except TRANSIENT_ERRORS:
        close_old_connections()
        raise
    if result.more:
        request_batch(assessment_id)
    return result.processed


@shared_task(ignore_result=True)
def sweep_stuck_evidence() -> int:
    """Run by beat: enqueue again what was never processed (broker or workers were down) or
    whose worker died, as batch tasks per assessment. Returns how many items it covers."""
    return _sweep()


def _sweep() -> int:
    budget = settings.EVIDENCE_SWEEP_BATCH
    covered = 0
    per_assessment = (
        stuck_items().order_by().values_list("assessment_id").annotate(n=Count("pk")).order_by("assessment_id")
    )
    for assessment_id, n in per_assessment:
        if covered >= budget:
            break
        request_batch(assessment_id, force=True)  # the safety net trusts no mark: a message may be lost
        covered += min(n, budget - covered)
    if covered:
        log.info("evidence sweep: re-enqueued %s items", covered)
    return covered


# --- the names before issue 13 ------------------------------------------------------------------
# Drain-safe rename: messages queued under the `evidence_processing` app's names by the release
# before (uploads waiting while no worker ran, beat's last sweep) are still run, by thin aliases with
# the same limits and retries. Remove them in the release after the one that moved the app here,
# once no worker of the old code runs and the queue has drained (issue 13).
OLD_TASK_PREFIX = "evidence_processing.tasks."


@shared_task(
    bind=True,
    name=OLD_TASK_PREFIX + "process_evidence_item",
    soft_time_limit=settings.EVIDENCE_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.EVIDENCE_TASK_TIME_LIMIT,
    **RETRY,
)
def old_process_evidence_item(self, item_id: int) -> str | None:
    return _process_item(self, item_id)


@shared_task(
    bind=True,
    name=OLD_TASK_PREFIX + "process_evidence_batch",
    soft_time_limit=settings.EVIDENCE_TASK_SOFT_TIME_LIMIT + BATCH_TIME_BUDGET,
    time_limit=settings.EVIDENCE_TASK_TIME_LIMIT + BATCH_TIME_BUDGET,
    **RETRY,
)
def old_process_evidence_batch(self, assessment_id: int) -> int:
    return _process_batch(self, assessment_id)


@shared_task(ignore_result=True, name=OLD_TASK_PREFIX + "sweep_stuck_evidence")
def old_sweep_stuck_evidence() -> int:
    return _sweep()


@shared_task(name="evidence.tasks.purge_expired_uploads", ignore_result=True)
def purge_expired_uploads() -> int:
    """Resumable uploads abandoned past their expiry go, with their partial bytes (beat, hourly)."""
    # Imported here: resumable imports services, which import this module (process_evidence_item).
    from .resumable import purge_expired_uploads as purge

    return purge()
