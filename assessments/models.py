from typing import TYPE_CHECKING, Any, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.types import Person

if TYPE_CHECKING:
    from standards.models import AdaptedIndicator

from .choices import EDITABLE_STATUSES, Status

JUSTIFICATION_MAX = 5000
ACTION_MAX = 2000


def review_assignment_q(user: Person) -> Q:
    """Hook for the reviews app: assessments assigned to this expert or independent reviewer who
    declared no conflict (the same per-request list `accounts.rules.is_assigned_reviewer` uses)."""
    from accounts import rules

    return Q(pk__in=rules.reviewing_assessment_ids(user))


class AssessmentQuerySet(models.QuerySet["Assessment"]):
    def visible_to(self, user: Person) -> Self:
        from accounts import rules

        if not user.is_authenticated:
            return self.none()
        if rules.is_iucn_staff(user):
            return self
        return self.filter(Q(protected_area_id__in=rules.managed_area_ids(user)) | review_assignment_q(user))


class Assessment(models.Model):
    """One protected area assessed against the Green List Standard for one cycle.

    The Standard version and the adapted indicator set are fixed when the assessment starts,
    so later versions never change what it was assessed against. `status` only changes through
    `assessments.workflow.transition`.
    """

    protected_area = models.ForeignKey(
        "protected_areas.ProtectedArea", on_delete=models.PROTECT, related_name="assessments"
    )
    cycle = models.PositiveSmallIntegerField(help_text=_("1 for the first assessment of the site, then 2, 3…"))
    year = models.PositiveSmallIntegerField()
    standard = models.ForeignKey("standards.Standard", on_delete=models.PROTECT, related_name="assessments")
    adapted_set = models.ForeignKey(
        "standards.AdaptedIndicatorSet", null=True, blank=True, on_delete=models.PROTECT, related_name="assessments"
    )
    previous = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The cycle this one was prefilled from."),
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.APPLICATION, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "protected_area__name", "-cycle"]
        constraints = [
            models.UniqueConstraint(fields=["protected_area", "cycle"], name="assessment_cycle_unique"),
            models.CheckConstraint(condition=Q(status__in=Status.values), name="assessment_status_valid"),
            models.CheckConstraint(condition=Q(cycle__gte=1), name="assessment_cycle_positive"),
        ]

    def __str__(self) -> str:
        # English, for the admin, logs and the audit trail (its target_repr); pages name the cycle
        # with `cycle_label`.
        return f"{self.protected_area} — cycle {self.cycle} ({self.year})"

    def get_absolute_url(self) -> str:
        return reverse("assessments:detail", args=[self.pk])

    @property
    def cycle_label(self) -> str:
        """The cycle as every page names it, in the reader's language: "cycle 2 (2026)". After the
        site's name it follows a dash ("Phong Dien — cycle 2 (2026)"); opening a line or a cell, a
        template writes it with |capfirst. One home, so that no page says "2026 cycle" or "(2026)"."""
        return gettext("cycle %(number)s (%(year)s)") % {"number": self.cycle, "year": self.year}

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES


class AssessmentTransition(models.Model):
    """One change of an assessment's phase: who, when, from, to, why."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=20, choices=Status.choices)
    to_status = models.CharField(max_length=20, choices=Status.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["assessment", "at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(from_status__in=Status.values), name="transition_from_valid"),
            models.CheckConstraint(condition=Q(to_status__in=Status.values), name="transition_to_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id}: {self.from_status} → {self.to_status}"


class Answer(models.Model):
    """The site team's self-assessment of one indicator: rating, justification, evidence, action.

    `rating` is a code from the Standard version's rating scale (validated by the service, since
    the scale is data). `version` goes up on every save: a save names the version it started
    from, and a mismatch is a conflict rather than a silent overwrite.
    """

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    indicator = models.ForeignKey("standards.Indicator", on_delete=models.PROTECT, related_name="answers")
    rating = models.CharField(max_length=40, blank=True)
    justification = models.TextField(blank=True)
    evidence_date = models.DateField(_("date the evidence refers to"), null=True, blank=True)
    action_text = models.TextField(_("action to reach the indicator"), blank=True)
    action_owner = models.CharField(_("who will do it"), max_length=200, blank=True)
    action_due = models.DateField(_("by when"), null=True, blank=True)
    carried_over = models.BooleanField(default=False, help_text=_("Prefilled from the previous cycle."))
    evidence = models.ManyToManyField("evidence.EvidenceItem", blank=True, related_name="answers")
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    # Not columns: set on the answers of the assessment page by `selectors.assessment_page` (the
    # jurisdiction's wording of the indicator, and the rating's entry on the Standard's scale).
    adapted: "AdaptedIndicator | None"
    rating_info: dict[str, Any] | None

    class Meta:
        ordering = ["assessment", "indicator__position"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "indicator"], name="answer_unique"),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("justification"), JUSTIFICATION_MAX),
                name="answer_justification_length",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id} · {self.indicator_id}: {self.rating or '—'}"


class AssessmentVersionMove(models.Model):
    """One move of a running (never submitted) assessment to another published version of the
    Standard, by IUCN staff (`assessments.version_move`).

    `report` lists, per indicator, what happened to its answer: a list of
    {number_from, number_to, lineage, title, outcome, answer, rating_cleared}, where outcome is one
    of `Outcome`; the site team reads it to know which answers to write again.
    """

    class Outcome(models.TextChoices):
        CARRIED = "carried", _("Carried over")
        CARRIED_REWORDED = "carried_reworded", _("Carried over, reworded: check your answer")
        NEEDS_ANSWER = "needs_answer", _("Needs a new answer")
        DROPPED = "dropped", _("Dropped (kept in the history)")

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="version_moves")
    from_standard = models.ForeignKey("standards.Standard", on_delete=models.PROTECT, related_name="+")
    to_standard = models.ForeignKey("standards.Standard", on_delete=models.PROTECT, related_name="+")
    from_adapted_set = models.ForeignKey(
        "standards.AdaptedIndicatorSet", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_adapted_set = models.ForeignKey(
        "standards.AdaptedIndicatorSet", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    report = models.JSONField(default=list)

    class Meta:
        ordering = ["assessment", "-at", "-id"]

    def __str__(self) -> str:
        return f"{self.assessment_id}: {self.from_standard_id} → {self.to_standard_id}"

    def get_absolute_url(self) -> str:
        return reverse("assessments:version_move_report", args=[self.assessment_id, self.pk])

    @property
    def counts(self) -> dict[str, int]:
        """How many indicators had each outcome (every outcome present, zero or not)."""
        counts = dict.fromkeys(self.Outcome.values, 0)
        for line in self.report:
            counts[line["outcome"]] = counts.get(line["outcome"], 0) + 1
        return counts


class ArchivedAnswer(models.Model):
    """An answer whose indicator has no counterpart (no indicator of the same lineage) in the version
    its assessment moved to: its whole content, kept here before the live row was deleted, so nothing
    the site team wrote is lost while the assessment page and the scores stop counting it."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="archived_answers")
    move = models.ForeignKey(AssessmentVersionMove, on_delete=models.CASCADE, related_name="archived_answers")
    indicator = models.ForeignKey("standards.Indicator", on_delete=models.PROTECT, related_name="+")
    answer_id = models.PositiveIntegerField(help_text=_("The id the answer had while it was live."))
    number = models.CharField(max_length=12)
    title = models.CharField(max_length=300)
    rating = models.CharField(max_length=40, blank=True)
    justification = models.TextField(blank=True)
    evidence_date = models.DateField(null=True, blank=True)
    action_text = models.TextField(blank=True)
    action_owner = models.CharField(max_length=200, blank=True)
    action_due = models.DateField(null=True, blank=True)
    carried_over = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1)
    evidence_ids = models.JSONField(default=list, blank=True, help_text=_("The evidence items it linked."))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["assessment", "move", "number"]

    def __str__(self) -> str:
        return f"{self.assessment_id} · {self.number} (archived): {self.rating or '—'}"


CONNECTION_MAX = 3000


class AssessmentSite(models.Model):
    """A protected area that a multi-site application covers besides the assessment's own
    `protected_area` (the main site, whose team runs the application).

    GREENLIST.md: one application may cover several sites that each meet the definition and are
    ecologically connected and share key values. Each added site therefore carries the applicant's
    statement of how it is connected to the others (`connection`) and which key values they share
    (`shared_values`): the expert group and the independent reviewer read them when they check
    eligibility. The assessment stays one: one set of answers, one decision, one certificate that
    names every site. Added and removed only in the application phase (`assessments.sites`).
    """

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="extra_sites")
    protected_area = models.ForeignKey(
        "protected_areas.ProtectedArea", on_delete=models.PROTECT, related_name="application_sites"
    )
    connection = models.TextField(_("how it is connected to the other sites"))
    shared_values = models.TextField(_("key values it shares with them"))
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["assessment", "protected_area__name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "protected_area"], name="assessment_site_unique"),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("connection"), CONNECTION_MAX), name="assessment_site_connection_len"
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("shared_values"), CONNECTION_MAX),
                name="assessment_site_values_len",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id} + {self.protected_area_id}"
