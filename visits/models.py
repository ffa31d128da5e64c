"""Site visits of the Expert Assessment Group during an assessment's candidate phase (issue 16).

A visit is planned (dates, agenda, participants), then held (the dates it took place, the group's
notes) or cancelled; `SiteVisitTransition` logs each move (visits.workflow). Photos and GPS tracks
taken on the visit are ordinary evidence items of the assessment (the evidence app's upload and
pipeline), linked to indicators like any other, and listed here in `evidence`.
"""

from __future__ import annotations

from typing import Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.types import Person
from assessments.models import Assessment

from .choices import VisitStatus

TEXT_MAX = 5000
OTHERS_MAX = 1000


class SiteVisitQuerySet(models.QuerySet["SiteVisit"]):
    def visible_to(self, user: Person) -> Self:
        """The visits of the assessments this person may see (`Assessment.objects.visible_to`): the
        site team, IUCN staff and the assessment's reviewers free of conflict. What each of them sees
        of a visit (the group's notes) is `visits.rules`."""
        return self.filter(assessment__in=Assessment.objects.visible_to(user))


class SiteVisit(models.Model):
    """The expert group's visit to the site of one assessment."""

    assessment = models.ForeignKey("assessments.Assessment", on_delete=models.CASCADE, related_name="site_visits")
    status = models.CharField(max_length=12, choices=VisitStatus.choices, default=VisitStatus.PLANNED)
    planned_from = models.DateField(_("planned from"))
    planned_to = models.DateField(_("planned to"))
    held_from = models.DateField(_("held from"), null=True, blank=True)
    held_to = models.DateField(_("held to"), null=True, blank=True)
    agenda = models.TextField(_("agenda"), blank=True)
    # The group's own notes: the site team reads them only once released (visits.rules).
    notes = models.TextField(_("notes"), blank=True)
    notes_released_at = models.DateTimeField(null=True, blank=True)
    participants = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    other_participants = models.CharField(
        _("other participants"), max_length=OTHERS_MAX, blank=True, help_text=_("Names and roles, free text.")
    )
    evidence = models.ManyToManyField("evidence.EvidenceItem", blank=True, related_name="site_visits")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SiteVisitQuerySet.as_manager()

    class Meta:
        ordering = ["assessment", "planned_from", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=VisitStatus.values), name="sitevisit_status_valid"),
            models.CheckConstraint(condition=Q(planned_to__gte=models.F("planned_from")), name="sitevisit_planned"),
            models.CheckConstraint(
                condition=Q(held_from__isnull=True) | Q(held_to__gte=models.F("held_from")), name="sitevisit_held"
            ),
            models.CheckConstraint(
                condition=~Q(status=VisitStatus.HELD) | Q(held_from__isnull=False), name="sitevisit_held_dated"
            ),
        ]

    def __str__(self) -> str:
        return f"Site visit {self.pk} of assessment {self.assessment_id} ({self.status})"

    @property
    def date(self):
        """The day it took place, else the first day planned."""
        return self.held_from or self.planned_from


class SiteVisitTransition(models.Model):
    """One move of a visit's status (visits.workflow)."""

    visit = models.ForeignKey(SiteVisit, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=12, choices=VisitStatus.choices)
    to_status = models.CharField(max_length=12, choices=VisitStatus.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["visit", "at", "id"]

    def __str__(self) -> str:
        return f"{self.visit_id}: {self.from_status} → {self.to_status}"
