import datetime
import time

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.db import OperationalError
from django.utils import timezone

from core.errors import DomainError
from core.jobs import JOB_TASKS, JobDone, JobTask, job_create, job_run, jobs_resend_stuck
from core.models import Job
from greenlist.celery import app

pytestmark = pytest.mark.django_db


def test_every_job_kind_maps_to_a_registered_task():
    app.loader.import_default_modules()
    assert set(JOB_TASKS.values()) <= set(app.tasks)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_job_whose_message_was_lost_is_resent_and_run_once(celery_worker_process, staff):
    # given an export queued while the broker was down: the row exists, no message was sent

    job = Job.objects.create(kind="reports.export", params={"assessment": -1, "format": "csv"}, created_by=staff)
    Job.objects.filter(pk=job.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=10))
    fresh = Job.objects.create(kind="reports.export", params={"assessment": -1, "format": "csv"}, created_by=staff)
    # when the sweep runs
    assert jobs_resend_stuck() == 1
    # then the worker picks the old job up (it fails cleanly: that assessment does not exist)
    deadline = timezone.now() + datetime.timedelta(seconds=60)
    while timezone.now() < deadline:
        job.refresh_from_db()
        if job.status in {Job.Status.DONE, Job.Status.FAILED}:
            break
        time.sleep(0.2)
    assert job.status == Job.Status.FAILED
    assert "no longer visible" in job.error
    fresh.refresh_from_db()
    assert fresh.status == Job.Status.QUEUED  # too young to be considered lost


# --- the runner (core.jobs.job_run): one set of steps for every kind -----------------------------


def _job(staff, **fields):
    return Job.objects.create(**{"kind": "reports.export", "params": {}, "total": 4, "created_by": staff, **fields})


def test_a_job_runs_once_to_its_result_and_file(staff):
    # given a queued job and a kind's work that reports progress and makes a file
    job = _job(staff)
    seen = []

    def work(job, progress):
        seen.append(Job.objects.get(pk=job.pk).status)
        progress(2)
        seen.append(Job.objects.values_list("progress", "total").get(pk=job.pk))
        return JobDone(result={"rows": 3}, file_name="out/report.csv", content=b"a,b\n")

    # when it runs
    done = job_run(job.pk, kind="reports.export", work=work)
    # then it ran as running, counted its steps, and is done with its result and file, progress full
    assert seen == ["running", (2, 4)]
    assert (done.status, done.progress, done.result, done.error) == ("done", 4, {"rows": 3}, "")
    assert done.started_at and done.finished_at
    with done.output_file.open("rb") as f:
        assert f.read() == b"a,b\n"
    # and a second delivery of its message does nothing
    assert job_run(job.pk, kind="reports.export", work=lambda *a: pytest.fail("ran twice")).status == "done"


def test_progress_may_learn_the_total_and_a_job_of_another_kind_is_not_run(staff):
    job = _job(staff, total=None)

    def work(job, progress):
        progress(10, None)  # not known yet
        progress(20, 50)
        return JobDone()

    assert job_run(job.pk, kind="reports.export", work=work).progress == 50
    with pytest.raises(Job.DoesNotExist):
        job_run(job.pk, kind="protected_area_import", work=work)


def test_a_domain_error_fails_the_job_with_its_message_without_server_paths(staff, settings):
    job = _job(staff)
    failed = []

    def work(job, progress):
        raise DomainError("bad_file", f"Could not read {settings.MEDIA_ROOT}/jobs/input/2026/12/parks.gpkg.")

    done = job_run(job.pk, kind="reports.export", work=work, on_failed=failed.append)
    assert (done.status, done.error) == ("failed", "Could not read parks.gpkg.")
    assert str(settings.MEDIA_ROOT) not in done.error and failed == [done]


def test_an_unexpected_error_fails_the_job_with_a_safe_message_and_is_raised_and_logged(staff, caplog):
    job = _job(staff)

    def work(job, progress):
        raise KeyError("/srv/secret/path SELECT * FROM users")

    with pytest.raises(KeyError):
        job_run(job.pk, kind="reports.export", work=work)
    job.refresh_from_db()
    assert job.status == "failed" and "KeyError" in job.error
    assert "/srv" not in job.error and "SELECT" not in job.error  # the text stays in the log
    assert "SELECT * FROM users" in caplog.text


def test_a_dropped_database_is_retried_not_failed(staff):
    # given work that loses the database connection
    job = _job(staff)

    def work(job, progress):
        raise OperationalError("server closed the connection unexpectedly")

    # then the error goes to the task (JobTask retries on it) and the job stays running, to be
    # claimed again by the retry
    with pytest.raises(OperationalError):
        job_run(job.pk, kind="reports.export", work=work)
    job.refresh_from_db()
    assert job.status == "running" and job.error == ""
    assert job_run(job.pk, kind="reports.export", work=lambda job, progress: JobDone()).status == "done"
    assert OperationalError in JobTask.autoretry_for


def test_a_task_that_gives_up_fails_its_job_if_unfinished(staff):
    running = _job(staff, status="running")
    finished = _job(staff, status="done")
    for job in (running, finished):
        JobTask().on_failure(SoftTimeLimitExceeded(), "task-id", [job.pk], {}, None)
    running.refresh_from_db()
    finished.refresh_from_db()
    assert running.status == "failed" and "SoftTimeLimitExceeded" in running.error
    assert finished.status == "done" and finished.error == ""


def test_job_create_sends_the_kinds_task_once_committed(staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        job = job_create(kind="reports.export", user=staff, params={"format": "csv"}, total=4)
    assert (job.status, job.created_by, job.total) == ("queued", staff, 4)
    assert len(callbacks) == 1  # the task is sent only after the row is committed


def test_every_kind_of_job_has_a_name_for_people():
    from core.jobs import JOB_NAMES

    assert JOB_NAMES.keys() == JOB_TASKS.keys()
