from typing import Any, Self

from django.contrib.gis.db import models
from django.contrib.gis.geos import GEOSGeometry
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db.models import Case, F, Func, Q, When
from django.db.models.functions import Now
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.types import Person

from .choices import DesignationType, IucnCategory, Realm, SiteType, governance_label
from .country_names import country_names

# Zooms up to OVERVIEW_MAX_ZOOM draw an area's overview (AreaOverview): the display boundary already
# in Web Mercator, simplified to OVERVIEW_TOLERANCE_M (under half a pixel at zoom 6), and only for
# areas of at least OVERVIEW_MIN_SIZE_DEG (a pixel at zoom 6: smaller ones are left out of those
# tiles anyway). A zoom-4 tile over Europe then reads a few hundred thousand vertices instead of
# millions, and does not reproject them.
OVERVIEW_MAX_ZOOM = 6
OVERVIEW_TOLERANCE_M = 1000
OVERVIEW_MIN_SIZE_DEG = 0.02


class OverviewOf(Func):
    """The overview boundary (AreaOverview) of a display boundary.

    Simplified in degrees before projecting (about OVERVIEW_TOLERANCE_M north-south, less east-west
    away from the equator), so that only the remaining vertices are reprojected. Web Mercator ends
    at ±85.05°: polar parts are cut off first, rather than failing.
    """

    template = (
        "CASE WHEN greatest(ST_XMax(%(expressions)s) - ST_XMin(%(expressions)s), "
        "ST_YMax(%(expressions)s) - ST_YMin(%(expressions)s)) >= " + str(OVERVIEW_MIN_SIZE_DEG) + " "
        "THEN ST_Multi(ST_CollectionExtract(ST_Transform(ST_Simplify(ST_ClipByBox2D(%(expressions)s, "
        "ST_MakeEnvelope(-180, -85.05, 180, 85.05, 4326)), " + str(OVERVIEW_TOLERANCE_M / 111_320) + ", true), "
        "3857), 3)) END"
    )
    output_field = models.MultiPolygonField(srid=3857, null=True)


class _SearchName(Func):
    # protected_area_search_text (migration 0006): the published, original and English names, lower
    # case, accents and marks removed, as protected_areas.search folds a query.
    function = "protected_area_search_text"
    output_field = models.TextField()


class ProtectedAreaQuerySet(models.QuerySet["ProtectedArea"]):
    def visible_to(self, user: Person) -> Self:
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
    # The importer compares hashes, not boundaries: re-importing an unchanged national file then
    # does no geometry work at all.
    geom_hash = models.BinaryField(
        null=True, blank=True, editable=False, help_text=_("BLAKE2b-128 of the boundary's WKB as last imported.")
    )
    # Stored, not computed per search: the trigram index's matches are checked again against the text
    # itself (a trigram index is lossy), and folding 15,000 names with unaccent on every search of a
    # common name cost more than the rest of the page. Generated, so every writer keeps it current.
    search_name = models.GeneratedField(
        expression=_SearchName(F("name"), F("orig_name"), F("name_eng")),
        output_field=models.TextField(),
        db_persist=True,
    )
    geom_repaired = models.BooleanField(default=False, help_text=_("The imported boundary was invalid and repaired."))
    attributes = models.JSONField(default=dict, blank=True, help_text=_("Source columns not mapped to fields."))
    source = models.CharField(max_length=300, blank=True, help_text=_("File the current record came from."))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProtectedAreaQuerySet.as_manager()

    # Not a column: the home page sets each of a site manager's sites' newest assessment
    # (greenlist.home; an assessments.Assessment, which this app sits below and cannot name).
    latest_assessment: Any

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
            GinIndex(name="pa_search_name_trgm", fields=["search_name"], opclasses=["gin_trgm_ops"]),
            # Also `pa_point_only_gist` (point WHERE geom IS NULL), made by migration 0008 in SQL:
            # Django's PostGIS schema editor drops the condition of a spatial index.
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("protected_areas:detail", args=[self.pk])

    @property
    def countries(self) -> str:
        """The area's countries by name, in the reader's language (country_names)."""
        return ", ".join(country_names(self.iso3))

    @property
    def governance_type_label(self) -> str:
        """The governance type in the reader's language (a WDPA one), or as imported."""
        return governance_label(self.governance_type)


# Low zooms draw small areas as points: one per cell of a pixel grid, made by the importer
# (protected_areas.map_cells). MAP_CELL_BANDS maps each band's last zoom to the grid level (the
# zoom whose 256-pixel tiles' pixels are the cells); zooms up to OVERVIEW_MAX_ZOOM fall in a band.
# Zooms 0 to 4 have their own: a coarser zoom's grid is too dense (a zoom-2 grid puts 16 cells in a
# zoom-0 pixel; a zoom-4 grid made a zoom-3 tile over Europe 1.3 MB).
MAP_CELL_BANDS = {0: 0, 1: 1, 2: 2, 3: 3, 4: 4, OVERVIEW_MAX_ZOOM: OVERVIEW_MAX_ZOOM}


class AreaOverview(models.Model):
    """An area's low-zoom map boundary: OverviewOf its display boundary, or none for an area under a
    pixel at zoom 6 (or with no boundary), in a table of its own.

    Made with the map's generalised layers (map_cells.refresh_overviews, before the cells and the
    stored low zooms), not when the area is written: as a column PostgreSQL generated it was 9 % of a
    first import's time (issue 19), and storing it later in the area's own row rewrote the row and
    its 15 indexes a second time (1.4 s per 10,000 areas, against 0.4 s here). An area without one is
    waiting for it: new, or its display boundary changed (the database deletes the overview then,
    whoever writes: migration 0014's trigger) or it was deleted with the area (the key's ON DELETE
    CASCADE, also in SQL). Meanwhile the live low zooms make it on the way (tile_render)."""

    area = models.OneToOneField(
        ProtectedArea, primary_key=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    geom = models.MultiPolygonField(srid=3857, null=True)


class MapCell(models.Model):
    """Where small areas are, for low zooms: the areas too small to draw at a zoom band (their
    overview boundary is under map_cells.MIN_PIXELS pixels of the band's last zoom, or they have none) counted per pixel
    of that zoom's grid, at the mean of their centres (Web Mercator). Kept current for the boxes of the
    areas written (by the importer, or any ORM write: map_updates); rebuilt whole after bulk loads
    (`map_cells.rebuild`)."""

    level = models.PositiveSmallIntegerField()
    x = models.IntegerField()
    y = models.IntegerField()
    areas = models.PositiveIntegerField()
    point = models.PointField(srid=3857)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["level", "x", "y"], name="pa_map_cell_unique")]

    def __str__(self) -> str:
        return f"{self.level}/{self.x}/{self.y}: {self.areas}"


class LowZoomTile(models.Model):
    """A vector tile of zooms 0 to low_zoom_tiles.STORED_MAX_ZOOM, made when areas are written rather
    than per request: such a tile draws a country or more, and making it takes PostGIS up to seconds
    at world scale. The tiles under the boxes of the areas written are remade (by the importer, or
    after any ORM write: map_updates, `low_zoom_tiles.refresh`); bulk loads remake them all
    (`low_zoom_tiles.rebuild`). Empty tiles are stored too (empty `data`)."""

    z = models.PositiveSmallIntegerField()
    x = models.IntegerField()
    y = models.IntegerField()
    data = models.BinaryField()
    made_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["z", "x", "y"], name="pa_low_zoom_tile_unique")]

    def __str__(self) -> str:
        return f"{self.z}/{self.x}/{self.y}"


class VacatedAreaBox(models.Model):
    """Where an area was drawn (its display box, or its point) before a write took it away from there: a
    deletion, or a new boundary. For the map's sweep (services.remake_stale_maps): when the remaking
    that such a write queues is lost (the broker down at commit), only this says which stored low-zoom
    tiles still show the area where it no longer is. Written by the database (migration 0012's
    triggers), whoever writes; each row is looked at by one sweep, then removed."""

    west = models.FloatField()
    south = models.FloatField()
    east = models.FloatField()
    north = models.FloatField()
    vacated_at = models.DateTimeField(db_default=Now(), db_index=True)

    def __str__(self) -> str:
        return f"{self.west},{self.south},{self.east},{self.north} vacated {self.vacated_at}"


class BoundaryVersionQuerySet(models.QuerySet["BoundaryVersion"]):
    def with_boundary(self) -> Self:
        """Each version with its boundary as `boundary_geom` and `boundary_point`: the stored one, or
        the area's own for the version that is the area's current boundary (see BoundaryVersion)."""
        current = Q(geom__isnull=True, point__isnull=True)
        return self.annotate(
            boundary_geom=Case(When(current, then=F("protected_area__geom")), default=F("geom")),
            boundary_point=Case(When(current, then=F("protected_area__point")), default=F("point")),
        )


class BoundaryVersion(models.Model):
    """A boundary the area had. The newest row is the current boundary; older ones stay for the
    assessments made against them.

    The current boundary is stored once, on the area: a version whose `geom` and `point` are both
    empty is the area's current boundary, and a trigger (migration 0010) copies the area's boundary
    into it when the area's boundary changes. Read a version's boundary through `boundary` (one
    version) or `objects.with_boundary()` (many), never from `geom` and `point` alone.
    """

    protected_area = models.ForeignKey(ProtectedArea, on_delete=models.CASCADE, related_name="boundary_versions")
    version = models.PositiveIntegerField()
    # Read per area, never searched by location: a spatial index would only slow imports down.
    geom = models.MultiPolygonField(srid=4326, null=True, blank=True, spatial_index=False)
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

    objects = BoundaryVersionQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.protected_area} v{self.version}"

    @property
    def boundary(self) -> GEOSGeometry | None:
        """This version's boundary (polygons, or the point of a point-only area)."""
        if self.geom is None and self.point is None:
            area = self.protected_area
            return area.geom if area.geom is not None else area.point
        return self.geom if self.geom is not None else self.point


class BasemapCountry(models.Model):
    """A country of the platform's own base map: Natural Earth 1:110m (public domain), loaded by
    `manage.py load_basemap` and served as vector tiles by the platform itself, so that every map
    draws coasts and borders around the boundaries without a tile server outside (or a network)."""

    name = models.CharField(max_length=200)
    iso3 = models.CharField(max_length=3, blank=True)
    continent = models.CharField(max_length=40, blank=True)
    geom = models.MultiPolygonField(srid=4326)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "base map countries"

    def __str__(self) -> str:
        return self.name


class BasemapPlace(models.Model):
    """A city of the platform's own base map: Natural Earth 1:110m populated places (public domain,
    capitals and major cities), loaded with the countries by `manage.py load_basemap`; every map
    writes the names of those in view over the base map."""

    name = models.CharField(max_length=200)
    # 1 = the first to claim room on the map when labels would overlap (see basemap.basemap_load).
    rank = models.PositiveSmallIntegerField()
    geom = models.PointField(srid=4326)

    class Meta:
        ordering = ["rank"]
        verbose_name_plural = "base map places"

    def __str__(self) -> str:
        return self.name
