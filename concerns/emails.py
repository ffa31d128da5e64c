"""The concerns' e-mails, through the outbox, each in its reader's language.

The raiser's e-mails carry their private link: their kind is a secret body (core.outbox
SECRET_BODY_KINDS), erased once sent. They say which step was reached, never internal reasons."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from accounts.choices import Role
from accounts.models import RoleAssignment
from core.outbox import queue_email

from .models import Concern

RAISER_KIND = "concerns.private_link"


def _render(name: str, context: dict, language: str) -> tuple[str, str]:
    with translation.override(language):
        subject = render_to_string(f"concerns/email/{name}_subject.txt", context).strip()
        body = render_to_string(f"concerns/email/{name}.txt", context)
    return subject, body


def to_raiser(concern: Concern, step: str, link: str) -> None:
    """`step`: confirm (the first e-mail), triaged, decided, closed."""
    context = {"concern": concern, "area": concern.protected_area, "link": link, "step": step}
    subject, body = _render("raiser", context, concern.language)
    queue_email(kind=RAISER_KIND, to=[concern.email], subject=subject, body=body)


def _people(role: str, **filters) -> list:
    rows = RoleAssignment.objects.active().filter(role=role, user__is_active=True, **filters).select_related("user")
    return list({r.user.pk: r.user for r in rows}.values())


def _to_people(people: list, name: str, concern: Concern) -> None:
    link = f"{settings.SITE_URL}{concern.get_absolute_url()}"
    for person in people:
        subject, body = _render(
            name, {"concern": concern, "area": concern.protected_area, "link": link}, person.language
        )
        queue_email(kind=f"concerns.{name}", to=[person.email], subject=subject, body=body)


def to_site_team(concern: Concern) -> None:
    """The site's managers are asked to answer an admissible concern."""
    _to_people(_people(Role.SITE_MANAGER, protected_area_id=concern.protected_area_id), "answer_asked", concern)


def to_panel_chairs(concern: Concern) -> None:
    """The Panel's chairs: the group has advised, the Panel's outcome is awaited."""
    _to_people(_people(Role.PANEL_CHAIR), "outcome_awaited", concern)


def to_group(concern: Concern) -> None:
    """The expert group: the site has answered, its advice is awaited. The experts staff named and
    those who reviewed the listed cycle, free of conflict (who may see the concern: concerns.rules)."""
    from reviews.choices import AssignmentRole, CoiStatus
    from reviews.models import ReviewAssignment

    reviewed = ReviewAssignment.objects.current().filter(
        assessment_id=concern.certificate.decision.assessment_id,
        role=AssignmentRole.EXPERT,
        coi_status=CoiStatus.NO_CONFLICT,
        user__is_active=True,
    )
    people = {a.user.pk: a.user for a in reviewed.select_related("user")}
    people.update({p.pk: p for p in concern.advisers.filter(is_active=True)})
    _to_people(list(people.values()), "advice_asked", concern)
