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

from . import low_zoom_tiles, tile_render
from .import_wizard import PREVIEW_JOB_KIND
from .map_updates import EXTENT_KEY
from .models import BoundaryVersion, ProtectedArea
from .services import IMPORT_JOB_KIND
from .tile_cache import MAX_ZOOM, forget, get_or_make

# Columns pages and the API never show: the import's boundary hash.
MAP_ONLY = ("geom_hash",)
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


def tile_in_range(z: int, x: int, y: int) -> bool:
    return 0 <= z <= MAX_ZOOM and 0 <= x < 2**z and 0 <= y < 2**z


def tile_raw(z: int, x: int, y: int) -> bytes:
    """The Mapbox Vector Tile: zooms up to low_zoom_tiles.STORED_MAX_ZOOM as made at import, closer
    ones (and low ones never made) drawn now by PostGIS (tile_render)."""
    if z <= low_zoom_tiles.STORED_MAX_ZOOM:
        data = low_zoom_tiles.stored(z, x, y)
        if data is not None:
            return data
    return tile_render.render(z, x, y)


def tile(z: int, x: int, y: int) -> tuple[str, bytes]:
    """A tile's ETag and gzipped bytes from the Redis tile cache (tile_cache: imports forget the tiles
    they touch), made when missing."""
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
