"""E-mails of the review workflow, sent by the worker after the change is committed.

Tasks take ids and read the rows afresh; `notified_at` records that the assignee's mail went out,
so a redelivered task does not mail twice."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation


def _render(name: str, context: dict, language: str = "en") -> tuple[str, str]:
    with translation.override(language or "en"):
        body = render_to_string(f"reviews/email/{name}.txt", context)
        subject = render_to_string(f"reviews/email/{name}_subject.txt", context).strip()
    return subject, body


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notify_assignment(assignment_id: int) -> bool:
    from .models import ReviewAssignment

    with transaction.atomic():
        assignment = (
            ReviewAssignment.objects.select_for_update(of=("self",))
            .select_related("user", "assessment__protected_area", "assigned_by")
            .get(pk=assignment_id)
        )
        if assignment.notified_at is not None or assignment.removed_at is not None:
            return False
        link = settings.SITE_URL + reverse("reviews:declare", args=[assignment.pk])
        subject, body = _render("assigned", {"assignment": assignment, "link": link}, assignment.user.language)
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [assignment.user.email])
        assignment.notified_at = timezone.now()
        assignment.save(update_fields=["notified_at"])
    return True


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notify_conflict(assignment_id: int) -> int:
    from .models import ReviewAssignment
    from .selectors import staff_emails

    assignment = ReviewAssignment.objects.select_related("user", "assessment__protected_area").get(pk=assignment_id)
    recipients = staff_emails()
    if recipients:
        link = settings.SITE_URL + reverse("reviews:manage", args=[assignment.assessment_id])
        subject, body = _render("conflict", {"assignment": assignment, "link": link})
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    return len(recipients)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notify_request(request_id: int) -> int:
    from .models import InformationRequest
    from .selectors import site_team_emails

    req = InformationRequest.objects.select_related("answer__assessment__protected_area", "answer__indicator").get(
        pk=request_id
    )
    recipients = site_team_emails(req.answer.assessment)
    if recipients:
        link = (
            settings.SITE_URL
            + reverse("reviews:review", args=[req.answer.assessment_id])
            + f"#indicator-{req.answer_id}"
        )
        subject, body = _render("request", {"req": req, "link": link})
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    return len(recipients)
