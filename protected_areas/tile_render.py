"""Making a protected-area vector tile (Mapbox Vector Tile) in PostGIS.

Zooms up to OVERVIEW_MAX_ZOOM are drawn from the generalised layers made at import (models.py's
`geom_overview`, map_cells' MapCell points); closer zooms from the display boundary. Zooms up to
low_zoom_tiles.STORED_MAX_ZOOM are not made per request but stored when areas are written
(low_zoom_tiles); selectors.tile_raw serves those.
"""

from __future__ import annotations

from django.db import connection

from .map_cells import drawn_from_m, pixel_m
from .models import MAP_CELL_BANDS, OVERVIEW_MAX_ZOOM

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
# Zooms up to OVERVIEW_MAX_ZOOM: the pre-simplified Web Mercator overview (models.py) of the areas
# at least map_cells.MIN_PIXELS wide at the zoom band's last zoom (on the overview's own small bounding
# box), simplified again to half a pixel of that zoom; the others are that band's MapCell points.
_POLYGONS_OVERVIEW = """
    SELECT pa.id, pa.name, pa.iucn_category, pa.wdpa_id,
           ST_AsMVTGeom(ST_Simplify(pa.geom_overview, %(tolerance_m)s, true),
                        bounds.env, %(extent)s, %(buffer)s, true) AS geom
    FROM protected_areas_protectedarea pa, bounds
    WHERE pa.geom_overview && ST_Expand(bounds.env, (ST_XMax(bounds.env) - ST_XMin(bounds.env)) / 64)
      AND greatest(ST_XMax(pa.geom_overview) - ST_XMin(pa.geom_overview),
                   ST_YMax(pa.geom_overview) - ST_YMin(pa.geom_overview)) >= %(drawn_from_m)s
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
TILE_SQL_OVERVIEW = _TILE_SQL.format(polygons=_POLYGONS_OVERVIEW, cells=_CELLS)


def tile_params(z: int, x: int, y: int) -> tuple[str, dict[str, float | int]]:
    """The SQL that draws tile z/x/y and its parameters."""
    if z > OVERVIEW_MAX_ZOOM:
        return TILE_SQL, {"z": z, "x": x, "y": y, "pixel": 360 / 2**z / 256, "extent": EXTENT, "buffer": EXTENT // 64}
    level = min(level for last, level in MAP_CELL_BANDS.items() if z <= last)
    return TILE_SQL_OVERVIEW, {
        "z": z,
        "x": x,
        "y": y,
        "level": level,
        "drawn_from_m": drawn_from_m(level),
        "tolerance_m": pixel_m(level) / 2,
        "extent": OVERVIEW_EXTENT,
        "buffer": OVERVIEW_EXTENT // 64,
    }


def render(z: int, x: int, y: int) -> bytes:
    """Tile z/x/y made now by PostGIS (layers `areas`, `area_points` and, at low zooms, `area_cells`)."""
    sql, params = tile_params(z, x, y)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        data = cursor.fetchone()[0]
    return bytes(data) if data else b""
