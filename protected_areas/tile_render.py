"""Making a protected-area vector tile (Mapbox Vector Tile) in PostGIS.

Zooms up to OVERVIEW_MAX_ZOOM are drawn from the generalised layers made at import (models.py's
AreaOverview, map_cells' MapCell points); closer zooms from the display boundary. Zooms up to
low_zoom_tiles.STORED_MAX_ZOOM are not made per request but stored when areas are written
(low_zoom_tiles); selectors.tile_raw serves those.
"""

from __future__ import annotations

from django.db import connection

from .map_cells import drawn_from_m, pixel_m
from .models import MAP_CELL_BANDS, OVERVIEW_MAX_ZOOM, OverviewOf

# Tile units across a tile. Zooms up to OVERVIEW_MAX_ZOOM use 1024 (4 units per pixel, 2 where
# MapLibre stretches a tile to the next zoom): finer is invisible there and costs bytes, since every
# vertex is a delta of varints. Closer zooms keep PostGIS's default, for crisp small outlines.
EXTENT = 4096
OVERVIEW_EXTENT = 1024

_TILE_SQL = """
WITH bounds AS (
    SELECT ST_TileEnvelope(%(z)s, %(x)s, %(y)s) AS env
), search AS (
    -- The tile in degrees, widened by the buffer ST_AsMVTGeom keeps (1/64 of the tile). (Widening in
    -- Web Mercator first would push edge tiles past ±180°, where the longitude wraps around.)
    SELECT ST_Expand(e, (ST_XMax(e) - ST_XMin(e)) / 64) AS env4326
    FROM (SELECT ST_Transform(env, 4326) AS e FROM bounds) t
), polygons AS (
    {polygons}
), points AS (
    SELECT pa.id, pa.name, pa.iucn_category, pa.wdpa_id,
           ST_AsMVTGeom(ST_Transform(pa.point, 3857), bounds.env, %(extent)s, %(buffer)s, true) AS geom
    FROM protected_areas_protectedarea pa, bounds, search
    WHERE pa.geom IS NULL AND pa.point && search.env4326
)
SELECT (SELECT ST_AsMVT(polygons.*, 'areas', %(extent)s, 'geom', 'id') FROM polygons WHERE geom IS NOT NULL)
    || (SELECT ST_AsMVT(points.*, 'area_points', %(extent)s, 'geom', 'id') FROM points WHERE geom IS NOT NULL)
    {cells}
"""
# Closer zooms: the display boundary, reprojected per tile.
_POLYGONS_DISPLAY = """
    SELECT pa.id, pa.name, pa.iucn_category, pa.wdpa_id,
           ST_AsMVTGeom(ST_Transform(pa.geom_display, 3857), bounds.env, %(extent)s, %(buffer)s, true) AS geom
    FROM protected_areas_protectedarea pa, bounds, search
    WHERE pa.geom_display && search.env4326
      -- Below zoom 10, areas smaller than a pixel (256-pixel tiles) are left for the closer zooms:
      -- a whole WDPA release in a zoom-4 tile would otherwise be tens of thousands of specks.
      AND (%(z)s >= 10 OR greatest(ST_XMax(pa.geom_display) - ST_XMin(pa.geom_display),
                                   ST_YMax(pa.geom_display) - ST_YMin(pa.geom_display)) >= %(pixel)s)
"""
# Zooms up to OVERVIEW_MAX_ZOOM: the pre-simplified Web Mercator overview (models.AreaOverview) of the
# areas at least map_cells.MIN_PIXELS wide at the zoom band's last zoom (on the overview's own small
# bounding box), simplified again to half a pixel of that zoom; the others are that band's MapCell
# points.
_POLYGONS_OVERVIEW = """
    SELECT o.id, o.name, o.iucn_category, o.wdpa_id,
           ST_AsMVTGeom(ST_Simplify(o.overview, %(tolerance_m)s, true),
                        bounds.env, %(extent)s, %(buffer)s, true) AS geom
    FROM (
        SELECT pa.id, pa.name, pa.iucn_category, pa.wdpa_id, ov.geom AS overview
        FROM protected_areas_areaoverview ov JOIN protected_areas_protectedarea pa ON pa.id = ov.area_id, bounds
        WHERE ov.geom && ST_Expand(bounds.env, (ST_XMax(bounds.env) - ST_XMin(bounds.env)) / 64)
        {waiting}
    ) o, bounds
    WHERE o.overview && ST_Expand(bounds.env, (ST_XMax(bounds.env) - ST_XMin(bounds.env)) / 64)
      AND greatest(ST_XMax(o.overview) - ST_XMin(o.overview),
                   ST_YMax(o.overview) - ST_YMin(o.overview)) >= %(drawn_from_m)s
"""
# Drawn live, the areas still waiting for their overview (new, or moved, until the map's follow-up
# makes it: map_cells.refresh_overviews) have it made on the way from their display boundary, so the
# low zooms show an import's areas from the next request, as the closer zooms do. Stored tiles
# (low_zoom_tiles) are drawn just after the overviews are made, without this.
_WAITING = """
        UNION ALL
        SELECT w.id, w.name, w.iucn_category, w.wdpa_id, {overview_of_display} AS overview
        FROM (
            -- The waiting areas first (OFFSET 0): PostgreSQL otherwise made the overview of every area
            -- under the tile, to test its size, before asking whether it had one (150 ms of a dense
            -- zoom-6 tile at 300,000 areas).
            SELECT pa.id, pa.name, pa.iucn_category, pa.wdpa_id, pa.geom_display
            FROM protected_areas_protectedarea pa, search
            WHERE pa.geom_display && search.env4326
              AND NOT EXISTS (SELECT 1 FROM protected_areas_areaoverview ov WHERE ov.area_id = pa.id)
            OFFSET 0
        ) w
"""
# Layer `area_cells`: one MultiPoint feature per count of areas, holding every cell of that count. A
# feature per cell (id, tags, geometry header) cost five times the bytes for the same drawing: a
# zoom-3 tile over Europe's 12,000 cells was 181 KB, now 36 KB. Clicks do not read cells.
_CELLS = """
    || (SELECT ST_AsMVT(cells.*, 'area_cells', %(extent)s, 'geom') FROM (
        SELECT c.areas, ST_AsMVTGeom(ST_Collect(c.point), bounds.env, %(extent)s, %(buffer)s, true) AS geom
        FROM protected_areas_mapcell c, bounds
        WHERE c.level = %(level)s AND c.point && ST_Expand(bounds.env, (ST_XMax(bounds.env) - ST_XMin(bounds.env)) / 64)
        GROUP BY c.areas, bounds.env
    ) cells WHERE geom IS NOT NULL)
"""
TILE_SQL = _TILE_SQL.format(polygons=_POLYGONS_DISPLAY, cells="")
TILE_SQL_OVERVIEW = _TILE_SQL.format(
    polygons=_POLYGONS_OVERVIEW.replace(
        "{waiting}",
        _WAITING.replace("{overview_of_display}", OverviewOf.template % {"expressions": "w.geom_display"}),
    ),
    cells=_CELLS,
)
TILE_SQL_OVERVIEW_MADE_AHEAD = _TILE_SQL.format(polygons=_POLYGONS_OVERVIEW.replace("{waiting}", ""), cells=_CELLS)


def tile_params(z: int, x: int, y: int, *, made_ahead: bool = False) -> tuple[str, dict[str, float | int]]:
    """The SQL that draws tile z/x/y and its parameters; `made_ahead` for a tile stored just after
    the overviews were made (low_zoom_tiles), which need not look for areas still waiting for theirs."""
    if z > OVERVIEW_MAX_ZOOM:
        return TILE_SQL, {"z": z, "x": x, "y": y, "pixel": 360 / 2**z / 256, "extent": EXTENT, "buffer": EXTENT // 64}
    level = min(level for last, level in MAP_CELL_BANDS.items() if z <= last)
    return TILE_SQL_OVERVIEW_MADE_AHEAD if made_ahead else TILE_SQL_OVERVIEW, {
        "z": z,
        "x": x,
        "y": y,
        "level": level,
        "drawn_from_m": drawn_from_m(level),
        "tolerance_m": pixel_m(level) / 2,
        "extent": OVERVIEW_EXTENT,
        "buffer": OVERVIEW_EXTENT // 64,
    }


def render(z: int, x: int, y: int, *, made_ahead: bool = False) -> bytes:
    """Tile z/x/y made now by PostGIS (layers `areas`, `area_points` and, at low zooms, `area_cells`)."""
    sql, params = tile_params(z, x, y, made_ahead=made_ahead)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        data = cursor.fetchone()[0]
    return bytes(data) if data else b""
