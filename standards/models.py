import secrets

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Jurisdiction(models.Model):
    """A country or region whose Expert Assessment Group (EAGL) applies the Standard there."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    countries = ArrayField(models.CharField(max_length=3), default=list, help_text=_("ISO3 codes covered."))

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class StandardStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class Wording(models.TextChoices):
    """How far an indicator's text can be trusted as IUCN's (GREENLIST.md: never present the
    platform's words as IUCN's)."""

    OFFICIAL = "official", _("Official text")
    PARAPHRASE = "paraphrase", _("Topic known, in the platform's words")
    PENDING = "pending", _("Wording pending the official text")


def translations_default() -> dict:
    return {}


class Standard(models.Model):
    """One version of the Green List Standard: a draft the Standard Committee edits, or a
    published version, which never changes (assessments point at it).

    Published versions come from a YAML file (`manage.py load_standard`), an XLSX file, or a
    draft published in the browser. The rating scale and the roll-up rules are stored with the
    version, so that scoring an old assessment uses the rules it was made under.
    """

    Status = StandardStatus

    code = models.CharField(max_length=20)
    version = models.CharField(max_length=20)
    title = models.CharField(max_length=300)
    published = models.DateField(null=True, blank=True)
    provenance = models.TextField(blank=True)
    rules = models.JSONField(default=dict)
    rating_scale = models.JSONField(default=list)
    source_sha256 = models.CharField(max_length=64, blank=True)
    loaded_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=StandardStatus.choices, default=StandardStatus.PUBLISHED)
    based_on = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The version it was drafted from."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # A default, so that a version written straight to the table is published (drafts set None).
    published_at = models.DateTimeField(null=True, blank=True, default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Goes up on every change to a draft: a change names the revision it started from, and a
    # mismatch is a conflict rather than a silent overwrite.
    revision = models.PositiveIntegerField(default=1)
    translations = models.JSONField(default=translations_default, blank=True)

    class Meta:
        ordering = ["code", "-loaded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "version", "source_sha256"], name="standard_version_content_unique"
            ),
            models.CheckConstraint(condition=Q(status__in=StandardStatus.values), name="standard_status_valid"),
            models.CheckConstraint(
                condition=Q(status=StandardStatus.DRAFT) | Q(published_at__isnull=False),
                name="standard_published_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"

    @property
    def is_draft(self) -> bool:
        return self.status == StandardStatus.DRAFT

    @property
    def rating_codes(self) -> list[str]:
        return [r["code"] for r in self.rating_scale]

    def rating(self, code: str) -> dict | None:
        return next((r for r in self.rating_scale if r["code"] == code), None)

    def localized_scale(self, language: str | None = None) -> list[dict]:
        """The rating scale with each label and description in `language` (default: the active
        one) where the version has it (a rating's `translations`), else in English, as plain values (pages
        use `scale_for_pages`). In English, part of the scoring's inputs (scoring.selectors.scoring_inputs):
        what it holds is what they hash."""
        from .texts import localized_entry

        scale = []
        for rating in self.rating_scale:
            # The same fallback as every text of the Standard (texts.localized_entry), as plain values; a
            # rating without a description gets none.
            words = {field: localized_entry(rating, field, language).value for field in ("label", "description")}
            scale.append({**rating, **{field: value for field, value in words.items() if value is not None}})
        return scale

    def scale_for_pages(self, language: str | None = None) -> list[dict]:
        """The rating scale for pages: each rating's label and description as `texts.Localized`, which
        says where English stands in (marked as the Standard's other texts are: the `std_shown` tag)."""
        from .texts import localized_entry

        return [
            {
                **rating,
                "label": localized_entry(rating, "label", language),
                "description": localized_entry(rating, "description", language),
            }
            for rating in self.rating_scale
        ]


class Component(models.Model):
    standard = models.ForeignKey(Standard, on_delete=models.CASCADE, related_name="components")
    number = models.CharField(max_length=10)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField()
    translations = models.JSONField(default=translations_default, blank=True)

    class Meta:
        ordering = ["standard", "position"]
        constraints = [models.UniqueConstraint(fields=["standard", "number"], name="component_number_unique")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class Criterion(models.Model):
    component = models.ForeignKey(Component, on_delete=models.CASCADE, related_name="criteria")
    number = models.CharField(max_length=10)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField()
    translations = models.JSONField(default=translations_default, blank=True)

    class Meta:
        ordering = ["component__position", "position"]
        verbose_name_plural = "criteria"
        constraints = [models.UniqueConstraint(fields=["component", "number"], name="criterion_number_unique")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class Indicator(models.Model):
    """A generic indicator, e.g. GLS-V1.1-1.1.1.

    `lineage` names the indicator's meaning across versions: a draft copies it, so an indicator
    that is reworded or renumbered keeps it, and one whose meaning changes gets a new one. Answers
    follow lineage when an assessment moves to another version; the diff uses it to tell "moved"
    and "reworded" from "removed and added".
    """

    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="indicators")
    standard = models.ForeignKey(Standard, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(max_length=40)
    number = models.CharField(max_length=12)
    title = models.CharField(max_length=300)
    text = models.TextField()
    means_of_verification = models.JSONField(default=list, blank=True, help_text=_("A list of means of verification."))
    guidance = models.TextField(blank=True)
    sdgs = ArrayField(models.PositiveSmallIntegerField(), default=list, blank=True, help_text=_("Related SDGs (1-17)."))
    wording = models.CharField(max_length=12, choices=Wording.choices, default=Wording.PARAPHRASE)
    lineage = models.CharField(max_length=80)
    position = models.PositiveSmallIntegerField(help_text=_("Order within the whole Standard."))
    translations = models.JSONField(default=translations_default, blank=True)

    class Meta:
        ordering = ["standard", "position"]
        constraints = [
            models.UniqueConstraint(fields=["standard", "code"], name="indicator_code_unique"),
            models.UniqueConstraint(fields=["standard", "lineage"], name="indicator_lineage_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class AdaptedSetStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for approval")
    APPROVED = "approved", _("Approved")
    RETIRED = "retired", _("Retired")


class AdaptedIndicatorSet(models.Model):
    """A jurisdiction's adaptation of a Standard version: drafted by its Expert Assessment Group,
    with a record of the stakeholder consultation, approved by the Standard Committee
    (standards.adaptation)."""

    # Named at module level too: the constraints below (in Meta) cannot see the class's names.
    Status = AdaptedSetStatus

    standard = models.ForeignKey(Standard, on_delete=models.PROTECT, related_name="adapted_sets")
    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="adapted_sets")
    title = models.CharField(max_length=300)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # As Standard.revision: every change to the draft names the revision it started from.
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["jurisdiction", "-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=AdaptedSetStatus.values), name="adaptedset_status"),
            models.CheckConstraint(
                condition=~Q(status=AdaptedSetStatus.APPROVED)
                | (Q(approved_by__isnull=False) & Q(approved_on__isnull=False)),
                name="adaptedset_approved_has_approver",
            ),
            # One approved set per jurisdiction and Standard version at a time.
            models.UniqueConstraint(
                fields=["standard", "jurisdiction"],
                condition=Q(status=AdaptedSetStatus.APPROVED),
                name="adaptedset_one_approved",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class AdaptedIndicator(models.Model):
    adapted_set = models.ForeignKey(AdaptedIndicatorSet, on_delete=models.CASCADE, related_name="indicators")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="adaptations")
    text = models.TextField(_("adapted wording"))
    thresholds = models.TextField(blank=True)
    means_of_verification = models.JSONField(default=list, blank=True)
    translations = models.JSONField(default=translations_default, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["adapted_set", "indicator"], name="adapted_indicator_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.number} ({self.adapted_set.jurisdiction})"


# --- adapted sets: their lifecycle and the stakeholder consultation (standards.adaptation) ------


class AdaptedSetTransition(models.Model):
    """One move of an adapted set's lifecycle: who, when, from, to, why (core.workflow)."""

    adapted_set = models.ForeignKey(AdaptedIndicatorSet, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=10, choices=AdaptedSetStatus.choices)
    to_status = models.CharField(max_length=10, choices=AdaptedSetStatus.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["adapted_set", "at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(from_status__in=AdaptedSetStatus.values), name="adaptedset_move_from"),
            models.CheckConstraint(condition=Q(to_status__in=AdaptedSetStatus.values), name="adaptedset_move_to"),
        ]

    def __str__(self) -> str:
        return f"{self.adapted_set_id}: {self.from_status} → {self.to_status}"


class AdaptationConsultation(models.Model):
    """How the expert group consulted stakeholders on its adaptation (one record per set): the
    Committee approves only a set whose consultation is closed and whose every comment was answered."""

    adapted_set = models.OneToOneField(AdaptedIndicatorSet, on_delete=models.CASCADE, related_name="consultation")
    opened_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    who_was_consulted = models.TextField(blank=True)
    method = models.TextField(blank=True)
    summary = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(opened_on__isnull=False, closed_on__gte=models.F("opened_on")),
                name="consultation_closes_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return f"Consultation on {self.adapted_set}"


class CommentOutcome(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    PARTLY_ACCEPTED = "partly_accepted", _("Partly accepted")
    NOT_ACCEPTED = "not_accepted", _("Not accepted")
    NOTED = "noted", _("Noted")


class ConsultationComment(models.Model):
    """A comment received in the consultation and how the expert group handled it."""

    Outcome = CommentOutcome

    consultation = models.ForeignKey(AdaptationConsultation, on_delete=models.CASCADE, related_name="comments")
    from_whom = models.CharField(max_length=300)
    received_on = models.DateField(null=True, blank=True)
    comment = models.TextField()
    response = models.TextField(blank=True, help_text=_("How the comment was handled."))
    outcome = models.CharField(max_length=20, choices=CommentOutcome.choices, blank=True)
    indicator = models.ForeignKey(Indicator, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["consultation", "received_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome="") | Q(outcome__in=CommentOutcome.values), name="consultation_comment_outcome"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_whom}: {self.comment[:40]}"

    @property
    def is_handled(self) -> bool:
        return bool(self.response.strip()) and bool(self.outcome)


def consultation_attachment_upload_to(instance: "ConsultationAttachment", filename: str) -> str:
    # A random name: the uploader's file name is kept in `original_filename`, never as a path.
    return f"consultations/{instance.consultation.adapted_set_id}/{secrets.token_hex(16)}"


class ConsultationAttachment(models.Model):
    """A document of the consultation (invitation, minutes, submissions). Stored under MEDIA_ROOT,
    which is never served as such: it leaves only through the download view, to those who may see
    the set."""

    consultation = models.ForeignKey(AdaptationConsultation, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=consultation_attachment_upload_to, max_length=300)
    title = models.CharField(max_length=300)
    original_filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["consultation", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.title


# The programme's Management Committee finds "four enabling conditions" met before a jurisdiction
# joins (GREENLIST.md), but no public source names them: the platform numbers them 1 to 4 and staff
# enter each one's wording as the programme gives it, never a wording of ours.
ENABLING_CONDITIONS = (1, 2, 3, 4)
# The programme asks for at least ten experts in a jurisdiction's Expert Assessment Group (GREENLIST.md).
MIN_ACCREDITED_EXPERTS = 10


class JurisdictionOnboarding(models.Model):
    """How a jurisdiction joined the programme: the four enabling conditions with the day each was
    found met, the Implementing Partner, and the independent reviewer appointed (a person holding the
    reviewer role on the platform, or a name when they have no account). Staff keep it
    (`standards.onboarding`); the jurisdiction's experts and staff read it. One per jurisdiction,
    made on its first save."""

    jurisdiction = models.OneToOneField(Jurisdiction, on_delete=models.CASCADE, related_name="onboarding")
    condition_1_label = models.CharField(max_length=300, blank=True)
    condition_1_met_on = models.DateField(null=True, blank=True)
    condition_2_label = models.CharField(max_length=300, blank=True)
    condition_2_met_on = models.DateField(null=True, blank=True)
    condition_3_label = models.CharField(max_length=300, blank=True)
    condition_3_met_on = models.DateField(null=True, blank=True)
    condition_4_label = models.CharField(max_length=300, blank=True)
    condition_4_met_on = models.DateField(null=True, blank=True)
    implementing_partner = models.CharField(max_length=300, blank=True)
    partner_since = models.DateField(null=True, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewer_name = models.CharField(max_length=300, blank=True, help_text=_("When the reviewer has no account."))
    reviewer_appointed_on = models.DateField(null=True, blank=True)
    joined_on = models.DateField(null=True, blank=True, help_text=_("The day the jurisdiction joined the programme."))
    notes = models.TextField(blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["jurisdiction__name"]
        constraints = [
            # A condition found met has a wording: a date alone would say nothing of what was met.
            *(
                models.CheckConstraint(
                    condition=Q(**{f"condition_{n}_met_on__isnull": True}) | ~Q(**{f"condition_{n}_label": ""}),
                    name=f"onboarding_condition_{n}_named",
                )
                for n in ENABLING_CONDITIONS
            ),
            models.CheckConstraint(
                condition=Q(reviewer__isnull=True) | Q(reviewer_name=""), name="onboarding_one_reviewer"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.jurisdiction}: onboarding"

    @property
    def conditions(self) -> list[tuple[int, str, object]]:
        """(number, label, met_on) of the four conditions, in order."""
        return [
            (n, getattr(self, f"condition_{n}_label"), getattr(self, f"condition_{n}_met_on"))
            for n in ENABLING_CONDITIONS
        ]

    @property
    def conditions_met(self) -> int:
        return sum(1 for _n, _label, met_on in self.conditions if met_on is not None)

    @property
    def reviewer_shown(self) -> str:
        return self.reviewer.get_full_name() if self.reviewer else self.reviewer_name
