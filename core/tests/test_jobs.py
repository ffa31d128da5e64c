import datetime
import time

import pytest
from django.utils import timezone

from core.jobs import JOB_TASKS, jobs_resend_stuck
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
