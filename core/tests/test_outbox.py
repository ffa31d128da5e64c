"""The e-mail outbox (core.outbox): rows commit with the business change, a real worker sends them
once, the sweep sends what lost its task message, and a failing mail server leaves the row for retry."""

import datetime
import socket
import time

import pytest
from celery.exceptions import Retry
from django.core import mail
from django.db import transaction
from django.utils import timezone

from core import outbox
from core.models import OutgoingEmail
from core.tasks import send_outgoing_email
from greenlist.celery import app

pytestmark = pytest.mark.django_db


def dead_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again at once: nothing listens there


@pytest.fixture
def smtp_down(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", dead_port(), 5
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    return settings


def wait_until_sent(email: OutgoingEmail, worker, seconds: float = 30) -> OutgoingEmail:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        email.refresh_from_db()
        if email.sent_at is not None:
            return email
        time.sleep(0.2)
    pytest.fail(f"e-mail #{email.pk} not sent:\n{worker.log_path.read_text()[-3000:]}")


def test_the_row_commits_with_the_business_change_or_not_at_all(django_capture_on_commit_callbacks):
    # when the change fails after its e-mail was queued
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(RuntimeError):
        with transaction.atomic():
            outbox.queue_email(kind="test", to=["a@example.org"], subject="S", body="B")
            raise RuntimeError("the change failed")
    # then neither the row nor its task is left
    assert not OutgoingEmail.objects.exists()
    assert callbacks == []


def test_a_dedupe_key_queues_once_and_no_recipient_queues_nothing():
    first = outbox.queue_email(
        kind="test", to=["a@example.org", "a@example.org", ""], subject="S", body="B", dedupe_key="k"
    )
    again = outbox.queue_email(kind="test", to=["b@example.org"], subject="S2", body="B2", dedupe_key="k")
    assert again.pk == first.pk and again.to == ["a@example.org"]
    assert outbox.queue_email(kind="test", to=[], subject="S", body="B") is None
    assert OutgoingEmail.objects.count() == 1


def test_a_task_delivered_twice_sends_one_mail():
    email = outbox.queue_email(kind="test", to=["a@example.org"], subject="Once", body="Only once.")
    assert send_outgoing_email(email.pk) == outbox.SENT
    assert send_outgoing_email(email.pk) == outbox.SKIPPED
    assert [(m.subject, m.to) for m in mail.outbox] == [("Once", ["a@example.org"])]
    email.refresh_from_db()
    assert email.sent_at is not None and email.attempts == 1


def test_a_mail_server_failure_records_the_error_and_leaves_the_row_for_retry(smtp_down):
    email = outbox.queue_email(kind="test", to=["a@example.org"], subject="Later", body="Eventually.")
    # when the mail server cannot be reached
    outcome, _ = outbox.outgoing_email_send(email_id=email.pk)
    # then the row stays unsent, with the error, due again after the backoff
    assert outcome == outbox.FAILED
    email.refresh_from_db()
    assert email.sent_at is None and email.attempts == 1
    assert "ConnectionRefusedError" in email.last_error
    assert email.next_attempt_at > timezone.now() + datetime.timedelta(seconds=90)
    # and a second delivery before then does not try again (the backoff holds)
    assert outbox.outgoing_email_send(email_id=email.pk) == (outbox.SKIPPED, None)
    # the task asks Celery for a retry
    OutgoingEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())
    with pytest.raises(Retry):
        send_outgoing_email(email.pk)
    email.refresh_from_db()
    assert email.attempts == 2
    # when the server is back and the row is due, it goes out
    smtp_down.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    OutgoingEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())
    assert outbox.outgoing_email_send(email_id=email.pk)[0] == outbox.SENT
    assert [m.subject for m in mail.outbox] == ["Later"]


def test_tries_stop_at_the_cap_and_the_sweep_leaves_the_row_to_staff(smtp_down):
    email = outbox.queue_email(kind="test", to=["a@example.org"], subject="Never", body="No server.")
    OutgoingEmail.objects.filter(pk=email.pk).update(attempts=outbox.MAX_ATTEMPTS - 1)
    assert outbox.outgoing_email_send(email_id=email.pk)[0] == outbox.FAILED
    # the last try asks for no retry
    far = timezone.now() + datetime.timedelta(days=1)
    OutgoingEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now() - datetime.timedelta(hours=1))
    assert send_outgoing_email(email.pk) == outbox.SKIPPED
    assert outbox.outgoing_emails_resend(now=far) == 0
    email.refresh_from_db()
    assert email.sent_at is None and email.attempts == outbox.MAX_ATTEMPTS and email.last_error


def test_every_on_sent_hook_resolves():
    from django.utils.module_loading import import_string

    for path in outbox.ON_SENT.values():
        assert callable(import_string(path))


def test_beat_runs_the_outbox_sweep(settings):
    tasks_scheduled = {e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "core.tasks.resend_unsent_emails" in tasks_scheduled
    assert {"core.tasks.resend_unsent_emails", "core.tasks.send_outgoing_email"} <= set(app.tasks)


# --- with a real worker ---------------------------------------------------------------------------


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_an_invitation_is_mailed_by_a_real_worker_once_even_if_its_task_comes_twice(celery_worker_process, staff):
    from accounts.services import invitation_create

    # when staff invite someone
    invitation, token = invitation_create(invited_by=staff, email="new@example.org", role="independent_reviewer")
    # then the e-mail was stored with the invitation, and the worker sends it
    email = OutgoingEmail.objects.get(kind="invitation")
    assert email.to == [invitation.email]
    wait_until_sent(email, celery_worker_process)
    # and, once out, its one-time link is not kept in the outbox
    email.refresh_from_db()
    assert email.body == outbox.ERASED_BODY and token not in email.body
    # and its task delivered again (a redelivery) sends nothing more
    assert send_outgoing_email.delay(email.pk).get(timeout=30) == outbox.SKIPPED
    email.refresh_from_db()
    assert email.attempts == 1


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_sweep_sends_a_row_whose_task_message_was_lost(celery_worker_process):
    # given a row stored while the broker was down (no task message), and one queued just now
    lost = OutgoingEmail.objects.create(
        kind="test",
        to=["a@example.org"],
        subject="Lost",
        body="Queued while Redis was down.",
        next_attempt_at=timezone.now() - outbox.RESEND_AFTER - datetime.timedelta(minutes=1),
    )
    fresh = OutgoingEmail.objects.create(kind="test", to=["b@example.org"], subject="Fresh", body="Just queued.")
    # when beat's sweep runs
    assert outbox.outgoing_emails_resend() == 1
    # then the worker sends the lost one; the fresh one is left to its own task
    wait_until_sent(lost, celery_worker_process)
    assert lost.attempts == 1
    fresh.refresh_from_db()
    assert fresh.sent_at is None and fresh.attempts == 0
    # and a sweep run again at once does not send the lost row again
    assert outbox.outgoing_emails_resend() == 0


# --- what staff see ------------------------------------------------------------------------------


def test_staff_see_the_outbox_read_only_with_errors_and_no_invitation_link(client, staff, smtp_down):
    from accounts.services import invitation_create

    failed = outbox.queue_email(kind="test", to=["a@example.org"], subject="Bounced", body="Body text.")
    outbox.outgoing_email_send(email_id=failed.pk)
    _invitation, token = invitation_create(invited_by=staff, email="new@example.org", role="iucn_staff")
    invitation_mail = OutgoingEmail.objects.get(kind="invitation")
    client.force_login(staff)

    listing = client.get("/admin/core/outgoingemail/")
    assert listing.status_code == 200
    assert "Bounced" in listing.content.decode() and "failed, will retry" in listing.content.decode()
    found = client.get("/admin/core/outgoingemail/", {"q": "new@example.org"}).content.decode()
    assert "new@example.org" in found and "Bounced" not in found
    detail = client.get(f"/admin/core/outgoingemail/{failed.pk}/change/").content.decode()
    assert "ConnectionRefusedError" in detail and "Body text." in detail
    assert 'name="_save"' not in detail  # nothing to change
    secret = client.get(f"/admin/core/outgoingemail/{invitation_mail.pk}/change/").content.decode()
    assert token not in secret and "not shown" in secret
    assert client.get("/admin/core/outgoingemail/add/").status_code == 403
    assert client.post(f"/admin/core/outgoingemail/{failed.pk}/delete/", {"post": "yes"}).status_code == 403
    assert OutgoingEmail.objects.filter(pk=failed.pk).exists()


def test_people_without_a_staff_role_cannot_see_the_outbox(client, site_manager):
    client.force_login(site_manager)
    response = client.get("/admin/core/outgoingemail/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
