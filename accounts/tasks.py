from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from .models import Invitation


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_invitation_email(invitation_id: int, token: str) -> None:
    invitation = Invitation.objects.select_related("invited_by", "protected_area", "jurisdiction").get(pk=invitation_id)
    link = settings.SITE_URL + reverse("accounts:invitation-accept", args=[token])
    with translation.override(invitation.invited_by.language or "en"):
        body = render_to_string("accounts/email/invitation.txt", {"invitation": invitation, "link": link})
        subject = render_to_string("accounts/email/invitation_subject.txt", {"invitation": invitation}).strip()
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.email])
