"""Queues by kind of work (issue 19, greenlist/queues.py): every task routed, limits per queue, and the
e-mail still going out while the heavy queue is saturated (real workers, real broker)."""

import time

import pytest
from celery import current_app
from django.conf import settings
from django.core.cache import cache

from conftest import start_celery_worker, stop_celery_worker
from greenlist import queues
from tests.queue_tasks import RELEASE_KEY, STARTED_KEY


def registered_tasks() -> dict:
    current_app.loader.import_default_modules()
    return {
        name: task
        for name, task in current_app.tasks.items()
        if not name.startswith("celery.") and not name.startswith("tests.")
    }


def test_every_registered_task_is_routed_to_a_queue_of_its_kind():
    tasks = registered_tasks()
    unrouted = sorted(set(tasks) - set(queues.TASK_KINDS))
    assert not unrouted, f"tasks with no queue (add them to greenlist/queues.py TASK_KINDS): {unrouted}"
    stale = sorted(set(queues.TASK_KINDS) - set(tasks))
    assert not stale, f"greenlist/queues.py routes tasks that no longer exist: {stale}"
    router = current_app.amqp.router
    for name, kind in queues.TASK_KINDS.items():
        assert router.route({}, name)["queue"].name == settings.GREENLIST_QUEUES[kind], name
    # The e-mail keeps the default queue's name (messages queued before the split are still taken).
    assert settings.GREENLIST_QUEUES[queues.DEFAULT] == settings.CELERY_TASK_DEFAULT_QUEUE
    assert queues.TASK_KINDS["core.tasks.send_outgoing_email"] == queues.DEFAULT


def test_each_task_runs_within_its_queue_limits_and_the_visibility_timeout():
    for name, task in registered_tasks().items():
        kind = queues.KINDS[queues.TASK_KINDS[name]]
        assert task.soft_time_limit < task.time_limit, name
        if name in queues.LONG_TASKS:
            assert task.acks_late is False, f"{name} runs past the visibility timeout: it must acknowledge early"
            continue
        assert task.time_limit <= kind.time_limit, f"{name}: {task.time_limit} s over its queue's {kind.time_limit} s"
        if task.acks_late:
            assert task.time_limit < queues.VISIBILITY_TIMEOUT, name
    # A task that sets no limit of its own gets its queue's (not the largest of all).
    assert current_app.tasks["core.tasks.heartbeat"].time_limit == queues.KINDS[queues.DEFAULT].time_limit
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] == queues.VISIBILITY_TIMEOUT


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_an_invitation_goes_out_within_seconds_while_the_heavy_queue_is_saturated(tmp_path, staff):
    from accounts.choices import Role
    from accounts.services import invitation_create
    from core.models import OutgoingEmail
    from core.task_metrics import queue_lengths

    heavy = settings.GREENLIST_QUEUES[queues.HEAVY]
    current_app.control.purge()
    cache.delete_many([STARTED_KEY, RELEASE_KEY])
    # The heavy queue's worker (one process, as docker-compose.yml's worker-heavy) and the e-mail's.
    heavy_worker = start_celery_worker(tmp_path / "heavy.log", queues=heavy, extra=("-I", "tests.queue_tasks"))
    mail_worker = start_celery_worker(tmp_path / "mail.log", queues=settings.GREENLIST_QUEUES[queues.DEFAULT])
    try:
        for _ in range(4):  # long raster-like tasks: more than the heavy worker can take at once
            current_app.send_task("tests.queue_tasks.hold", args=[120], queue=heavy)
        deadline = time.monotonic() + 30
        while not cache.get(STARTED_KEY) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert cache.get(STARTED_KEY) == 1, "the heavy worker never started a long task"

        sent_at_start = time.monotonic()
        invitation_create(invited_by=staff, email="invitee@example.org", role=Role.INDEPENDENT_REVIEWER.value)
        email = OutgoingEmail.objects.get(kind="invitation", to=["invitee@example.org"])
        while email.sent_at is None and time.monotonic() - sent_at_start < 15:
            time.sleep(0.2)
            email.refresh_from_db()
        waited = time.monotonic() - sent_at_start
        assert email.sent_at is not None, f"the invitation was not sent in 15 s:\n{(tmp_path / 'mail.log').read_text()}"
        assert waited < 10, f"the invitation took {waited:.1f} s"
        # The heavy queue was still saturated all along: its first task still running, three waiting.
        assert cache.get(STARTED_KEY) == 1
        assert queue_lengths([heavy])[heavy] == 3
    finally:
        cache.set(RELEASE_KEY, 1, timeout=120)  # the long tasks end; the waiting ones are purged
        current_app.control.purge()
        stop_celery_worker(mail_worker)
        stop_celery_worker(heavy_worker)
        cache.delete_many([STARTED_KEY, RELEASE_KEY])


@pytest.mark.django_db(transaction=True)
def test_a_large_upload_is_processed_on_the_heavy_queue_and_a_photo_on_the_evidence_queue(
    settings, site_manager, staff, area
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from assessments.services import assessment_create
    from assessments.workflow import transition
    from core.task_metrics import queue_lengths
    from eligibility.tests.factories import make_eligible
    from evidence.services import evidence_upload
    from standards.tests.factories import load_gls

    load_gls()
    assessment = assessment_create(protected_area=area, user=site_manager, year=2026)
    make_eligible(assessment, staff=staff)
    transition(assessment, "candidate", by=staff)
    heavy, evidence = settings.GREENLIST_QUEUES[queues.HEAVY], settings.GREENLIST_QUEUES[queues.EVIDENCE]
    current_app.control.purge()  # no worker here: the messages wait where they were sent
    try:
        settings.EVIDENCE_HEAVY_UPLOAD_MB = 1
        small = SimpleUploadedFile("notes.txt", b"Rapport de patrouille, secteur nord.")
        evidence_upload(assessment=assessment, user=site_manager, file=small, title="Rapport")
        assert queue_lengths([heavy, evidence]) == {heavy: 0, evidence: 1}
        large = SimpleUploadedFile("mosaic.txt", b"x" * (1024 * 1024 + 1))
        evidence_upload(assessment=assessment, user=site_manager, file=large, title="Mosaique")
        assert queue_lengths([heavy, evidence]) == {heavy: 1, evidence: 1}
    finally:
        current_app.control.purge()
