"""Celery queues by kind of work (issue 19): which task runs on which queue, and each queue's limits.

One home for the queues: greenlist/settings.py builds CELERY_TASK_ROUTES, CELERY_TASK_ANNOTATIONS and
GREENLIST_QUEUES from this table, docker-compose.yml runs one worker service per queue, scripts/run.sh
starts them in development, and the tests' worker consumes them all (conftest.py). Pure Python: the
settings import it before Django is set up.

Why kinds and not one queue: a worker busy with a 2 GB raster or a national WDPA import for twenty
minutes must not hold up the e-mail that carries someone's invitation. Each kind has its own workers
(scaled on their own: `docker compose up --scale worker-heavy=3`) and its own time limits.

Queue names derive from the default queue's (CELERY_TASK_DEFAULT_QUEUE, "greenlist"): the e-mail queue
keeps that name, so messages waiting from before the split are still taken; the others add their kind
("greenlist-heavy"). Tests set another default (GREENLIST_TEST_QUEUE) and so get queues of their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kombu import Queue

# The broker's visibility timeout (seconds): an unacknowledged message (acks_late) is handed to another
# worker after this long, so every task that acknowledges late must end before it.
VISIBILITY_TIMEOUT = 30 * 60


@dataclass(frozen=True)
class QueueKind:
    kind: str
    what: str
    # The most a task of this queue may run (seconds): a task that sets a lower limit keeps its own.
    time_limit: int
    soft_time_limit: int
    # Worker processes per worker of this queue by default (docker-compose.yml, scripts/run.sh).
    concurrency: int


DEFAULT, EVIDENCE, HEAVY, BULK = "default", "evidence", "heavy", "bulk"

KINDS: dict[str, QueueKind] = {
    DEFAULT: QueueKind(DEFAULT, "e-mail, scoring and beat's short housekeeping", 5 * 60, 4 * 60, 2),
    # The evidence batch task is its per-item limit plus its budget (evidence.tasks): 630 s by default.
    EVIDENCE: QueueKind(EVIDENCE, "evidence processing (one upload or a batch of an import)", 15 * 60, 14 * 60, 2),
    HEAVY: QueueKind(HEAVY, "heavy geodata and rasters: monitoring datasets, boundary imports", 28 * 60, 25 * 60, 1),
    BULK: QueueKind(BULK, "imports and exports, PDFs, nightly passes, backups", 28 * 60, 25 * 60, 1),
}

# Every task the code base registers, by name, and its kind. tests/test_queues.py fails when a task is
# missing here (it would run on the default queue, beside the e-mail).
TASK_KINDS: dict[str, str] = {
    # E-mail and scoring: quick, and people wait for them.
    "core.tasks.send_outgoing_email": DEFAULT,
    "core.tasks.resend_unsent_emails": DEFAULT,
    "core.tasks.heartbeat": DEFAULT,
    "core.tasks.resend_stuck_jobs": DEFAULT,
    "scoring.tasks.rescore_assessment": DEFAULT,
    "audit.seal_chain": DEFAULT,
    "accounts.expire_data_exports": DEFAULT,
    # Evidence processing.
    "evidence.tasks.process_evidence_item": EVIDENCE,
    "evidence.tasks.process_evidence_batch": EVIDENCE,
    "evidence.tasks.sweep_stuck_evidence": EVIDENCE,
    "evidence.tasks.purge_expired_uploads": EVIDENCE,
    "evidence_processing.tasks.process_evidence_item": EVIDENCE,
    "evidence_processing.tasks.process_evidence_batch": EVIDENCE,
    "evidence_processing.tasks.sweep_stuck_evidence": EVIDENCE,
    # Heavy geodata and rasters.
    "monitoring.tasks.process_monitoring_dataset": HEAVY,
    "protected_areas.tasks.run_protected_area_import": HEAVY,
    "protected_areas.tasks.run_protected_area_import_preview": HEAVY,
    "protected_areas.tasks.refresh_protected_area_maps": HEAVY,
    "protected_areas.tasks.remake_map_under_boxes": HEAVY,
    "protected_areas.tasks.remake_stale_maps": HEAVY,
    # Imports and exports, and long nightly work.
    "reports.tasks.run_export": BULK,
    "accounts.build_data_export": BULK,
    "certification.render_certificate_pdf": BULK,
    "scoring.tasks.rescore_all": BULK,
    "greenlist.apply_retention": BULK,
    "operations.scheduled_backup": BULK,
    # Beat's daily passes over every certificate and listing (minutes at the programme's size).
    "certification.expire_certificates": BULK,
    "certification.send_reminders": BULK,
    "listing_reviews.open_due_reviews": BULK,
}

# Tasks allowed past their queue's limit, each with the reason and what it sets instead.
# The backup of 100 GB of evidence takes hours (docs/operations.md): it keeps its own 6-hour limit and
# acknowledges early, since a late acknowledgement past the visibility timeout would hand the running
# backup to a second worker; a backup lost with its worker is taken again the next night.
LONG_TASKS: dict[str, dict[str, Any]] = {
    "operations.scheduled_backup": {"acks_late": False},
}


def queue_names(default_queue: str) -> dict[str, str]:
    """Each kind's queue name, from the default queue's name."""
    return {kind: default_queue if kind == DEFAULT else f"{default_queue}-{kind}" for kind in KINDS}


def kombu_queues(default_queue: str) -> tuple[Queue, ...]:
    """CELERY_TASK_QUEUES: a worker started without -Q consumes every queue (one worker for all, as in
    development), and `app.control.purge()` empties them all."""
    return tuple(Queue(name, routing_key=name) for name in queue_names(default_queue).values())


def task_routes(default_queue: str) -> dict[str, dict[str, str]]:
    names = queue_names(default_queue)
    return {task: {"queue": names[kind]} for task, kind in TASK_KINDS.items()}


class QueueLimits:
    """CELERY_TASK_ANNOTATIONS: a task runs at most its queue's limits (a lower limit of its own stays),
    except the LONG_TASKS, which keep theirs and take the options given there."""

    def annotate(self, task: Any) -> dict[str, Any] | None:
        name = getattr(task, "name", "")
        if name in LONG_TASKS:
            return dict(LONG_TASKS[name])
        kind = KINDS.get(TASK_KINDS.get(name, ""))
        if kind is None:
            return None
        hard = min(task.time_limit or kind.time_limit, kind.time_limit)
        soft = min(task.soft_time_limit or kind.soft_time_limit, kind.soft_time_limit, hard - 1)
        return {"time_limit": hard, "soft_time_limit": soft}


if __name__ == "__main__":
    # `python -m greenlist.queues`: one line per queue, "kind queue concurrency", from the settings in force
    # (scripts/run.sh starts a worker for each line).
    import os
    import sys

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "greenlist.settings")
    django.setup()
    from django.conf import settings

    for kind, queue in queue_names(settings.CELERY_TASK_DEFAULT_QUEUE).items():  # = GREENLIST_QUEUES
        sys.stdout.write(f"{kind} {queue} {KINDS[kind].concurrency}\n")
