"""The eligibility gate's records: who said what about a site's eligibility, and when.

History is kept: a new record of a step does not change the older ones; the newest of each step
is the one in effect (eligibility.selectors.gate_state).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import Step

REASONS_MAX = 5000


class EligibilityRecord(models.Model):
    """One step of an assessment's eligibility gate: the expert group's evaluation (positive =
    eligible), the independent reviewer's check (positive = confirmed), or a staff override
    (always positive), each with its reasons."""

    assessment = models.ForeignKey(
        "assessments.Assessment", on_delete=models.CASCADE, related_name="eligibility_records"
    )
    step = models.CharField(max_length=16, choices=Step.choices)
    positive = models.BooleanField()
    reasons = models.TextField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(step__in=Step.values), name="eligibility_step_valid"),
            models.CheckConstraint(condition=~Q(reasons=""), name="eligibility_reasons_given"),
            models.CheckConstraint(
                condition=~Q(step=Step.OVERRIDE) | Q(positive=True), name="eligibility_override_positive"
            ),
        ]
        indexes = [models.Index(fields=["assessment", "step", "-at"])]

    def __str__(self) -> str:
        return f"{self.get_step_display()} of assessment {self.assessment_id}: {'yes' if self.positive else 'no'}"

    @property
    def verdict(self) -> str:
        """The record's answer in words: eligible / not eligible, confirmed / not confirmed, overridden."""
        if self.step == Step.EVALUATION:
            return str(_("Eligible") if self.positive else _("Not eligible"))
        if self.step == Step.CHECK:
            return str(_("Confirmed") if self.positive else _("Not confirmed"))
        return str(_("Overridden"))
