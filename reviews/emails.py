"""E-mails of the review workflow, queued in the outbox (core.outbox) within the transaction of the
change they announce, so none is lost when the broker is down at that moment.

The assignee's mail has a dedupe key: withdrawing the assignment before it went out drops it, and
`ReviewAssignment.notified_at` is set when the outbox has sent it."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from core.outbox import queue_email, queued_email_cancel

from .models import ReviewAssignment
from .selectors import site_team_emails, staff_emails

ASSIGNED = "review.assigned"


def _render(name: str, context: dict, language: str = "en") -> tuple[str, str]:
    with translation.override(language or "en"):
        body = render_to_string(f"reviews/email/{name}.txt", context)
        subject = render_to_string(f"reviews/email/{name}_subject.txt", context).strip()
    return subject, body


def _assigned_key(assignment_id: int) -> str:
    return f"{ASSIGNED}:{assignment_id}"


def assignment_email_queue(assignment) -> None:
    """Ask the assignee, in their language, to declare their conflicts of interest."""
    link = settings.SITE_URL + reverse("reviews:declare", args=[assignment.pk])
    subject, body = _render("assigned", {"assignment": assignment, "link": link}, assignment.user.language)
    queue_email(
        kind=ASSIGNED, to=[assignment.user.email], subject=subject, body=body, dedupe_key=_assigned_key(assignment.pk)
    )


def assignment_email_cancel(assignment) -> None:
    queued_email_cancel(dedupe_key=_assigned_key(assignment.pk))


def assignment_notified(email) -> None:
    """The outbox sent the assignee's mail (core.outbox.ON_SENT): record when."""
    assignment_id = int(email.dedupe_key.rpartition(":")[2])
    ReviewAssignment.objects.filter(pk=assignment_id, notified_at__isnull=True).update(notified_at=email.sent_at)


def conflict_email_queue(assignment) -> None:
    """Tell staff that an assignee declared a conflict."""
    recipients = staff_emails()
    if recipients:
        link = settings.SITE_URL + reverse("reviews:manage", args=[assignment.assessment_id])
        subject, body = _render("conflict", {"assignment": assignment, "link": link})
        queue_email(kind="review.conflict", to=recipients, subject=subject, body=body)


def request_email_queue(req) -> None:
    """Tell the site team that a reviewer asked a question on one indicator."""
    recipients = site_team_emails(req.answer.assessment)
    if recipients:
        link = (
            settings.SITE_URL
            + reverse("reviews:review", args=[req.answer.assessment_id])
            + f"#indicator-{req.answer_id}"
        )
        subject, body = _render("request", {"req": req, "link": link})
        queue_email(kind="review.request", to=recipients, subject=subject, body=body)


def reply_email_queue(reply) -> None:
    """Tell the reviewer who asked that the site team answered (with how many files), in their language."""
    req = reply.request
    asker = req.asked_by
    if not asker.is_active or not asker.email or asker.pk == reply.author_id:
        return
    link = settings.SITE_URL + req.get_absolute_url()
    context = {"req": req, "reply": reply, "files": reply.evidence.count(), "link": link}
    subject, body = _render("reply", context, asker.language)
    queue_email(kind="review.reply", to=[asker.email], subject=subject, body=body)
