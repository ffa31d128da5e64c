"""For tests that run the business change inside the test's transaction (no worker, no commit):
send what the outbox holds, here, through the real send service."""

from core.models import OutgoingEmail
from core.outbox import SENT, outgoing_email_send


def deliver_queued_emails() -> int:
    """Send every unsent, due row as a worker would; returns how many were sent."""
    sent = 0
    for email_id in OutgoingEmail.objects.filter(sent_at__isnull=True).order_by("pk").values_list("pk", flat=True):
        outcome, _email = outgoing_email_send(email_id=email_id)
        sent += outcome == SENT
    return sent
