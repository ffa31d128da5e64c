"""Concerns and alerts about a listed site (issue 16): raised by anyone without an account, triaged
by IUCN staff, answered by the site team, advised on by the expert group, decided by the Green List
Panel (GREENLIST.md, "The process": the Green List phase handles concerns and alerts raised about a
listed site). The steps, who may take each and what each person sees are the platform's practice.

The person who raised a concern follows it through a private link (`Concern.link_nonce`, see
concerns.services.private_token); their e-mail address and name are never shown to the site team.
"""

from __future__ import annotations

from typing import Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from accounts.types import Person
from evidence.storage import evidence_storage

from .choices import ConcernOutcomeKind, ConcernStatus

TEXT_MAX = 5000
NAME_MAX = 120
REASON_MAX = 2000


class ConcernQuerySet(models.QuerySet["Concern"]):
    def visible_to(self, user: Person) -> Self:
        """The concerns this person may open (what each sees of one: concerns.rules). Nobody sees
        an unconfirmed one; staff see the others; the site team, the expert group (advisers named
        by staff, experts assigned to the listed cycle) and Green List Panel members see the ones
        found admissible."""
        from accounts import rules

        if not user.is_authenticated:
            return self.none()
        confirmed = self.exclude(status=ConcernStatus.UNCONFIRMED)
        if rules.is_iucn_staff(user):
            return confirmed
        past_triage = confirmed.exclude(status__in=[ConcernStatus.RECEIVED, ConcernStatus.NOT_ADMISSIBLE])
        if rules.is_panel_member(user):
            return past_triage
        seats = rules.review_seats(user)
        cleared_expert = [
            pk for pk, seat in seats.items() if seat.role == rules.SEAT_EXPERT and seat.coi_status == rules.SEAT_CLEARED
        ]
        return past_triage.filter(
            Q(protected_area_id__in=rules.managed_area_ids(user))
            | Q(advisers=user)
            | Q(certificate__decision__assessment_id__in=cleared_expert)
        ).distinct()


class Concern(models.Model):
    """A concern or alert about a listed site, raised by a member of the public."""

    certificate = models.ForeignKey("certification.Certificate", on_delete=models.PROTECT, related_name="concerns")
    protected_area = models.ForeignKey(
        "protected_areas.ProtectedArea", on_delete=models.PROTECT, related_name="concerns"
    )
    status = models.CharField(max_length=16, choices=ConcernStatus.choices, default=ConcernStatus.UNCONFIRMED)
    text = models.TextField(max_length=TEXT_MAX)
    name = models.CharField(max_length=NAME_MAX, blank=True)
    email = models.EmailField()
    # With the secret key, makes the raiser's private link (services.private_token); never shown.
    link_nonce = models.CharField(max_length=64)
    # The page's language when it was raised: the raiser's e-mails are written in it.
    language = models.CharField(max_length=8, default="en")
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # Experts staff name to advise (besides the experts who reviewed the listed cycle).
    advisers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    # The site team's answer; the raiser reads it only when staff mark it shareable.
    site_answer = models.TextField(blank=True, max_length=TEXT_MAX)
    site_answer_shareable = models.BooleanField(default=False)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    # The expert group's advice to the Panel (internal).
    advice = models.TextField(blank=True, max_length=TEXT_MAX)
    advised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    advised_at = models.DateTimeField(null=True, blank=True)

    objects = ConcernQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ConcernStatus.values), name="concern_status_valid"),
        ]

    def __str__(self) -> str:
        return f"Concern {self.pk} about {self.protected_area_id} ({self.status})"

    def get_absolute_url(self) -> str:
        return reverse("concerns:detail", args=[self.pk])


class ConcernTransition(models.Model):
    """One dated step of a concern (concerns.workflow); the note is internal (triage reasons)."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=16, choices=ConcernStatus.choices)
    to_status = models.CharField(max_length=16, choices=ConcernStatus.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["concern", "at", "id"]

    def __str__(self) -> str:
        return f"{self.concern_id}: {self.from_status} → {self.to_status}"


def attachment_upload_to(instance: ConcernAttachment, filename: str) -> str:
    # The name is ours (services pick the extension from the sniffed type), never the sender's.
    return f"concerns/{instance.concern_id}/{filename}"


class ConcernAttachment(models.Model):
    """A file sent with a concern: PDF, JPEG or PNG, checked (concerns.attachments) and kept where
    evidence is kept (never under MEDIA_ROOT), served only through the permission-checked view."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_upload_to, storage=evidence_storage, max_length=300)
    original_filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["concern", "id"]

    def __str__(self) -> str:
        return f"attachment {self.pk} of concern {self.concern_id}"


class ConcernOutcome(models.Model):
    """The Green List Panel's outcome on a concern, recorded by its chair on the Panel's behalf
    with the members who took part; a later outcome (reinstatement after a suspension) is a
    further row. The reasons are internal; the public summary is what the raiser reads."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="outcomes")
    kind = models.CharField(max_length=16, choices=ConcernOutcomeKind.choices)
    reasons = models.TextField(max_length=TEXT_MAX)
    public_summary = models.TextField(max_length=TEXT_MAX)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["concern", "recorded_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ConcernOutcomeKind.values), name="concern_outcome_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} on concern {self.concern_id}"
