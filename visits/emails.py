"""E-mails about site visits, queued in the outbox (core.outbox) within the transaction of the change
they announce, each site team member's in their own language."""

from __future__ import annotations

from collections import defaultdict

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from accounts.choices import Role
from accounts.models import RoleAssignment
from core.outbox import queue_email

from .models import SiteVisit

PLANNED = "visit.planned"


def _site_team_by_language(visit: SiteVisit) -> dict[str, list[str]]:
    people = (
        RoleAssignment.objects.active()
        .filter(role=Role.SITE_MANAGER, protected_area_id=visit.assessment.protected_area_id, user__is_active=True)
        .values_list("user__email", "user__language")
    )
    grouped: dict[str, list[str]] = defaultdict(list)
    for email, language in people:
        if email and email not in grouped[language or "en"]:
            grouped[language or "en"].append(email)
    return grouped


def planned_email_queue(visit: SiteVisit) -> None:
    """Tell the site team that the expert group plans to visit: when, the agenda, and where to read it."""
    link = settings.SITE_URL + reverse("visits:detail", args=[visit.pk])
    context = {"visit": visit, "area": visit.assessment.protected_area, "link": link}
    for language, recipients in sorted(_site_team_by_language(visit).items()):
        with translation.override(language):
            subject = render_to_string("visits/email/planned_subject.txt", context).strip()
            body = render_to_string("visits/email/planned.txt", context)
        queue_email(
            kind=PLANNED, to=recipients, subject=subject, body=body, dedupe_key=f"{PLANNED}:{visit.pk}:{language}"
        )
