"""The reviews of a listed site during and at the end of its listing (issue 16).

A **mid-term review** opens (celery beat) once a share of the certificate's validity has passed
(setting GREENLIST_MIDTERM_AT): the site team files a short update (what changed, progress on the
listing's conditions, monitoring evidence), an expert of the group that reviewed the listed cycle
records the group's review of it, and the Green List Panel's chair records that the Panel took note
or asks for action. `MidtermReviewTransition` logs each step (listing_reviews.workflow).

A **renewal review** opens (celery beat) a set time before the certificate expires (setting
GREENLIST_RENEWAL_LEAD_DAYS) and links the listed certificate to the new assessment cycle that the
site team starts from it, prefilled from the listed cycle (assessments.services.assessment_create).
Its state is read from that cycle (listing_reviews.selectors.renewal_state), never stored twice.

One of each per certificate: the unique certificate keys make beat's openings happen once, however
often it runs (and if two beats ever run at once).
"""

from __future__ import annotations

from typing import Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.types import Person

from .choices import MidtermStatus

TEXT_MAX = 5000


class ReviewQuerySet(models.QuerySet):
    def visible_to(self, user: Person) -> Self:
        """The reviews this person may see (listing_reviews.rules.can_see_review says the same)."""
        from accounts import rules
        from reviews.models import ReviewAssignment

        if not user.is_authenticated:
            return self.none()
        if rules.is_iucn_staff(user) or rules.is_panel_member(user):
            return self
        group = ReviewAssignment.objects.cleared().filter(user=user, role="expert").values("assessment_id")
        return self.filter(
            Q(certificate__protected_area_id__in=rules.managed_area_ids(user))
            | Q(certificate__decision__assessment_id__in=group)
        )


class MidtermReview(models.Model):
    """The mid-term review of one certificate's listing."""

    certificate = models.OneToOneField(
        "certification.Certificate", on_delete=models.CASCADE, related_name="midterm_review"
    )
    status = models.CharField(max_length=16, choices=MidtermStatus.choices, default=MidtermStatus.OPENED)
    due_on = models.DateField(help_text=_("The day the review fell due (the share of the validity passed)."))
    opened_at = models.DateTimeField(auto_now_add=True)
    # The site team's update.
    what_changed = models.TextField(_("what changed at the site"), blank=True)
    conditions_progress = models.TextField(_("progress on the listing's conditions"), blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    filed_at = models.DateTimeField(null=True, blank=True)
    evidence = models.ManyToManyField("evidence.EvidenceItem", blank=True, related_name="midterm_reviews")
    # The expert group's review.
    findings = models.TextField(_("the group's findings"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    # The Panel's note (noted, or what action it asks for).
    panel_note = models.TextField(_("the Panel's note"), blank=True)
    panel_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    panel_at = models.DateTimeField(null=True, blank=True)
    # Set once, the day staff were told the update is overdue (GREENLIST_MIDTERM_UPDATE_DAYS).
    overdue_flagged_at = models.DateTimeField(null=True, blank=True)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=MidtermStatus.values), name="midterm_status_valid"),
            models.CheckConstraint(
                condition=Q(status=MidtermStatus.OPENED) | Q(filed_at__isnull=False), name="midterm_filed_dated"
            ),
        ]

    def __str__(self) -> str:
        return f"Mid-term review {self.pk} of certificate {self.certificate_id} ({self.status})"


class MidtermReviewTransition(models.Model):
    """One step of a mid-term review (listing_reviews.workflow); `by` None is the scheduler."""

    review = models.ForeignKey(MidtermReview, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=16, choices=MidtermStatus.choices)
    to_status = models.CharField(max_length=16, choices=MidtermStatus.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["review", "at", "id"]

    def __str__(self) -> str:
        return f"{self.review_id}: {self.from_status} → {self.to_status}"


class RenewalReview(models.Model):
    """The renewal review of one certificate: opened before it expires, it leads to a new cycle."""

    certificate = models.OneToOneField(
        "certification.Certificate", on_delete=models.CASCADE, related_name="renewal_review"
    )
    due_on = models.DateField(help_text=_("The day the review fell due (the lead time before expiry)."))
    opened_at = models.DateTimeField(auto_now_add=True)
    # The new cycle, prefilled from the listed one; set once, when the site team starts it (or linked
    # to the cycle the site had already started).
    assessment = models.OneToOneField(
        "assessments.Assessment", null=True, blank=True, on_delete=models.PROTECT, related_name="renewal_of"
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return f"Renewal review {self.pk} of certificate {self.certificate_id}"
