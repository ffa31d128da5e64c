"""Reads of concerns: the lists each person sees, one concern for a person (404 otherwise), and
what the raiser's private page shows."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from accounts.choices import Role
from accounts.models import RoleAssignment, User
from accounts.types import Person
from standards.selectors import jurisdiction_for

from . import rules
from .choices import ConcernStatus
from .models import Concern, ConcernAttachment, ConcernOutcome, ConcernTransition


def concerns_for_user(user: Person) -> QuerySet[Concern]:
    """The concerns this person may open, newest first (one query, whatever their number)."""
    return (
        Concern.objects.visible_to(user).select_related("protected_area", "certificate").order_by("-created_at", "-pk")
    )


def triage_queue() -> QuerySet[Concern]:
    """Received concerns waiting for staff's triage, oldest first."""
    return (
        Concern.objects.filter(status=ConcernStatus.RECEIVED)
        .select_related("protected_area", "certificate")
        .order_by("confirmed_at", "pk")
    )


def get_concern_for_user(user: Person, pk: Any) -> Concern:
    if not (str(pk).isascii() and str(pk).isdigit()):
        raise Http404("No such concern.")
    concern = (
        concerns_for_user(user)
        .select_related("certificate__decision__assessment", "answered_by", "advised_by")
        .prefetch_related(
            "advisers",
            "attachments",
            Prefetch("transitions", queryset=ConcernTransition.objects.select_related("by")),
            Prefetch(
                "outcomes", queryset=ConcernOutcome.objects.select_related("recorded_by").prefetch_related("members")
            ),
        )
        .filter(pk=int(pk))
        .first()
    )
    if concern is None:
        raise Http404("No such concern.")
    return concern


def get_attachment_for_user(user: Person, pk: Any) -> ConcernAttachment:
    if not (str(pk).isascii() and str(pk).isdigit()):
        raise Http404("No such file.")
    item = ConcernAttachment.objects.filter(pk=int(pk), concern__in=Concern.objects.visible_to(user)).first()
    if item is None or not rules.can_see_attachments(user, item.concern):
        raise Http404("No such file.")
    return item


def adviser_ids(concern: Concern) -> frozenset[int]:
    return frozenset(p.pk for p in concern.advisers.all())


def raiser_view(concern: Concern) -> dict[str, Any]:
    """What the raiser's private page shows: the dated steps (never their notes), the Panel's
    outcomes as public summaries, the site's answer only when staff marked it shareable."""
    steps = [{"at": t.at, "status": t.get_to_status_display()} for t in concern.transitions.all()]
    outcomes = [
        {"at": o.recorded_at, "kind": o.get_kind_display(), "summary": o.public_summary} for o in concern.outcomes.all()
    ]
    return {
        "steps": steps,
        "outcomes": outcomes,
        "site_answer": concern.site_answer if concern.site_answer_shareable else "",
        "attachments": len(concern.attachments.all()),
    }


def get_concern_for_raiser(pk: int) -> Concern:
    """The concern with what its private page reads (the caller checked the link)."""
    return (
        Concern.objects.select_related("protected_area", "certificate")
        .prefetch_related("attachments", "transitions", "outcomes")
        .get(pk=pk)
    )


def expert_ids_for(concern: Concern) -> list[int]:
    """The experts staff may name to advise: the accredited experts of the site's jurisdiction."""
    jurisdiction = jurisdiction_for(concern.protected_area)
    if jurisdiction is None:
        return []
    return list(
        RoleAssignment.objects.active()
        .filter(role=Role.EXPERT, jurisdiction=jurisdiction, user__is_active=True)
        .values_list("user_id", flat=True)
        .distinct()
    )


def panel_members() -> QuerySet[User]:
    """Everyone holding a Panel role today (the chair names who took part)."""
    ids = (
        RoleAssignment.objects.active()
        .filter(role__in=[Role.PANEL_MEMBER, Role.PANEL_CHAIR], user__is_active=True)
        .values_list("user_id", flat=True)
    )
    return User.objects.filter(pk__in=ids).order_by("email")
