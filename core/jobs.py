"""Long-running jobs (`core.models.Job`): the one runner every kind goes through.

A job is queued → running → done or failed, and nothing but this module writes its status:

- `job_create` writes the row (kind, params, input file, who) and sends its task once the
  transaction commits;
- `job_run`, called by that task in a worker, claims the job (a message delivered twice runs it
  once), hands the kind's own *work* function a progress callback, and records what came of it: done
  with a result (and an output file), or failed with a message a person may read;
- `jobs_resend_stuck`, run by beat, re-sends jobs whose message never reached a worker (the broker
  was down when they were queued).

The tasks of each kind take `base=JobTask`: a dropped database connection is retried, and a task
that gives up (retries spent, time limit) leaves its job failed rather than running for ever.

Who may see a job is the kind's business (reports.selectors.get_job_for_user composes them: core is
below the apps that own the kinds, docs/architecture.md).
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from celery import Task, current_app
from django.conf import settings
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from .errors import TRANSIENT_DATABASE_ERRORS, DomainError, without_paths
from .models import Job

log = logging.getLogger(__name__)

# kind → dotted name of the Celery task that runs it (the task takes the job id). Sent by name through
# the current Celery app (the project's, made current when Django starts): core, at the bottom of
# docs/architecture.md, imports neither those apps nor the project package.
JOB_TASKS = {
    "protected_area_import": "protected_areas.tasks.run_protected_area_import",
    "protected_area_import_preview": "protected_areas.tasks.run_protected_area_import_preview",
    "reports.export": "reports.tasks.run_export",
}
# kind → what people call it (the staff system page's failed jobs): the kind itself is a code.
JOB_NAMES = {
    "protected_area_import": _("Import of protected areas"),
    "protected_area_import_preview": _("Import preview"),
    "reports.export": _("Export of an assessment"),
}
STUCK_AFTER = datetime.timedelta(minutes=5)
UNFINISHED = (Job.Status.QUEUED, Job.Status.RUNNING)
# Shown to the person when the work broke on something other than a DomainError: the exception's
# text may hold paths, SQL or data, so only its class name is named; the traceback is in the log.
# Marked only: translated into the job's language when it fails (_unexpected), as a kind's own
# `unexpected` sentence is (a kind marks its own with gettext_noop).
UNEXPECTED = gettext_noop(
    "The job stopped on an unexpected error ({error}); the operators have the details in the worker log."
)

Progress = Callable[..., None]
_KEEP = object()  # progress(done) leaves the total as it is


@dataclass
class JobDone:
    """What a kind's work function returns: the result shown with the job, and its file if any."""

    result: dict[str, Any] = field(default_factory=dict)
    file_name: str = ""  # where to store `content` (under the Job's output folder)
    content: bytes | None = None


def job_create(
    *,
    kind: str,
    user: Any,  # accounts.User (core is below accounts: docs/architecture.md)
    params: dict[str, Any],
    total: int | None = None,
    input_file: File[Any] | None = None,
    input_name: str = "",
) -> Job:
    """Write a queued job and send its task once the caller's transaction commits (if the broker is
    down then, `jobs_resend_stuck` sends it later)."""
    task = JOB_TASKS[kind]
    with transaction.atomic():
        job = Job.objects.create(
            kind=kind, created_by=user, params=params, total=total, language=translation.get_language() or ""
        )
        if input_file is not None:
            job.input_file.save(input_name or input_file.name or "input", input_file, save=True)
        transaction.on_commit(lambda: current_app.send_task(task, args=[job.pk]), robust=True)
    return job


def job_run(
    job_id: int,
    *,
    kind: str,
    work: Callable[[Job, Progress], JobDone],
    unexpected: str = UNEXPECTED,
    on_done: Callable[[Job], object] | None = None,
    on_failed: Callable[[Job], object] | None = None,
) -> Job:
    """Run a job of `kind` (in a worker): `work(job, progress)` does the kind's part and returns a
    `JobDone`; `progress(done[, total])` may be called as often as it likes.

    A `DomainError` fails the job with its message (server paths cut out); a dropped database
    connection is raised for the task to retry; anything else fails the job with `unexpected` (which
    may name the exception's class as `{error}`), is logged with its traceback and raised again, so
    the task shows as failed too. `on_done` / `on_failed` add the kind's own record (audit events)."""
    job = Job.objects.select_related("created_by").get(pk=job_id, kind=kind)
    # Running too: a worker that died mid-job leaves it running, and its message comes back.
    if not Job.objects.filter(pk=job.pk, status__in=UNFINISHED).update(
        status=Job.Status.RUNNING, started_at=timezone.now()
    ):
        return job  # delivered twice: the first delivery did the work
    log.info("job %s: %s → running", job.pk, job.status)

    def progress(done: int, total: Any = _KEEP) -> None:
        # `total` only when the work knows it (an import learns it from the file; None: unknown).
        fields = {"progress": done} if total is _KEEP else {"progress": done, "total": total}
        Job.objects.filter(pk=job.pk).update(**fields)

    try:
        with translation.override(job.language or settings.LANGUAGE_CODE):
            outcome = work(job, progress)
    except DomainError as exc:
        _finish(job, Job.Status.FAILED, error=without_paths(exc.message))
        if on_failed:
            on_failed(job)
    except TRANSIENT_DATABASE_ERRORS:
        # The database went away: nothing can be recorded now. The task retries (JobTask), and the
        # job, still running, is claimed again.
        log.warning("job %s: database unavailable, to be retried", job.pk, exc_info=True)
        raise
    except Exception as exc:
        log.exception("job %s (%s) failed", job.pk, job.kind)
        _finish(job, Job.Status.FAILED, error=_unexpected(unexpected, job.language, exc))
        if on_failed:
            on_failed(job)
        raise
    else:
        fields: dict[str, Any] = {"result": outcome.result}
        if outcome.content is not None:
            job.output_file.save(outcome.file_name, ContentFile(outcome.content), save=False)
            fields["output_file"] = job.output_file.name
        _finish(job, Job.Status.DONE, **fields)
        if on_done:
            on_done(job)
    return job


def _unexpected(sentence: str, language: str, exc: BaseException) -> str:
    """`sentence` (marked with gettext_noop) in the language the person who asked for the job was
    reading, naming the exception's class as `{error}`. A sentence with no translation stays English."""
    with translation.override(language or settings.LANGUAGE_CODE):
        return gettext(sentence).format(error=type(exc).__name__)


def _finish(job: Job, status: str, **fields: Any) -> None:
    # Done: progress reaches the total where it is known (else it stays at what was counted).
    progress = Coalesce(F("total"), F("progress")) if status == Job.Status.DONE else F("progress")
    Job.objects.filter(pk=job.pk).update(status=status, finished_at=timezone.now(), progress=progress, **fields)
    job.refresh_from_db()
    log.info("job %s: running → %s", job.pk, status)


def job_fail_unfinished(job_id: int, error: str) -> bool:
    """Fail a job that is still queued or running (its task gave up). False if it had finished."""
    failed = Job.objects.filter(pk=job_id, status__in=UNFINISHED).update(
        status=Job.Status.FAILED, error=error, finished_at=timezone.now()
    )
    if failed:
        log.info("job %s: → failed (its task gave up)", job_id)
    return bool(failed)


class JobTask(Task):
    """The base of every job's task (`@shared_task(base=JobTask)`): a dropped database connection
    is retried with a growing pause; when the task gives up for good (retries spent, soft time
    limit), the job is failed rather than left running."""

    autoretry_for = TRANSIENT_DATABASE_ERRORS
    max_retries = 5
    retry_backoff = 5
    retry_backoff_max = 120

    def on_failure(self, exc: BaseException, task_id: str, args: Any, kwargs: Any, einfo: Any) -> None:
        if args:
            language = Job.objects.filter(pk=args[0]).values_list("language", flat=True).first() or ""
            job_fail_unfinished(args[0], _unexpected(UNEXPECTED, language, exc))


def jobs_resend_stuck(*, now: datetime.datetime | None = None) -> int:
    """Re-send jobs still queued after STUCK_AFTER. Safe to repeat: `job_run` skips jobs that are
    no longer queued or running, so a job delivered twice is done once."""
    cutoff = (now or timezone.now()) - STUCK_AFTER
    sent = 0
    for job in Job.objects.filter(status=Job.Status.QUEUED, created_at__lt=cutoff, kind__in=JOB_TASKS):
        current_app.send_task(JOB_TASKS[job.kind], args=[job.pk])
        sent += 1
    if sent:
        log.info("re-sent %d queued job(s)", sent)
    return sent


def job_retry(job_id: int) -> Job | None:
    """Queue a failed job again (staff's retry on the system page, issue 20): its error, progress and
    times are cleared and its task is sent once the caller's transaction commits; `job_run` then
    claims it as any queued job. None when the job is not failed (done, running, or retried already)."""
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id, status=Job.Status.FAILED, kind__in=JOB_TASKS).first()
        if job is None:
            return None
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.QUEUED, error="", progress=0, started_at=None, finished_at=None
        )
        job.refresh_from_db()
        task = JOB_TASKS[job.kind]
        transaction.on_commit(lambda: current_app.send_task(task, args=[job_id]), robust=True)
    log.info("job %s: failed → queued (retried)", job_id)
    return job
