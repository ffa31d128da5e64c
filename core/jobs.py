"""Long-running jobs (`core.models.Job`): which task runs each kind, and the sweep that re-sends
jobs whose message never reached a worker (the broker was down when they were queued)."""

from __future__ import annotations

import datetime
import logging

from celery import current_app
from django.utils import timezone

from .models import Job

log = logging.getLogger(__name__)

# kind → dotted name of the Celery task that runs it (the task takes the job id). Sent by name through
# the current Celery app (the project's, made current when Django starts): core, at the bottom of
# docs/architecture.md, imports neither those apps nor the project package.
JOB_TASKS = {
    "protected_area_import": "protected_areas.tasks.run_protected_area_import",
    "reports.export": "reports.tasks.run_export",
}
STUCK_AFTER = datetime.timedelta(minutes=5)


def jobs_resend_stuck(*, now: datetime.datetime | None = None) -> int:
    """Re-send jobs still queued after STUCK_AFTER. Safe to repeat: the job tasks skip jobs that are
    no longer queued or running, so a job delivered twice is done once."""
    cutoff = (now or timezone.now()) - STUCK_AFTER
    sent = 0
    for job in Job.objects.filter(status=Job.Status.QUEUED, created_at__lt=cutoff, kind__in=JOB_TASKS):
        current_app.send_task(JOB_TASKS[job.kind], args=[job.pk])
        sent += 1
    if sent:
        log.info("re-sent %d queued job(s)", sent)
    return sent
