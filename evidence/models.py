"""Evidence items (the upload) and what the processing pipeline learnt about each file (its facts
and duplicate links).

The facts and duplicate links were the `evidence_processing` app's until issue 13: their tables keep
that app's names (`db_table`), so existing databases keep their rows (migration 0003).
"""

from __future__ import annotations

import uuid
from typing import Self

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db.models import Q
from django.utils.text import get_valid_filename
from django.utils.translation import gettext_lazy as _

from accounts import rules
from accounts.types import Person
from assessments.models import Assessment

from .choices import Duplicate, Kind, LocationCheck, ProcessingStatus, Sensitivity
from .storage import evidence_storage


def evidence_upload_to(instance: EvidenceItem, filename: str) -> str:
    # A random folder per file: original names collide, and names must not be guessable.
    name = get_valid_filename(filename)[-120:] or "file"
    return f"assessments/{instance.assessment_id}/{uuid.uuid4().hex}/{name}"


class EvidenceItemQuerySet(models.QuerySet["EvidenceItem"]):
    def visible_to(self, user: Person) -> Self:
        """The items this person may see: those of the assessments they may see, without the ones
        marked "site team only" outside the sites whose team-only material they may see. The one
        rule for pages, API and querysets; `evidence.rules.can_view_evidence_of` is its per-item
        form (both ask `accounts.rules.team_only_sites`)."""
        qs = self.filter(assessment__in=Assessment.objects.visible_to(user))
        sites = rules.team_only_sites(user)
        if sites is None:
            return qs
        return qs.filter(Q(assessment__protected_area_id__in=sites) | ~Q(sensitivity=Sensitivity.SITE_TEAM))


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
    # Which of a multi-site application's sites the item is about (issue 16): the main site or an added
    # one (assessments.sites); empty for the whole application. evidence_upload checks it is one of them.
    site = models.ForeignKey(
        "protected_areas.ProtectedArea",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("the site it is about"),
    )
    # What the uploader's device said when the file was taken (issue 17: evidence captured offline
    # is sent hours later, so uploaded_at is not when it was made): the file's time or the moment it
    # was queued, and the device's position when the person allowed it. A claim by the uploader,
    # kept apart from the facts that processing reads from the file itself (EvidenceFacts).
    device_captured_at = models.DateTimeField(_("captured on the device at"), null=True, blank=True)
    device_position = models.PointField(_("position given by the device"), srid=4326, null=True, blank=True)

    objects = EvidenceItemQuerySet.as_manager()

    # Not columns: set on the items of a page by `evidence.selectors` (the indicators an item is
    # linked to, its download URL, its processing facts for the badges).
    indicator_numbers: str
    url: str
    processing_facts: EvidenceFacts | None

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
                condition=Q(processing_status__in=[ProcessingStatus.PENDING, ProcessingStatus.PROCESSING]),
                name="evidence_waiting_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class EvidenceStatusCount(models.Model):
    """How many evidence items have each processing status, kept exact by triggers on the items'
    table (migration 0007): whatever writes the items (the ORM, bulk_create, a queryset's update,
    raw SQL, a restore) moves these counts in the same transaction. The staff dashboard reads a
    million items' totals here in a millisecond instead of counting them (0.6 s).

    Each connection adds to its own `slot` (its backend pid modulo 16), so uploads in parallel
    rarely wait on one another's row lock; a total is the sum over the slots."""

    status = models.CharField(max_length=12)
    slot = models.PositiveSmallIntegerField()
    items = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["status", "slot"], name="evidence_status_count_slot")]

    def __str__(self) -> str:
        return f"{self.status}[{self.slot}]: {self.items}"


class EvidenceFacts(models.Model):
    """Verified facts about one evidence file: type, integrity, metadata, location, derivatives.

    `claim_task` / `claimed_at` record which task run holds the item while it is `processing`,
    so a redelivered or swept task does not process it twice at the same time.
    """

    item = models.OneToOneField(
        "evidence.EvidenceItem", on_delete=models.CASCADE, primary_key=True, related_name="facts"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.UNKNOWN)
    mime_type = models.CharField(_("sniffed type"), max_length=120, blank=True)
    description = models.CharField(_("what libmagic says"), max_length=300, blank=True)
    page_count = models.PositiveIntegerField(null=True, blank=True)
    text = models.TextField(_("extracted text"), blank=True)
    search = SearchVectorField(null=True, editable=False)
    captured_at = models.DateTimeField(null=True, blank=True)
    camera_make = models.CharField(max_length=120, blank=True)
    camera_model = models.CharField(max_length=120, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    position = models.PointField(srid=4326, null=True, blank=True)
    geometry = models.GeometryCollectionField(srid=4326, null=True, blank=True)
    feature_count = models.PositiveIntegerField(null=True, blank=True)
    location_check = models.CharField(max_length=8, choices=LocationCheck.choices, default=LocationCheck.NONE)
    distance_km = models.FloatField(null=True, blank=True, help_text=_("0 when inside or touching the boundary."))
    in_period = models.BooleanField(null=True, blank=True, help_text=_("Date inside the assessment period."))
    duplicate = models.CharField(max_length=12, choices=Duplicate.choices, blank=True, default=Duplicate.NONE)
    thumbnail = models.FileField(storage=evidence_storage, max_length=300, blank=True)
    display = models.FileField(_("display copy without metadata"), storage=evidence_storage, max_length=300, blank=True)
    raster_stats = models.JSONField(null=True, blank=True)
    camera_trap = models.JSONField(null=True, blank=True)
    details = models.JSONField(default=dict, blank=True, help_text=_("Other facts (layers, EXIF extras)."))
    error_code = models.CharField(max_length=40, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    claim_task = models.CharField(max_length=64, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        db_table = "evidence_processing_evidencefacts"  # the table's name before issue 13 (see the module)
        verbose_name_plural = "evidence facts"
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="facts_kind_valid"),
            models.CheckConstraint(condition=Q(location_check__in=LocationCheck.values), name="facts_location_valid"),
            models.CheckConstraint(condition=Q(duplicate__in=Duplicate.values), name="facts_duplicate_valid"),
            models.CheckConstraint(
                condition=Q(distance_km__isnull=True) | Q(distance_km__gte=0), name="facts_distance_positive"
            ),
        ]
        indexes = [GinIndex(fields=["search"], name="facts_search_gin")]

    def __str__(self) -> str:
        return f"facts of evidence {self.item_id}"

    @property
    def latitude(self) -> float | None:
        return self.position.y if self.position else None

    @property
    def longitude(self) -> float | None:
        return self.position.x if self.position else None


class DuplicateLink(models.Model):
    """The same bytes (SHA-256) uploaded as another evidence item: reuse on the same site, a flag
    for reviewers when another site offers the same file."""

    item = models.ForeignKey("evidence.EvidenceItem", on_delete=models.CASCADE, related_name="duplicate_links")
    duplicate_of = models.ForeignKey("evidence.EvidenceItem", on_delete=models.CASCADE, related_name="+")
    same_site = models.BooleanField()
    found_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "evidence_processing_duplicatelink"
        constraints = [
            models.UniqueConstraint(fields=["item", "duplicate_of"], name="duplicate_link_unique"),
            models.CheckConstraint(condition=~Q(item=models.F("duplicate_of")), name="duplicate_link_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} = {self.duplicate_of_id}"


class ResumableUpload(models.Model):
    """An evidence file arriving in pieces over the tus protocol (evidence.resumable), before it
    becomes an EvidenceItem. Its bytes so far live in a file named after `id` under
    EVIDENCE_PARTIAL_ROOT (never a path from the client); `offset` is how many of them are kept.

    No status column: the upload is receiving while `offset < length`, done once `evidence` is
    set, and gone (purged with its bytes by a beat task) once `expires_at` passed. The audit trail
    records its start, its end as evidence and its termination."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    assessment = models.ForeignKey("assessments.Assessment", on_delete=models.CASCADE, related_name="+")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    length = models.BigIntegerField()
    offset = models.BigIntegerField(default=0)
    # The evidence fields announced in Upload-Metadata, checked at creation (resumable.upload_start).
    metadata = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    evidence = models.OneToOneField(
        "evidence.EvidenceItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(length__gt=0), name="resumable_length_positive"),
            models.CheckConstraint(
                condition=Q(offset__gte=0) & Q(offset__lte=models.F("length")), name="resumable_offset_in_range"
            ),
        ]
        indexes = [models.Index(fields=["expires_at"], name="resumable_expires_idx")]

    def __str__(self) -> str:
        return f"upload {self.id} ({self.offset}/{self.length})"
