"""Reads of site visits: the one lookup of a visit for a person, and an assessment's visits."""

from __future__ import annotations

import datetime

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext

from accounts.models import User
from accounts.types import Person
from assessments.models import Assessment
from assessments.sections import PageLink
from evidence.models import EvidenceItem
from reviews.choices import AssignmentRole
from reviews.models import ReviewAssignment

from . import rules
from .choices import VISIT_PHASES
from .models import SiteVisit


def _with_details(qs: QuerySet[SiteVisit], user: Person) -> QuerySet[SiteVisit]:
    return qs.select_related("assessment__protected_area", "created_by").prefetch_related(
        Prefetch("participants", queryset=User.objects.order_by("full_name", "email")),
        # Only the items this person may see (evidence marked "site team only" stays hidden).
        Prefetch("evidence", queryset=EvidenceItem.objects.visible_to(user).order_by("uploaded_at", "id")),
        "transitions__by",
    )


def get_visit_for_user(user: Person, pk: int | str) -> SiteVisit:
    """The visit if this person may see its assessment, else 404 (they need not know it exists)."""
    try:
        return _with_details(SiteVisit.objects.visible_to(user), user).get(pk=pk)
    except (SiteVisit.DoesNotExist, ValueError, TypeError):
        raise Http404("No such site visit.")


def visits_of(assessment_id: int, user: Person) -> list[SiteVisit]:
    return list(_with_details(SiteVisit.objects.filter(assessment_id=assessment_id), user))


def group_members(assessment_id: int) -> QuerySet[User]:
    """Who may be named as a participant: the assessment's assigned experts free of conflict."""
    seats = ReviewAssignment.objects.cleared().filter(assessment_id=assessment_id, role=AssignmentRole.EXPERT)
    return User.objects.filter(pk__in=seats.values("user_id")).order_by("full_name", "email")


def evidence_origins(assessment: Assessment) -> dict[int, str]:
    """Which of the assessment's evidence items were taken on a site visit, in words for the review
    page (reviews.review_page, provided in VisitsConfig.ready()), in the active language: one query."""
    rows = SiteVisit.evidence.through.objects.filter(sitevisit__assessment=assessment).values_list(
        "evidenceitem_id", "sitevisit__held_from", "sitevisit__planned_from"
    )
    dates: dict[datetime.date, str] = {}
    origins = {}
    for item_id, held_from, planned_from in rows:
        day = held_from or planned_from
        if day not in dates:
            dates[day] = gettext("From the site visit of %(date)s") % {"date": date_format(day, "DATE_FORMAT")}
        origins[item_id] = dates[day]
    return origins


def assessment_page_links(assessment: Assessment, user: Person) -> list[PageLink]:
    """The assessment page's link to its site visits (assessments.sections, provided in
    VisitsConfig.ready()): for whoever may see them, once a visit exists or one may be planned."""
    if not rules.can_see_visits(user, assessment):
        return []
    count = SiteVisit.objects.filter(assessment_id=assessment.pk).count()
    if not count and assessment.status not in VISIT_PHASES:
        return []
    label = ngettext("Site visits (%(n)s)", "Site visits (%(n)s)", count) % {"n": count}
    return [PageLink(label=label, url=reverse("visits:list", args=[assessment.pk]))]
