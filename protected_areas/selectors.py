"""Reads about protected areas: list pages, detail pages, site teams and vector tiles."""

from __future__ import annotations

from django.core.cache import cache
from django.db import connection
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts import rules
from accounts.choices import Role
from accounts.models import RoleAssignment
from accounts.types import Person
from core.models import Job

from .import_wizard import PREVIEW_JOB_KIND
from .map_cells import MIN_PIXELS, drawn_from_m
from .models import MAP_CELL_BANDS, OVERVIEW_MAX_ZOOM, BoundaryVersion, ProtectedArea
from .services import EXTENT_KEY, IMPORT_JOB_KIND
from .tile_cache import MAX_ZOOM, forget, get_or_make

# Columns pages and the API never show: the tile boundary and the import's boundary hash.
MAP_ONLY = ("geom_overview", "geom_hash")
# Columns the list page and API list need; full boundaries stay in the database.
LIST_DEFERRED = ("geom", "point", "attributes", *MAP_ONLY)


def areas_for_list(user: Person) -> QuerySet[ProtectedArea]:
    return ProtectedArea.objects.visible_to(user).defer(*LIST_DEFERRED, "geom_display")


def area_for_user(user: Person, pk: int | str) -> ProtectedArea:
    return get_object_or_404(ProtectedArea.objects.visible_to(user).defer("geom", *MAP_ONLY), pk=pk)


def boundary_versions(area: ProtectedArea) -> QuerySet[BoundaryVersion]:
    return BoundaryVersion.objects.filter(protected_area=area).defer("geom", "point")


def site_team(area: ProtectedArea) -> QuerySet[RoleAssignment]:
    return (
        RoleAssignment.objects.active()
        .filter(protected_area=area, role=Role.SITE_MANAGER)
        .select_related("user")
        .order_by("user__email")
    )


def get_import_job_for_user(user: Person, pk: int | str) -> Job:
    """An import job for whoever may import (IUCN staff, any of them: imports are a shared chore);
    anyone else is told it does not exist (404), as for the import pages."""
    if not rules.can_import_protected_areas(user):
        raise Http404("No such import.")
    return get_object_or_404(
        Job.objects.select_related("created_by"), pk=pk, kind__in=[IMPORT_JOB_KIND, PREVIEW_JOB_KIND]
    )


def recent_import_jobs(limit: int = 10) -> QuerySet[Job]:
    return Job.objects.filter(kind=IMPORT_JOB_KIND).select_related("created_by")[:limit]


# --- vector tiles ---------------------------------------------------------------------------------

_TILE_SQL = """
WITH bounds AS (
    SELECT ST_TileEnvelope(%(z)s, %(x)s, %(y)s) AS env
), search AS (
    -- The tile in degrees, widened by the 64-unit buffer ST_AsMVTGeom keeps. (Widening in Web
    -- Mercator first would push edge tiles past ±180°, where the longitude wraps around.)
    SELECT ST_Expand(e, (ST_XMax(e) - ST_XMin(e)) / 64) AS env4326
    FROM (SELECT ST_Transform(env, 4326) AS e FROM bounds) t
), polygons AS (
    {polygons}
), points AS (
    SELECT pa.id, pa.name, pa.iucn_category, pa.wdpa_id,
           ST_AsMVTGeom(ST_Transform(pa.point, 3857), bounds.env, 4096, 64, true) AS geom
    FROM protected_areas_protectedarea pa, bounds, search
    WHERE pa.geom IS NULL AND pa.point && search.env4326
)
SELECT (SELECT ST_AsMVT(polygons.*, 'areas', 4096, 'geom', 'id') FROM polygons WHERE geom IS NOT NULL)
    || (SELECT ST_AsMVT(points.*, 'area_points', 4096, 'geom', 'id') FROM points WHERE geom IS NOT NULL)
    {cells}
"""
# Closer zooms: the display boundary, reprojected per tile.
_POLYGONS_DISPLAY = """
    SELECT pa.id, pa.name, pa.iucn_category, pa.wdpa_id,
           ST_AsMVTGeom(ST_Transform(pa.geom_display, 3857), bounds.env, 4096, 64, true) AS geom
    FROM protected_areas_protectedarea pa, bounds, search
    WHERE pa.geom_display && search.env4326
      -- Below zoom 10, areas smaller than a pixel (256-pixel tiles) are left for the closer zooms:
      -- a whole WDPA release in a zoom-4 tile would otherwise be tens of thousands of specks.
      AND (%(z)s >= 10 OR greatest(ST_XMax(pa.geom_display) - ST_XMin(pa.geom_display),
                                   ST_YMax(pa.geom_display) - ST_YMin(pa.geom_display)) >= %(pixel)s)
"""
# Zooms up to OVERVIEW_MAX_ZOOM: the pre-simplified Web Mercator overview (models.py) of the areas
# at least map_cells.MIN_PIXELS wide at the zoom band's last zoom (on the overview's own small bounding box); the
# others are that band's MapCell points (map_cells), layer `area_cells` with their count.
_POLYGONS_OVERVIEW = """
    SELECT pa.id, pa.name, pa.iucn_category, pa.wdpa_id,
           -- Simplified again to a quarter pixel of the band's last zoom: a quarter of the bytes.
           ST_AsMVTGeom(ST_Simplify(pa.geom_overview, %(pixel_m)s / %(min_pixels)s / 4, true),
                        bounds.env, 4096, 64, true) AS geom
    FROM protected_areas_protectedarea pa, bounds
    WHERE pa.geom_overview && ST_Expand(bounds.env, (ST_XMax(bounds.env) - ST_XMin(bounds.env)) / 64)
      AND greatest(ST_XMax(pa.geom_overview) - ST_XMin(pa.geom_overview),
                   ST_YMax(pa.geom_overview) - ST_YMin(pa.geom_overview)) >= %(pixel_m)s
"""
_CELLS = """
    || (SELECT ST_AsMVT(cells.*, 'area_cells', 4096, 'geom') FROM (
        SELECT c.areas, ST_AsMVTGeom(c.point, bounds.env, 4096, 64, true) AS geom
        FROM protected_areas_mapcell c, bounds
        WHERE c.level = %(level)s AND c.point && ST_Expand(bounds.env, (ST_XMax(bounds.env) - ST_XMin(bounds.env)) / 64)
    ) cells WHERE geom IS NOT NULL)
"""
TILE_SQL = _TILE_SQL.format(polygons=_POLYGONS_DISPLAY, cells="")
TILE_SQL_OVERVIEW = _TILE_SQL.format(polygons=_POLYGONS_OVERVIEW, cells=_CELLS)


def tile_in_range(z: int, x: int, y: int) -> bool:
    return 0 <= z <= MAX_ZOOM and 0 <= x < 2**z and 0 <= y < 2**z


def tile_raw(z: int, x: int, y: int) -> bytes:
    """The Mapbox Vector Tile straight from PostGIS (layers `areas` and `area_points`)."""
    params = {"z": z, "x": x, "y": y, "pixel": 360 / 2**z / 256}
    if z <= OVERVIEW_MAX_ZOOM:
        sql = TILE_SQL_OVERVIEW
        params["level"] = min(level for last, level in MAP_CELL_BANDS.items() if z <= last)
        params["pixel_m"] = drawn_from_m(params["level"])
        params["min_pixels"] = MIN_PIXELS
    else:
        sql = TILE_SQL
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        data = cursor.fetchone()[0]
    return bytes(data) if data else b""


def tile(z: int, x: int, y: int) -> tuple[str, bytes]:
    """A tile's ETag and bytes from the Redis tile cache (tile_cache: imports forget the tiles they
    touch), made by PostGIS when missing."""
    return get_or_make(z, x, y, lambda: tile_raw(z, x, y))


def tile_cache_forget(z: int, x: int, y: int) -> None:
    """Drop one cached tile (benchmarks time cold tiles with it)."""
    forget(z, x, y)


def areas_extent() -> list[float] | None:
    """[west, south, east, north] of every area's drawn boundary or point, for the global map's first
    view; cached until an import changes the data."""
    cached = cache.get(EXTENT_KEY)
    if cached is not None:
        return list(cached) or None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM ("
            "SELECT ST_Extent(coalesce(geom_display, point)) AS e FROM protected_areas_protectedarea) x"
        )
        row = cursor.fetchone()
    extent = [round(float(v), 4) for v in row] if row and row[0] is not None else []
    cache.set(EXTENT_KEY, extent, timeout=24 * 3600)
    return extent or None
