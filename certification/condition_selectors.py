"""Reads of the conditions on a listing (issue 16): one lookup per page or endpoint, 404 for
whoever may not see them (`ListingCondition.objects.visible_to`, certification.rules
.can_view_conditions), and lists whose query count does not grow with the data."""

from __future__ import annotations

import datetime

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from accounts.types import Person

from . import rules
from .choices import LISTED_STATUSES, ConditionStatus
from .models import Certificate, ConditionProgress, ConditionTransition, ListingCondition


def get_certificate_with_conditions_for_user(user: Person, number: str) -> Certificate:
    """The certificate whose conditions this person may see, else 404."""
    certificate = (
        Certificate.objects.select_related("protected_area", "decision__assessment").filter(number=number).first()
    )
    if certificate is None or not user.is_authenticated:
        raise Http404("No such certificate.")
    if not rules.can_view_conditions(user, certificate, certificate.decision.assessment):
        raise Http404("No such certificate.")
    return certificate


def conditions_with_history(certificate: Certificate) -> list[ListingCondition]:
    """The certificate's conditions, soonest due first, with their progress reports and moves
    (three queries, whatever their number)."""
    return list(
        ListingCondition.objects.filter(certificate=certificate)
        .select_related("decision__assessment", "certificate")
        .prefetch_related(
            Prefetch("progress", ConditionProgress.objects.select_related("by")),
            Prefetch("transitions", ConditionTransition.objects.select_related("by")),
        )
        .order_by("due_on", "id")
    )


def get_condition_for_user(user: Person, pk: object) -> ListingCondition:
    """One condition this person may see, else 404 (pages and API alike)."""
    try:
        key = int(str(pk))
    except ValueError:
        raise Http404("No such condition.") from None
    condition = (
        ListingCondition.objects.visible_to(user)
        .select_related("certificate__protected_area", "decision__assessment")
        .filter(pk=key)
        .first()
    )
    if condition is None:
        raise Http404("No such condition.")
    return condition


def open_conditions_of_listed() -> QuerySet[ListingCondition]:
    """Open conditions of listed sites (active or suspended certificates), overdue first: the
    soonest due date first puts every overdue one ahead. One query."""
    return (
        ListingCondition.objects.filter(status=ConditionStatus.OPEN, certificate__status__in=LISTED_STATUSES)
        .select_related("certificate__protected_area")
        .order_by("due_on", "id")
    )


def condition_counts(certificate: Certificate, today: datetime.date) -> dict[str, int]:
    """The certificate page's mark: how many conditions are open, and how many of them overdue."""
    return ListingCondition.objects.filter(certificate=certificate).aggregate(
        open=Count("id", filter=Q(status=ConditionStatus.OPEN)),
        overdue=Count("id", filter=Q(status=ConditionStatus.OPEN, due_on__lt=today)),
    )
