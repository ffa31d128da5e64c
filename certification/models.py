import datetime
from typing import Self

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.types import Person

from .choices import (
    CertificateStatus,
    ConditionChecker,
    ConditionStatus,
    NoticeKind,
    Outcome,
    PanelCaseStatus,
    PanelCoi,
    PanelVoteChoice,
)

TEXT_MAX = 5000


class Decision(models.Model):
    """IUCN's decision on one recommended (or not recommended) assessment.

    `snapshot` keeps what was decided on (answers, findings, scores) as it was at that moment,
    because the assessment's rows may change in later cycles or be corrected afterwards.
    """

    assessment = models.OneToOneField("assessments.Assessment", on_delete=models.PROTECT, related_name="decision")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    reasons = models.TextField(help_text=_("Internal: why IUCN decided so."))
    conditions = models.TextField(blank=True, help_text=_("Conditions attached to the grant, if any."))
    public_summary = models.TextField(
        blank=True, help_text=_("Shown on the public Green List page. Never put sensitive information here.")
    )
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)
    recommendation = models.CharField(max_length=20, help_text=_("The assessment's phase when decided."))
    snapshot = models.JSONField(default=dict)

    class Meta:
        ordering = ["-decided_at"]
        constraints = [
            models.CheckConstraint(condition=Q(outcome__in=Outcome.values), name="decision_outcome_valid"),
            models.CheckConstraint(condition=~Q(reasons=""), name="decision_reasons_given"),
        ]

    def __str__(self) -> str:
        return f"{self.assessment}: {self.get_outcome_display()}"


class CertificateQuerySet(models.QuerySet["Certificate"]):
    def visible_to(self, user: Person) -> Self:
        """Staff see every certificate; a site team sees its own sites' certificates."""
        from accounts import rules

        if not user.is_authenticated:
            return self.none()
        if rules.is_iucn_staff(user):
            return self
        return self.filter(protected_area_id__in=rules.managed_area_ids(user))

    def listed(self) -> Self:
        from .choices import LISTED_STATUSES

        return self.filter(status__in=LISTED_STATUSES)


class Certificate(models.Model):
    """Green List status of one area, granted by a decision. `status` only changes through
    `certification.lifecycle.transition`."""

    number = models.CharField(max_length=24, unique=True)
    decision = models.OneToOneField(Decision, on_delete=models.PROTECT, related_name="certificate")
    protected_area = models.ForeignKey(
        "protected_areas.ProtectedArea", on_delete=models.PROTECT, related_name="certificates"
    )
    standard = models.ForeignKey("standards.Standard", on_delete=models.PROTECT, related_name="+")
    standard_version = models.CharField(max_length=40, help_text=_("As printed on the certificate."))
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="en")
    granted_on = models.DateField()
    expires_on = models.DateField(help_text=_("First day the certificate is no longer valid."))
    status = models.CharField(
        max_length=12, choices=CertificateStatus.choices, default=CertificateStatus.ACTIVE, editable=False
    )
    status_reason = models.TextField(blank=True)
    status_changed_at = models.DateTimeField(auto_now_add=True)
    pdf = models.FileField(upload_to="certificates/", blank=True)
    pdf_generated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        ordering = ["-granted_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=CertificateStatus.values), name="certificate_status_valid"),
            models.CheckConstraint(condition=Q(expires_on__gt=F("granted_on")), name="certificate_dates_ordered"),
        ]
        indexes = [models.Index(fields=["status", "expires_on"])]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("certification:certificate", args=[self.number])

    def get_verification_url(self) -> str:
        return reverse("certification:verify", args=[self.number])

    def is_valid_on(self, day: datetime.date) -> bool:
        return self.status == CertificateStatus.ACTIVE and self.granted_on <= day < self.expires_on


class CertificateTransition(models.Model):
    """One change of a certificate's status: who (None for the scheduler), when, from, to, why."""

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=12, choices=CertificateStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=CertificateStatus.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["certificate", "at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(from_status="") | Q(from_status__in=CertificateStatus.values),
                name="certificate_transition_from_valid",
            ),
            models.CheckConstraint(
                condition=Q(to_status__in=CertificateStatus.values), name="certificate_transition_to_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.certificate_id}: {self.from_status or '—'} → {self.to_status}"


class LifecycleNotice(models.Model):
    """A reminder sent or a flag raised by the scheduler. The unique `key` makes each one happen
    once, however often beat runs (and if two beats ever run at once)."""

    key = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=20, choices=NoticeKind.choices)
    certificate = models.ForeignKey(
        Certificate, null=True, blank=True, on_delete=models.CASCADE, related_name="notices"
    )
    assessment = models.ForeignKey(
        "assessments.Assessment", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    due_on = models.DateField()
    recipients = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=NoticeKind.values), name="notice_kind_valid"),
            models.CheckConstraint(
                condition=Q(certificate__isnull=False) | Q(assessment__isnull=False), name="notice_has_target"
            ),
        ]

    def __str__(self) -> str:
        return self.key


# --- the Green List Panel (issue 16) ------------------------------------------------------------


class PanelCase(models.Model):
    """One assessment put before the IUCN Green List Panel by the secretariat (IUCN staff).

    Opened once the group's recommendation is confirmed by the independent reviewer (the
    assessment is recommended / not recommended); closed with a Decision when the Panel's rule
    (settings GREENLIST_PANEL_QUORUM and GREENLIST_PANEL_RULE) is met, or as deferred. The
    Decision it leads to is the Panel's: `decision.panel_case` says so.
    """

    assessment = models.ForeignKey("assessments.Assessment", on_delete=models.PROTECT, related_name="panel_cases")
    status = models.CharField(max_length=10, choices=PanelCaseStatus.choices, default=PanelCaseStatus.OPEN)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    decision = models.OneToOneField(
        Decision, null=True, blank=True, on_delete=models.PROTECT, related_name="panel_case"
    )

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=PanelCaseStatus.values), name="panelcase_status_valid"),
            # One case at a time per assessment: two open cases could both reach a decision.
            models.UniqueConstraint(
                fields=["assessment"], condition=Q(status=PanelCaseStatus.OPEN), name="panelcase_one_open"
            ),
        ]

    def __str__(self) -> str:
        return f"Panel case {self.pk}: {self.assessment}"

    def get_absolute_url(self) -> str:
        return reverse("certification:panel-case", args=[self.pk])


class PanelSeat(models.Model):
    """A Panel member sitting on one case, with their conflict-of-interest declaration.

    `warnings` are the automatic conflict warnings the experts get (reviews.selectors
    .conflict_warnings); a seat with any of them is conflicted from the start."""

    case = models.ForeignKey(PanelCase, on_delete=models.CASCADE, related_name="seats")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="panel_seats")
    is_chair = models.BooleanField(default=False)
    warnings = models.JSONField(default=list, blank=True)
    coi_status = models.CharField(max_length=12, choices=PanelCoi.choices, default=PanelCoi.PENDING)
    coi_note = models.TextField(blank=True)
    coi_declared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["case", "-is_chair", "user__full_name", "user__email"]
        constraints = [
            models.CheckConstraint(condition=Q(coi_status__in=PanelCoi.values), name="panelseat_coi_valid"),
            models.UniqueConstraint(fields=["case", "user"], name="panelseat_once_per_case"),
        ]

    def __str__(self) -> str:
        return f"{self.user} on case {self.case_id}"


class PanelVote(models.Model):
    """A member's vote on a case, with reasons; may be changed while the case is open."""

    seat = models.OneToOneField(PanelSeat, on_delete=models.CASCADE, related_name="vote")
    choice = models.CharField(max_length=24, choices=PanelVoteChoice.choices)
    reasons = models.TextField()
    conditions = models.TextField(blank=True)
    cast_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(choice__in=PanelVoteChoice.values), name="panelvote_choice_valid"),
            models.CheckConstraint(condition=~Q(reasons=""), name="panelvote_reasons_given"),
        ]

    def __str__(self) -> str:
        return f"{self.seat}: {self.choice}"


# --- conditions on a listing (issue 16) ----------------------------------------------------------

# `ListingCondition.origin` of the conditions the Panel sets when it grants (shown translated);
# any other origin is a short text its service writes (a concern's outcome, a mid-term review).
ORIGIN_PANEL = "panel"


class ListingConditionQuerySet(models.QuerySet["ListingCondition"]):
    def visible_to(self, user: Person) -> Self:
        """IUCN staff and Panel members see every condition; the site team its own sites'; the
        experts and the independent reviewer who reviewed the assessment, its conditions.
        `certification.rules.can_view_conditions` must agree with this."""
        from accounts import rules

        if not user.is_authenticated:
            return self.none()
        if rules.is_iucn_staff(user) or rules.is_panel_member(user):
            return self
        return self.filter(
            Q(certificate__protected_area_id__in=rules.managed_area_ids(user))
            | Q(decision__assessment_id__in=rules.reviewing_assessment_ids(user))
        )

    def overdue(self, today: datetime.date) -> Self:
        return self.filter(status=ConditionStatus.OPEN, due_on__lt=today)


class ListingCondition(models.Model):
    """One condition attached to a Green List listing: what must be done, by when, and who checks
    it. `status` only changes through `certification.conditions.condition_transition` (its state
    machine, `ConditionTransition` rows); the site team reports progress while it is open."""

    certificate = models.ForeignKey(Certificate, on_delete=models.PROTECT, related_name="conditions")
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="listing_conditions")
    text = models.TextField()
    due_on = models.DateField()
    checked_by = models.CharField(max_length=24, choices=ConditionChecker.choices)
    origin = models.CharField(
        max_length=200, blank=True, help_text=_("Where it came from: the Panel's decision, a concern, a review.")
    )
    status = models.CharField(
        max_length=16, choices=ConditionStatus.choices, default=ConditionStatus.OPEN, editable=False
    )
    status_note = models.TextField(blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    objects = ListingConditionQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ConditionStatus.values), name="condition_status_valid"),
            models.CheckConstraint(condition=Q(checked_by__in=ConditionChecker.values), name="condition_checker_valid"),
            models.CheckConstraint(condition=~Q(text=""), name="condition_text_given"),
        ]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self) -> str:
        return f"{self.certificate_id}: {self.text[:60]}"

    def get_absolute_url(self) -> str:
        return reverse("certification:conditions", args=[self.certificate.number]) + f"#condition-{self.pk}"

    def is_overdue_on(self, day: datetime.date) -> bool:
        return self.status == ConditionStatus.OPEN and self.due_on < day

    @property
    def origin_label(self) -> str:
        if self.origin == ORIGIN_PANEL:
            return str(_("The Green List Panel's decision"))
        return self.origin


class ConditionTransition(models.Model):
    """One change of a condition's status: who, when, from, to, and the note that says why."""

    condition = models.ForeignKey(ListingCondition, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=16, choices=ConditionStatus.choices)
    to_status = models.CharField(max_length=16, choices=ConditionStatus.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["condition", "at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(from_status__in=ConditionStatus.values) & Q(to_status__in=ConditionStatus.values),
                name="condition_transition_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.condition_id}: {self.from_status} → {self.to_status}"


class ConditionProgress(models.Model):
    """A progress report by the site team on an open condition."""

    condition = models.ForeignKey(ListingCondition, on_delete=models.CASCADE, related_name="progress")
    text = models.TextField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["condition", "at", "id"]
        constraints = [models.CheckConstraint(condition=~Q(text=""), name="condition_progress_text_given")]

    def __str__(self) -> str:
        return f"{self.condition_id}: {self.text[:60]}"
