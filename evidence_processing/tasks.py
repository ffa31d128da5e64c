"""Celery tasks of the evidence pipeline. They take ids and call services."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.db import close_old_connections

from .services import TRANSIENT_ERRORS, evidence_process, stuck_items

log = logging.getLogger(__name__)


@shared_task(
    bind=True,
    acks_late=True,  # a worker killed mid-task leaves the message for another worker
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT_ERRORS,  # database restarts, dropped connections
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=8,
    soft_time_limit=settings.EVIDENCE_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.EVIDENCE_TASK_TIME_LIMIT,
)
def process_evidence_item(self, item_id: int) -> str | None:
    """Extract the facts of one evidence item (idempotent; see `services.evidence_process`)."""
    try:
        # The retry of a run keeps the task id, so it may take over its own claim.
        return evidence_process(item_id, task_id=self.request.id or "")
    except TRANSIENT_ERRORS:
        close_old_connections()  # reconnect on the retry instead of reusing a broken connection
        raise


@shared_task
def sweep_stuck_evidence() -> int:
    """Run by beat: enqueue again what was never processed (broker or workers were down) or
    whose worker died. Returns how many items were enqueued."""
    ids = list(stuck_items().values_list("pk", flat=True)[: settings.EVIDENCE_SWEEP_BATCH])
    for pk in ids:
        process_evidence_item.delay(pk)
    if ids:
        log.info("evidence sweep: re-enqueued %s items", len(ids))
    return len(ids)
