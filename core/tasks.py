from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

from .outbox import FAILED, MAX_ATTEMPTS, SEND_TIME_LIMIT, backoff, outgoing_email_send, outgoing_emails_resend


@shared_task
def heartbeat() -> str:
    """Run by beat: records that beat and a worker are alive (shown by check_services)."""
    now = timezone.now().isoformat()
    cache.set("celery-heartbeat", now, timeout=None)
    return now


@shared_task
def resend_stuck_jobs() -> int:
    from .jobs import jobs_resend_stuck

    return jobs_resend_stuck()


@shared_task(bind=True, max_retries=None, time_limit=SEND_TIME_LIMIT, soft_time_limit=SEND_TIME_LIMIT - 15)
def send_outgoing_email(self, email_id: int) -> str:
    """Send one outbox row (core.outbox); a failed try is retried after the row's backoff. The
    attempts cap lives on the row, so Celery's own retry count is unlimited."""
    outcome, email = outgoing_email_send(email_id=email_id)
    if outcome == FAILED and email is not None and email.attempts < MAX_ATTEMPTS:
        # If the broker is down now, this raises instead and the sweep retries the row later.
        raise self.retry(countdown=backoff(email.attempts).total_seconds())
    return outcome


@shared_task(time_limit=120)
def resend_unsent_emails() -> int:
    """Run by beat: e-mails whose task message was lost (the broker was down when they were queued)."""
    return outgoing_emails_resend()
