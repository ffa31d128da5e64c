"""Stakeholder consultation: windows opened by IUCN staff per site and phase, the public's comments
(confirmed by e-mail, then moderated), and how the expert group considered each accepted one."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import CommentStatus, Phase

# Limits (also the forms' and templates' maxlength).
COMMENT_TEXT_MAX = 4000
COMMENT_NAME_MAX = 120
REASON_MAX = 1000
CONSIDERATION_MAX = 4000
WINDOW_NOTE_MAX = 1000


class ConsultationWindow(models.Model):
    """Dates between which anyone may comment on one site in one phase (opt-in: staff open it).

    An applicant or candidate window belongs to the assessment in that phase; a listed window to the
    certificate of the listing (a key by name: the certificate's app sits above this one)."""

    protected_area = models.ForeignKey(
        "protected_areas.ProtectedArea", on_delete=models.PROTECT, related_name="consultation_windows"
    )
    phase = models.CharField(max_length=12, choices=Phase.choices)
    assessment = models.ForeignKey(
        "assessments.Assessment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    certificate = models.ForeignKey(
        "certification.Certificate", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    opens_on = models.DateField()
    closes_on = models.DateField()
    note = models.TextField(
        blank=True, max_length=WINDOW_NOTE_MAX, help_text=_("Shown on the public page: what the comments are for.")
    )
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opens_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(closes_on__gte=models.F("opens_on")), name="window_dates_ordered"),
            models.CheckConstraint(condition=Q(phase__in=Phase.values), name="window_phase_valid"),
            models.CheckConstraint(
                condition=(Q(phase=Phase.LISTED) & Q(certificate__isnull=False) & Q(assessment__isnull=True))
                | (~Q(phase=Phase.LISTED) & Q(assessment__isnull=False) & Q(certificate__isnull=True)),
                name="window_phase_object",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.protected_area} · {self.get_phase_display()} · {self.opens_on}–{self.closes_on}"

    def get_absolute_url(self) -> str:
        return reverse("stakeholders:window", args=[self.pk])

    def is_open(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.opens_on <= today <= self.closes_on


class Comment(models.Model):
    """A comment from a member of the public. The e-mail address is kept for the confirmation only
    and never shown (not even to moderators); no client address is stored (the rate limits count
    in the cache)."""

    window = models.ForeignKey(ConsultationWindow, on_delete=models.CASCADE, related_name="comments")
    text = models.TextField(max_length=COMMENT_TEXT_MAX)
    name = models.CharField(max_length=COMMENT_NAME_MAX, blank=True)
    show_name = models.BooleanField(default=False, help_text=_("The commenter agreed to the name being shown."))
    email = models.EmailField()
    status = models.CharField(max_length=12, choices=CommentStatus.choices, default=CommentStatus.UNCONFIRMED)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(blank=True, max_length=REASON_MAX)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=CommentStatus.values), name="comment_status_valid"),
            models.CheckConstraint(
                condition=~Q(status=CommentStatus.REJECTED) | ~Q(rejection_reason=""), name="comment_rejection_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"comment #{self.pk} on window {self.window_id} ({self.status})"

    @property
    def public_name(self) -> str:
        return self.name if self.show_name else ""


class Consideration(models.Model):
    """How the expert group considered one accepted comment (one per comment; the latest text)."""

    comment = models.OneToOneField(Comment, on_delete=models.CASCADE, related_name="consideration")
    text = models.TextField(max_length=CONSIDERATION_MAX)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"consideration of comment {self.comment_id}"
