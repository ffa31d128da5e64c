from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .choices import DesignationType, IucnCategory, Realm, SiteType


class ProtectedAreaQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Protected areas are public facts (WDPA): everyone may see the list and boundaries."""
        return self


class ProtectedArea(models.Model):
    """A protected or conserved area with its WDPA identity, attributes and current boundary.

    `key` is the import identity: `wdpa:<WDPA_PID>` for WDPA records (parcels like 41057_B are
    their own rows), `<source>:<value>` for other data sets imported with a field mapping.
    """

    key = models.CharField(max_length=120, unique=True)
    wdpa_id = models.BigIntegerField(_("WDPA id"), null=True, blank=True, db_index=True)
    wdpa_pid = models.CharField(_("WDPA parcel id"), max_length=64, blank=True, db_index=True)
    site_type = models.CharField(max_length=8, choices=SiteType.choices, default=SiteType.PROTECTED_AREA)
    name = models.CharField(max_length=300)
    orig_name = models.CharField(_("original name"), max_length=300, blank=True)
    name_eng = models.CharField(_("English name"), max_length=300, blank=True)
    designation = models.CharField(max_length=300, blank=True)
    designation_eng = models.CharField(_("designation (English)"), max_length=300, blank=True)
    designation_type = models.CharField(max_length=20, choices=DesignationType.choices, blank=True)
    iucn_category = models.CharField(
        _("IUCN category"), max_length=20, choices=IucnCategory.choices, default=IucnCategory.NOT_REPORTED
    )
    governance_type = models.CharField(max_length=120, blank=True)
    ownership_type = models.CharField(max_length=120, blank=True)
    management_authority = models.CharField(max_length=300, blank=True)
    management_plan = models.CharField(max_length=300, blank=True)
    realm = models.CharField(max_length=12, choices=Realm.choices, blank=True)
    status = models.CharField(max_length=40, blank=True)
    status_year = models.PositiveSmallIntegerField(default=0, help_text=_("0 means unknown."))
    iso3 = ArrayField(models.CharField(max_length=3), default=list, blank=True, help_text=_("ISO3 country codes"))
    parent_iso3 = ArrayField(models.CharField(max_length=3), default=list, blank=True)
    reported_area_km2 = models.FloatField(_("reported area (km²)"), null=True, blank=True)
    reported_marine_area_km2 = models.FloatField(null=True, blank=True)
    area_km2 = models.FloatField(
        _("computed area (km²)"), null=True, blank=True, help_text=_("On the spheroid (PostGIS geography).")
    )
    geom = models.MultiPolygonField(srid=4326, null=True, blank=True)
    point = models.PointField(srid=4326, null=True, blank=True, help_text=_("For sites reported only as a point."))
    geom_display = models.MultiPolygonField(srid=4326, null=True, blank=True, help_text=_("Simplified for maps."))
    attributes = models.JSONField(default=dict, blank=True, help_text=_("Source columns not mapped to fields."))
    source = models.CharField(max_length=300, blank=True, help_text=_("File the current record came from."))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProtectedAreaQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(iucn_category__in=IucnCategory.values), name="pa_iucn_category_valid"),
            models.CheckConstraint(condition=Q(site_type__in=SiteType.values), name="pa_site_type_valid"),
            models.CheckConstraint(condition=Q(geom__isnull=False) | Q(point__isnull=False), name="pa_has_geometry"),
        ]
        indexes = [
            GinIndex(fields=["iso3"]),
            models.Index(fields=["iucn_category"]),
            GinIndex(name="pa_name_trgm", fields=["name"], opclasses=["gin_trgm_ops"]),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("protected_areas:detail", args=[self.pk])

    @property
    def countries(self) -> str:
        return ", ".join(self.iso3)


class BoundaryVersion(models.Model):
    """A boundary the area had. The newest row is the current boundary; older ones stay for the
    assessments made against them."""

    protected_area = models.ForeignKey(ProtectedArea, on_delete=models.CASCADE, related_name="boundary_versions")
    version = models.PositiveIntegerField()
    geom = models.MultiPolygonField(srid=4326, null=True, blank=True)
    point = models.PointField(srid=4326, null=True, blank=True)
    area_km2 = models.FloatField(null=True, blank=True)
    area_change_km2 = models.FloatField(null=True, blank=True, help_text=_("Against the previous version."))
    shift_km = models.FloatField(
        null=True, blank=True, help_text=_("How far the boundary moved (Hausdorff distance, km).")
    )
    source = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["protected_area", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["protected_area", "version"], name="boundary_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.protected_area} v{self.version}"
