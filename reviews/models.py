"""Remote expert review of a submitted assessment.

Who reviews (ReviewAssignment, with the conflict-of-interest declaration), what each expert
concluded per indicator (IndicatorReview), what the group concluded (GroupFinding), the
questions to the site (InformationRequest / InformationReply) and the group's recommendation with
the independent reviewer's check (AssessmentReview).
"""

from __future__ import annotations

from typing import Any, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .choices import AssignmentRole, CoiStatus, Outcome, RequestStatus, ReviewerDecision

TEXT_MAX = 5000


class ReviewAssignmentQuerySet(models.QuerySet["ReviewAssignment"]):
    def current(self) -> Self:
        """Not withdrawn by staff."""
        return self.filter(removed_at__isnull=True)

    def cleared(self) -> Self:
        """Current and declared free of conflicts: these people may see the assessment."""
        return self.current().filter(coi_status=CoiStatus.NO_CONFLICT)


class ReviewAssignment(models.Model):
    """A person asked to review one assessment, as an expert of the group or as the independent
    reviewer. Nothing of the assessment is shown to them until they declare no conflict."""

    assessment = models.ForeignKey(
        "assessments.Assessment", on_delete=models.CASCADE, related_name="review_assignments"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_assignments")
    role = models.CharField(max_length=24, choices=AssignmentRole.choices)
    due_date = models.DateField()
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(auto_now_add=True)
    notified_at = models.DateTimeField(null=True, blank=True, help_text=_("When the e-mail went out."))
    coi_status = models.CharField(max_length=12, choices=CoiStatus.choices, default=CoiStatus.PENDING)
    coi_note = models.TextField(blank=True)
    coi_declared_at = models.DateTimeField(null=True, blank=True)
    # Computed when assigned: [{"kind": WarningKind, "detail": str}], shown to staff only.
    warnings = models.JSONField(default=list, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)

    objects = ReviewAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["assessment", "role", "assigned_at"]
        constraints = [
            models.CheckConstraint(condition=Q(role__in=AssignmentRole.values), name="reviewassignment_role_valid"),
            models.CheckConstraint(condition=Q(coi_status__in=CoiStatus.values), name="reviewassignment_coi_valid"),
            models.UniqueConstraint(
                fields=["assessment", "user"], condition=Q(removed_at__isnull=True), name="reviewassignment_one_current"
            ),
        ]
        indexes = [models.Index(fields=["user", "coi_status"])]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} of assessment {self.assessment_id}"

    @property
    def as_role(self) -> str:
        """The assignment's role inside a sentence, in the active language: "as the independent reviewer"."""
        return AssignmentRole(self.role).as_phrase

    @property
    def is_cleared(self) -> bool:
        return self.removed_at is None and self.coi_status == CoiStatus.NO_CONFLICT


class IndicatorReview(models.Model):
    """One expert's own rating, finding and comment on one answer. A draft until shared: other
    experts see it only then. `answer_version` is the answer's version when it was reviewed, so a
    later change by the site marks the review out of date."""

    assignment = models.ForeignKey(ReviewAssignment, on_delete=models.CASCADE, related_name="indicator_reviews")
    answer = models.ForeignKey("assessments.Answer", on_delete=models.CASCADE, related_name="expert_reviews")
    rating = models.CharField(max_length=40)
    finding = models.TextField(blank=True)
    comment = models.TextField(blank=True)
    shared = models.BooleanField(default=False)
    answer_version = models.PositiveIntegerField()
    updated_at = models.DateTimeField(auto_now=True)

    # Not columns: set for the review page by `reviews.review_page` (the rating's entry on the scale,
    # and whether the site changed the answer since).
    rating_info: dict[str, Any] | None
    out_of_date: bool

    class Meta:
        ordering = ["answer__indicator__position", "assignment_id"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "answer"], name="indicatorreview_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.assignment.user_id} on answer {self.answer_id}: {self.rating}"


class GroupFinding(models.Model):
    """The Expert Assessment Group's consolidated rating and finding on one indicator. Site teams
    see it only once staff release the findings."""

    answer = models.OneToOneField("assessments.Answer", on_delete=models.CASCADE, related_name="group_finding")
    rating = models.CharField(max_length=40)
    finding = models.TextField()
    answer_version = models.PositiveIntegerField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    # Not a column: set for the review page by `reviews.review_page` (the rating's entry on the scale).
    rating_info: dict[str, Any] | None

    def __str__(self) -> str:
        return f"Group finding on answer {self.answer_id}: {self.rating}"


class AssessmentReview(models.Model):
    """The review of one assessment as a whole: the group's recommendation with reasons, the
    independent reviewer's confirmation that the process was followed, and when staff released
    the findings to the site team."""

    assessment = models.OneToOneField("assessments.Assessment", on_delete=models.CASCADE, related_name="review")
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)
    reasons = models.TextField(blank=True)
    recommended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recommended_at = models.DateTimeField(null=True, blank=True)
    reviewer_decision = models.CharField(
        max_length=12, choices=ReviewerDecision.choices, default=ReviewerDecision.PENDING
    )
    reviewer_note = models.TextField(blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewer_at = models.DateTimeField(null=True, blank=True)
    findings_released_at = models.DateTimeField(null=True, blank=True)
    findings_released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome="") | Q(outcome__in=Outcome.values), name="assessmentreview_outcome_valid"
            ),
            models.CheckConstraint(
                condition=Q(reviewer_decision__in=ReviewerDecision.values), name="assessmentreview_decision_valid"
            ),
            models.CheckConstraint(
                condition=Q(outcome="") | Q(recommended_by__isnull=False), name="assessmentreview_outcome_has_author"
            ),
        ]

    def __str__(self) -> str:
        return f"Review of assessment {self.assessment_id}"


class InformationRequest(models.Model):
    """A question from a reviewer to the site team about one indicator. The thread stays with
    the indicator's answer; once closed, nobody can add to it."""

    answer = models.ForeignKey("assessments.Answer", on_delete=models.CASCADE, related_name="information_requests")
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    question = models.TextField()
    status = models.CharField(max_length=10, choices=RequestStatus.choices, default=RequestStatus.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    # Not columns: set for the review page by `reviews.review_page` (prepared once, not per row in
    # the template).
    key: str
    reply_url: str
    close_url: str
    created: str
    reply_list: list[InformationReply]

    class Meta:
        ordering = ["answer__indicator__position", "created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=RequestStatus.values), name="inforequest_status_valid"),
            models.CheckConstraint(
                condition=~Q(status=RequestStatus.CLOSED) | Q(closed_at__isnull=False), name="inforequest_closed_at"
            ),
        ]

    def __str__(self) -> str:
        return f"Question on answer {self.answer_id}"

    def get_absolute_url(self) -> str:
        """The question in its thread, on its indicator's own page: the review page loads threads only
        when an indicator is opened (issue 19), so an anchor there would find nothing."""
        page = reverse("reviews:indicator-page", args=[self.answer.assessment_id, self.answer_id])
        return f"{page}#request-{self.pk}"


class InformationReply(models.Model):
    """One message in a request's thread (from the site team or a reviewer), with any evidence
    the site team attached."""

    request = models.ForeignKey(InformationRequest, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    evidence = models.ManyToManyField("evidence.EvidenceItem", blank=True, related_name="information_replies")
    created_at = models.DateTimeField(auto_now_add=True)

    # Not columns: set for the review page by `reviews.review_page`.
    created: str
    visible_evidence: list[Any]
    shown_evidence: list[dict[str, Any]]

    class Meta:
        ordering = ["request", "created_at", "id"]

    def __str__(self) -> str:
        return f"Reply to request {self.request_id}"
