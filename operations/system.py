"""What the staff system page shows (issue 20): one reader, the same few queries however large the
platform is (the failed lists are cut at FAILED_SHOWN, newest first, with their totals).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

import redis
from django.core.cache import cache
from django.db.models import Count, Min, Q
from django.utils import timezone

from core.health import CheckResult, check_celery_worker, check_database, check_redis, worker_unchecked
from core.models import Job, OutgoingEmail
from core.outbox import MAX_ATTEMPTS
from core.task_metrics import QueueStats, metrics_queues, queue_lengths, task_stats
from evidence.choices import ProcessingStatus
from evidence.models import EvidenceItem

from .metrics import HEARTBEAT_KEY
from .models import BackupRun, BackupStatus

FAILED_SHOWN = 50
# Beat runs the heartbeat every 5 minutes: older than this, beat (or every worker) has stopped.
HEARTBEAT_LATE = datetime.timedelta(minutes=11)
WORKER_PING_SECONDS = 0.5


@dataclass
class QueueRow:
    name: str
    waiting: int | None  # None: Redis did not answer
    stats: QueueStats | None


@dataclass
class SystemState:
    services: list[CheckResult]
    heartbeat_at: datetime.datetime | None
    heartbeat_late: bool
    queues: list[QueueRow]
    failed_jobs: list[Job]
    failed_jobs_total: int
    failed_evidence: list[EvidenceItem]
    failed_evidence_total: int
    evidence_waiting: int
    evidence_oldest_waiting: datetime.datetime | None
    outbox_backlog: int
    outbox_given_up: int
    last_backup: BackupRun | None
    last_verified_backup: BackupRun | None
    notes: list[str] = field(default_factory=list)


def system_state() -> SystemState:
    database, redis_check = check_database(), check_redis()
    worker = check_celery_worker(timeout=WORKER_PING_SECONDS) if redis_check.ok else worker_unchecked()
    heartbeat_at = _heartbeat() if redis_check.ok else None
    queues = _queues() if redis_check.ok else [QueueRow(q, None, None) for q in metrics_queues()]
    outbox = OutgoingEmail.objects.filter(sent_at__isnull=True).aggregate(
        backlog=Count("pk", filter=Q(attempts__lt=MAX_ATTEMPTS)),
        given_up=Count("pk", filter=Q(attempts__gte=MAX_ATTEMPTS)),
    )
    waiting = (ProcessingStatus.PENDING, ProcessingStatus.PROCESSING)
    evidence = EvidenceItem.objects.aggregate(
        waiting=Count("pk", filter=Q(processing_status__in=waiting)),
        oldest=Min("uploaded_at", filter=Q(processing_status__in=waiting)),
        failed=Count("pk", filter=Q(processing_status=ProcessingStatus.FAILED)),
    )
    failed_jobs = Job.objects.filter(status=Job.Status.FAILED)
    return SystemState(
        services=[database, redis_check, worker],
        heartbeat_at=heartbeat_at,
        heartbeat_late=heartbeat_at is None or timezone.now() - heartbeat_at > HEARTBEAT_LATE,
        queues=queues,
        failed_jobs=list(failed_jobs.select_related("created_by").order_by("-finished_at", "-id")[:FAILED_SHOWN]),
        failed_jobs_total=failed_jobs.count(),
        failed_evidence=list(
            EvidenceItem.objects.filter(processing_status=ProcessingStatus.FAILED)
            .select_related("assessment__protected_area", "uploaded_by")
            .only(
                "pk",
                "title",
                "original_filename",
                "status_reason",
                "uploaded_at",
                "assessment__protected_area__name",
                "uploaded_by__language",  # the reason is written in the uploader's language
            )
            .order_by("-uploaded_at", "-id")[:FAILED_SHOWN]
        ),
        failed_evidence_total=evidence["failed"],
        evidence_waiting=evidence["waiting"],
        evidence_oldest_waiting=evidence["oldest"],
        outbox_backlog=outbox["backlog"],
        outbox_given_up=outbox["given_up"],
        last_backup=BackupRun.objects.first(),
        last_verified_backup=BackupRun.objects.filter(status=BackupStatus.VERIFIED).first(),
    )


def _heartbeat() -> datetime.datetime | None:
    value: Any = cache.get(HEARTBEAT_KEY)
    return datetime.datetime.fromisoformat(value) if value else None


def _queues() -> list[QueueRow]:
    names = metrics_queues()
    try:
        lengths, stats = queue_lengths(names), task_stats(names)
    except redis.RedisError:
        return [QueueRow(q, None, None) for q in names]
    return [QueueRow(q, lengths[q], stats[q]) for q in names]
