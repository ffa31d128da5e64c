import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.text import get_valid_filename
from django.utils.translation import gettext_lazy as _

from .choices import ProcessingStatus, Sensitivity
from .storage import evidence_storage


def evidence_upload_to(instance: "EvidenceItem", filename: str) -> str:
    # A random folder per file: original names collide, and names must not be guessable.
    name = get_valid_filename(filename)[-120:] or "file"
    return f"assessments/{instance.assessment_id}/{uuid.uuid4().hex}/{name}"


class EvidenceItemQuerySet(models.QuerySet):
    def visible_to(self, user):
        from accounts import rules
        from assessments.models import Assessment

        qs = self.filter(assessment__in=Assessment.objects.visible_to(user))
        if not rules.is_iucn_staff(user):
            # Outside the site team, items marked "site team only" stay hidden.
            qs = qs.filter(
                Q(assessment__protected_area_id__in=rules.managed_area_ids(user)) | ~Q(sensitivity="site_team")
            )
        return qs


class EvidenceItem(models.Model):
    """A file a site team offers as evidence for one or more indicators of an assessment.

    Links to indicators go through the assessment's answers (`answers`), so that a new cycle can
    carry the same item over. The processing pipeline (hashing, previews, metadata) fills
    `sha256` and moves `processing_status` on; uploads start `pending`.
    """

    assessment = models.ForeignKey("assessments.Assessment", on_delete=models.PROTECT, related_name="evidence_items")
    title = models.CharField(max_length=300)
    file = models.FileField(upload_to=evidence_upload_to, storage=evidence_storage, max_length=300)
    original_filename = models.CharField(max_length=300)
    size = models.BigIntegerField()
    content_type = models.CharField(max_length=120, blank=True, help_text=_("As the browser declared it."))
    evidence_date = models.DateField(
        _("date the evidence refers to"), null=True, blank=True, help_text=_("Not the upload date.")
    )
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    sensitivity = models.CharField(max_length=12, choices=Sensitivity.choices, default=Sensitivity.REVIEWERS)
    processing_status = models.CharField(
        max_length=12, choices=ProcessingStatus.choices, default=ProcessingStatus.PENDING
    )
    status_reason = models.TextField(blank=True)
    sha256 = models.CharField(max_length=64, blank=True)

    objects = EvidenceItemQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(sensitivity__in=Sensitivity.values), name="evidence_sensitivity_valid"),
            models.CheckConstraint(
                condition=Q(processing_status__in=ProcessingStatus.values), name="evidence_processing_status_valid"
            ),
            models.CheckConstraint(condition=Q(size__gte=0), name="evidence_size_positive"),
        ]
        indexes = [
            models.Index(fields=["assessment", "-uploaded_at"]),
            # The pipeline looks up duplicates by content and claims waiting items per assessment.
            models.Index(fields=["sha256"], name="evidence_sha256_idx"),
            models.Index(
                fields=["assessment"],
                condition=Q(processing_status__in=["pending", "processing"]),
                name="evidence_waiting_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.title
