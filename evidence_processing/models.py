"""What the processing pipeline learnt about each evidence file.

The evidence app owns the upload (`evidence.EvidenceItem`); this app owns the facts derived from
its bytes, one row per item, so re-processing replaces them without touching the upload.
"""

from django.contrib.gis.db import models
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from evidence.storage import evidence_storage

from .choices import Duplicate, Kind, LocationCheck


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
        constraints = [
            models.UniqueConstraint(fields=["item", "duplicate_of"], name="duplicate_link_unique"),
            models.CheckConstraint(condition=~Q(item=models.F("duplicate_of")), name="duplicate_link_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} = {self.duplicate_of_id}"
