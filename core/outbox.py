"""The e-mail outbox: every e-mail the platform sends goes through here.

`queue_email` writes an `OutgoingEmail` row in the caller's transaction and asks a worker to send it
once that transaction commits. If the broker is down at that moment the row is still there and the
beat sweep (`outgoing_emails_resend`) sends it later. A failed send is retried with backoff, up to
MAX_ATTEMPTS tries; the last error stays on the row for staff to see in the admin.

A worker claims a row before sending (under a row lock it moves `next_attempt_at` past the longest a
send may take) and marks it sent afterwards, so a task delivered twice, a retry and the sweep never
send one row twice. Only a worker dying between the mail server accepting the message and the row
being marked could make a second copy: delivery is at least once, never silently none.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import OutgoingEmail

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8  # tries over about four hours (backoff below), then staff see it as given up
# A row due this long ago and still not claimed has lost its task message (broker down, purged).
RESEND_AFTER = datetime.timedelta(minutes=5)
# The hard time limit of the send task, in seconds: shorter than the first backoff, so a claim
# always outlives the send it covers.
SEND_TIME_LIMIT = 90
# A retry's countdown is computed by one clock and checked against another: allow for a little skew.
CLOCK_SLACK = datetime.timedelta(seconds=5)
SWEEP_BATCH = 500
# What is kept of a sending error: enough for staff to see what went wrong, not a whole traceback.
LAST_ERROR_MAX = 2000

SENT, FAILED, SKIPPED = "sent", "failed", "skipped"

# Kinds whose body holds a secret (an invitation's one-time sign-up link, a stakeholder comment's
# confirmation link, the private link a concern's raiser follows it by): never shown, even to staff,
# and erased once the mail is out, so nobody who reads the outbox can sign up or confirm in the
# recipient's place.
SECRET_BODY_KINDS = {"invitation", "stakeholders.comment_confirm", "concerns.private_link"}
ERASED_BODY = "(erased once sent: it held a one-time link)"

# kind → dotted path of a function called with the row, in the transaction that marks it sent
# (for senders that record on their own rows that the mail went out).
ON_SENT = {
    "review.assigned": "reviews.emails.assignment_notified",
}


def backoff(attempts: int) -> datetime.timedelta:
    """The wait after the `attempts`-th try: 2, 4, 8 … minutes, at most an hour."""
    return datetime.timedelta(seconds=min(120 * 2 ** max(attempts - 1, 0), 3600))


def queue_email(
    *, kind: str, to: Iterable[str], subject: str, body: str, dedupe_key: str | None = None
) -> OutgoingEmail | None:
    """Store an e-mail in the caller's transaction; a worker sends it after commit.

    With a `dedupe_key`, queueing the same key again returns the first row and adds nothing.
    Returns None when there is nobody to send to."""
    recipients = list(dict.fromkeys(address for address in to if address))
    if not recipients:
        return None
    email = OutgoingEmail(kind=kind, to=recipients, subject=subject, body=body, dedupe_key=dedupe_key)
    if dedupe_key is None:
        email.save()
    else:
        # ON CONFLICT DO NOTHING: a duplicate neither fails the caller's transaction nor mails twice.
        OutgoingEmail.objects.bulk_create([email], ignore_conflicts=True)
        email = OutgoingEmail.objects.get(dedupe_key=dedupe_key)
    if email.sent_at is None:
        # robust: the business change commits even when the broker is down; the sweep sends it later.
        # (A lambda, not functools.partial: Django names the callback in its log when it fails.)
        email_id = email.pk
        transaction.on_commit(lambda: _enqueue(email_id), robust=True)
    return email


def _enqueue(email_id: int) -> None:
    from .tasks import send_outgoing_email

    send_outgoing_email.delay(email_id)


def queued_email_cancel(*, dedupe_key: str) -> bool:
    """Drop an e-mail not sent yet (what it announced was undone). True if one was dropped."""
    deleted, _ = OutgoingEmail.objects.filter(dedupe_key=dedupe_key, sent_at__isnull=True).delete()
    return bool(deleted)


def outgoing_email_send(*, email_id: int) -> tuple[str, OutgoingEmail | None]:
    """Send one row if it is unsent and due. Returns (SENT | FAILED | SKIPPED, the row).

    SKIPPED: already sent, given up, deleted, or claimed by another try that is not over yet."""
    now = timezone.now()
    with transaction.atomic():
        email = (
            OutgoingEmail.objects.select_for_update(skip_locked=True)
            .filter(
                pk=email_id, sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS, next_attempt_at__lte=now + CLOCK_SLACK
            )
            .first()
        )
        if email is None:
            return SKIPPED, None
        email.attempts += 1
        email.next_attempt_at = now + backoff(email.attempts)
        email.save(update_fields=["attempts", "next_attempt_at"])
    # The claim is committed: the mail server is talked to outside any transaction or lock.
    try:
        EmailMessage(subject=email.subject, body=email.body, from_email=settings.DEFAULT_FROM_EMAIL, to=email.to).send()
    except Exception as exc:  # noqa: BLE001 - any failure is recorded and retried, up to the cap
        email.last_error = f"{type(exc).__name__}: {exc}"[:LAST_ERROR_MAX]
        OutgoingEmail.objects.filter(pk=email.pk).update(last_error=email.last_error)
        log.warning("e-mail #%s (%s) not sent, try %s: %s", email.pk, email.kind, email.attempts, email.last_error)
        return FAILED, email
    with transaction.atomic():
        email.sent_at = timezone.now()
        sent: dict[str, object] = {"sent_at": email.sent_at}
        if email.kind in SECRET_BODY_KINDS:
            sent["body"] = email.body = ERASED_BODY
        OutgoingEmail.objects.filter(pk=email.pk).update(**sent)
        if email.kind in ON_SENT:
            try:
                with transaction.atomic():
                    import_string(ON_SENT[email.kind])(email)
            except Exception:  # noqa: BLE001 - the mail is out: never unmark it (it would go twice)
                log.exception("e-mail #%s sent, but its %s hook failed", email.pk, email.kind)
    return SENT, email


def outgoing_emails_resend(*, now: datetime.datetime | None = None) -> int:
    """Run by beat: enqueue again every unsent row due for RESEND_AFTER and still unclaimed (its
    message was lost, or its retry could not be queued). Returns how many were enqueued."""
    from .tasks import send_outgoing_email

    now = now or timezone.now()
    with transaction.atomic():
        # skip_locked: a row a worker is claiming right now is not touched.
        due = list(
            OutgoingEmail.objects.select_for_update(skip_locked=True)
            .filter(sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS, next_attempt_at__lte=now - RESEND_AFTER)
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[:SWEEP_BATCH]
        )
        # Due "now", so the next sweep leaves them alone for RESEND_AFTER while the tasks run.
        OutgoingEmail.objects.filter(pk__in=due).update(next_attempt_at=now)
    for email_id in due:
        send_outgoing_email.delay(email_id)
    if due:
        log.info("outbox sweep: re-sent %d e-mail(s)", len(due))
    return len(due)
