"""Monitoring series of a protected area (issue 18): datasets the site team (or `import_monitoring`)
adds, turned by a worker into tidy values, one row per metric × taxon × zone × period.

A dataset moves received → processing → ready | failed (monitoring.workflow, logged in
`MonitoringDatasetTransition`). Its values and map points are replaced in one transaction when it is
processed and are shown only while it is ready: nothing half-computed is ever a result.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import Q
from django.utils.text import get_valid_filename
from django.utils.translation import gettext_lazy as _

from evidence.storage import evidence_storage

from .choices import DatasetKind, DatasetStatus, EffortUnit, Metric, NotComparable, PointKind, Zone

TITLE_MAX = 300
NAME_MAX = 300
TAXON_MAX = 300
PERIOD_MAX = 7  # "2020" or "2020-05"
METHOD_MAX = 40


def monitoring_upload_to(instance: MonitoringFile, filename: str) -> str:
    # A random folder per file, as for evidence: original names collide and must not be guessable.
    name = get_valid_filename(filename)[-120:] or "file"
    return f"monitoring/{instance.dataset.area_id}/{uuid.uuid4().hex}/{name}"


class MonitoringDataset(models.Model):
    """One monitoring dataset of an area: a Camtrap DP package, a forest-change raster pair, a
    Darwin Core Archive or acoustic detection tables, with the parameters it is read with."""

    area = models.ForeignKey(
        "protected_areas.ProtectedArea", on_delete=models.CASCADE, related_name="monitoring_datasets"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=DatasetKind.choices)
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    # How the files are read: min_confidence (acoustic), canopy_threshold and buffer_km (forest),
    # recording_hours (acoustic, when the tables do not say how long was recorded).
    params = models.JSONField(default=dict, blank=True)
    # Sensitive: locations are generalised on every page, never in public pages or exports.
    sensitive = models.BooleanField(_("sensitive locations"), default=False)
    status = models.CharField(max_length=12, choices=DatasetStatus.choices, default=DatasetStatus.RECEIVED)
    # Every problem found while reading: [{"file", "row", "column", "message"}], row/column null when
    # the problem is the whole file.
    problems = models.JSONField(default=list, blank=True)
    # What the reader found (counts, years, effort totals, the rules it applied).
    summary = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    # Workers that started reading the files since processing was last asked for and did not finish
    # (a worker killed by a file: out of memory, a crash in GDAL); the next start past
    # services.MAX_ATTEMPTS fails the dataset instead of reading it again.
    attempts = models.PositiveSmallIntegerField(default=0)
    # When processing was last asked for or a worker last started reading (null: not processing).
    processing_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["area", "-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=DatasetKind.values), name="monitoring_dataset_kind_valid"),
            models.CheckConstraint(
                condition=Q(status__in=DatasetStatus.values), name="monitoring_dataset_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.kind}, {self.status})"

    @property
    def is_ready(self) -> bool:
        return self.status == DatasetStatus.READY


class MonitoringFile(models.Model):
    """A file of a dataset, kept in the private storage (never under a public URL)."""

    dataset = models.ForeignKey(MonitoringDataset, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to=monitoring_upload_to, storage=evidence_storage, max_length=300)
    original_name = models.CharField(max_length=NAME_MAX)
    size = models.BigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["dataset", "original_name", "id"]

    def __str__(self) -> str:
        return self.original_name


class MonitoringDatasetTransition(models.Model):
    """One move of a dataset's status (monitoring.workflow); `by` null is the worker or a command."""

    dataset = models.ForeignKey(MonitoringDataset, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=12, choices=DatasetStatus.choices)
    to_status = models.CharField(max_length=12, choices=DatasetStatus.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    note = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["dataset", "at", "id"]

    def __str__(self) -> str:
        return f"{self.dataset_id}: {self.from_status} → {self.to_status}"


class MonitoringValue(models.Model):
    """One tidy value: metric × taxon × zone × period of a dataset, with the effort behind it."""

    dataset = models.ForeignKey(MonitoringDataset, on_delete=models.CASCADE, related_name="values")
    metric = models.CharField(max_length=24, choices=Metric.choices)
    # The scientific name, or null for an area-wide metric (forest loss, species richness).
    taxon = models.CharField(max_length=TAXON_MAX, null=True, blank=True)
    zone = models.CharField(max_length=8, choices=Zone.choices, default=Zone.INSIDE)
    period = models.CharField(max_length=PERIOD_MAX)  # "2020" or "2020-05"
    period_start = models.DateField()
    value = models.FloatField()
    effort = models.FloatField(null=True, blank=True)
    effort_unit = models.CharField(max_length=20, choices=EffortUnit.choices, blank=True)
    # False: the value is not to be compared with other periods (see not_comparable_reason).
    comparable = models.BooleanField(default=True)
    # Why not (empty while comparable): too little effort, other camera sites, a partly covered zone.
    not_comparable_reason = models.CharField(max_length=12, choices=NotComparable.choices, blank=True)
    ci_low = models.FloatField(null=True, blank=True)
    ci_high = models.FloatField(null=True, blank=True)
    # The boundary valid for that period (each year is computed inside the boundary valid then).
    boundary = models.ForeignKey(
        "protected_areas.BoundaryVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    method = models.CharField(max_length=METHOD_MAX, blank=True)

    class Meta:
        ordering = ["dataset", "metric", "taxon", "zone", "period_start"]
        indexes = [models.Index(fields=["dataset", "metric", "period_start"], name="monitoring_value_series")]
        constraints = [
            models.CheckConstraint(condition=Q(metric__in=Metric.values), name="monitoring_value_metric_valid"),
            models.CheckConstraint(condition=Q(zone__in=Zone.values), name="monitoring_value_zone_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.metric} {self.taxon or '-'} {self.zone} {self.period}: {self.value}"


class MonitoringPoint(models.Model):
    """A place on the dataset's map: a camera deployment, a species record, a forest-loss pixel."""

    dataset = models.ForeignKey(MonitoringDataset, on_delete=models.CASCADE, related_name="points")
    kind = models.CharField(max_length=12, choices=PointKind.choices)
    geom = models.PointField(srid=4326)
    taxon = models.CharField(max_length=TAXON_MAX, null=True, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    label = models.CharField(max_length=NAME_MAX, blank=True)

    class Meta:
        ordering = ["dataset", "kind", "id"]
        indexes = [models.Index(fields=["dataset", "kind"], name="monitoring_point_kind")]

    def __str__(self) -> str:
        return f"{self.kind} {self.taxon or ''} {self.year or ''}".strip()


class MonitoringIndicatorLink(models.Model):
    """A dataset (or one of its series: a metric, for one taxon or area-wide) offered as evidence
    for an indicator of the Standard: the outcome indicators (component 4) and "measure success"
    (criterion 3.7). Reviewers see it beside the indicator (matched by the indicator's number, so a
    link made on one version of the Standard still shows on an assessment of the next)."""

    dataset = models.ForeignKey(MonitoringDataset, on_delete=models.CASCADE, related_name="indicator_links")
    indicator = models.ForeignKey("standards.Indicator", on_delete=models.CASCADE, related_name="+")
    # Blank metric: the whole dataset; blank taxon: every taxon (or an area-wide metric).
    metric = models.CharField(max_length=24, choices=Metric.choices, blank=True)
    taxon = models.CharField(max_length=TAXON_MAX, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["dataset", "indicator__position", "metric", "taxon"]
        constraints = [
            models.UniqueConstraint(
                fields=["dataset", "indicator", "metric", "taxon"], name="monitoring_indicator_link_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dataset_id} → {self.indicator_id} {self.metric or '*'} {self.taxon or '*'}"
