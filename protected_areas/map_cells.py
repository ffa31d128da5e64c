"""Small areas as points at low zooms (issue 19): the generalised layer the importer keeps.

At zooms up to OVERVIEW_MAX_ZOOM a tile draws the overview boundary (models.py) of the areas at least
MIN_PIXELS wide at its band's last zoom (MAP_CELL_BANDS), and the others as MapCell points: one
per cell of CELL_PIXELS pixels of that zoom, at the mean of the centres of the areas in it, with
their count. Europe at zoom 2 is then a few thousand points rather than a hundred thousand
boundaries, or nothing at all.

`refresh(boxes)` recomputes the cells under the boxes an import touched (set-based, in PostgreSQL);
`rebuild()` recomputes every cell (after bulk loads that bypass the importer: benchmarks, restores).
An area's size in a band is its overview's (models.AreaOverview), which `refresh_overviews` makes
first for the areas waiting for one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, transaction

from .models import MAP_CELL_BANDS, OverviewOf

WEB_MERCATOR_WIDTH_M = 40075016.68557849
LEVELS = sorted(set(MAP_CELL_BANDS.values()))
# An area is drawn as its boundary in a band when at least this many pixels wide at the band's last
# zoom; narrower, it is a point of its cell (a 3-pixel outline says little and costs a feature).
MIN_PIXELS = 4


# A cell is this many pixels wide: a 2-pixel grid keeps a dense region's tile well under its byte
# budget and still shows where areas are.
CELL_PIXELS = 2


def pixel_m(level: int) -> float:
    """A pixel of a 256-pixel tile at zoom `level`, in Web Mercator metres."""
    return WEB_MERCATOR_WIDTH_M / 2 ** (level + 8)


def cell_size_m(level: int) -> float:
    return CELL_PIXELS * pixel_m(level)


def drawn_from_m(level: int) -> float:
    """The overview width (Web Mercator metres) from which an area is a boundary, not a cell point."""
    return MIN_PIXELS * pixel_m(level)


# %(h)s in the SQL below: half the Web Mercator width (the grid starts at its west and north edges).
# Each area with a boundary: the centre of its box (Web Mercator) and the overview's size (0 when it
# has none: under a zoom-6 pixel).
# The boxes are read as box2d, which PostGIS takes from the stored geometry's header without reading
# (or decompressing) its vertices; ST_XMin(geometry) and the like parse the whole boundary each time.
_CENTRES = """
    SELECT pa.id,
        ST_X(c.p) AS cx, ST_Y(c.p) AS cy,
        CASE WHEN b.overview IS NULL THEN 0
             ELSE greatest(ST_XMax(b.overview) - ST_XMin(b.overview),
                           ST_YMax(b.overview) - ST_YMin(b.overview)) END AS size
    FROM protected_areas_protectedarea pa
    LEFT JOIN protected_areas_areaoverview ov ON ov.area_id = pa.id
    CROSS JOIN LATERAL (SELECT Box2D(pa.geom_display) AS display, Box2D(ov.geom) AS overview OFFSET 0) b
    CROSS JOIN LATERAL (SELECT ST_Transform(ST_SetSRID(ST_MakePoint(
        (ST_XMin(b.display) + ST_XMax(b.display)) / 2,
        greatest(-85, least(85, (ST_YMin(b.display) + ST_YMax(b.display)) / 2))), 4326), 3857) AS p) c
    WHERE pa.geom_display IS NOT NULL {where}
"""
_INSERT = """
INSERT INTO protected_areas_mapcell (level, x, y, areas, point)
SELECT l.level, floor((a.cx + %(h)s) / l.cell)::int AS x, floor((%(h)s - a.cy) / l.cell)::int AS y,
    count(*),
    ST_SetSRID(ST_MakePoint(avg(a.cx), avg(a.cy)), 3857)
FROM ({centres}) a JOIN (SELECT unnest(%(levels)s::int[]) AS level,
    unnest(%(sizes)s::float8[]) AS cell) l ON a.size < l.cell * %(min_pixels)s / %(cell_pixels)s
{where}
GROUP BY 1, 2, 3
"""
# The cells under each box, per level (x0..x1, y0..y1), as ranges of cell indexes.
_RANGES = """
CREATE TEMPORARY TABLE pa_cell_ranges ON COMMIT DROP AS
SELECT l.level, l.cell,
    floor((ST_XMin(b.m) + %(h)s) / l.cell)::int AS x0,
    floor((ST_XMax(b.m) + %(h)s) / l.cell)::int AS x1,
    floor((%(h)s - ST_YMax(b.m)) / l.cell)::int AS y0,
    floor((%(h)s - ST_YMin(b.m)) / l.cell)::int AS y1
FROM (
    SELECT ST_Transform(ST_MakeEnvelope(w, greatest(-85, least(85, s)), e, greatest(-85, least(85, n)), 4326), 3857)
        AS m
    FROM unnest(%(w)s::float8[], %(s)s::float8[], %(e)s::float8[], %(n)s::float8[]) AS t(w, s, e, n)
) b, (SELECT unnest(%(levels)s::int[]) AS level,
    unnest(%(sizes)s::float8[]) AS cell) l
"""
_DELETE = """
DELETE FROM protected_areas_mapcell m USING pa_cell_ranges r
WHERE m.level = r.level AND m.x BETWEEN r.x0 AND r.x1 AND m.y BETWEEN r.y0 AND r.y1
"""
# Areas whose box meets the cells' extent (in degrees, for the spatial index). Their ids are
# gathered first (ARRAY(...), run once) and read by primary key: as `IN (subquery)` the planner,
# with no statistics on the temporary ranges, computed the centre of every area in the world and
# joined afterwards (a one-area import at 300,000 areas spent 80-100 s here instead of under one).
_NEAR = """
AND pa.id = ANY(ARRAY(
    SELECT near.id FROM protected_areas_protectedarea near JOIN (
        SELECT ST_Transform(ST_MakeEnvelope(
            x0 * cell - %(h)s, %(h)s - (y1 + 1) * cell,
            (x1 + 1) * cell - %(h)s, %(h)s - y0 * cell, 3857), 4326) AS env
        FROM pa_cell_ranges
    ) e ON near.geom_display && e.env))
"""
_IN_RANGE = """
WHERE EXISTS (SELECT 1 FROM pa_cell_ranges r WHERE r.level = l.level
    AND floor((a.cx + %(h)s) / l.cell) BETWEEN r.x0 AND r.x1
    AND floor((%(h)s - a.cy) / l.cell) BETWEEN r.y0 AND r.y1)
"""


def _params() -> dict[str, Any]:
    return {
        "levels": LEVELS,
        "sizes": [cell_size_m(level) for level in LEVELS],
        "h": WEB_MERCATOR_WIDTH_M / 2,
        "min_pixels": MIN_PIXELS,
        "cell_pixels": CELL_PIXELS,
    }


# The overview of every area that has none (models.AreaOverview), one statement. Each area waiting is
# locked (FOR SHARE) until this commits, so that none is left with an overview of a boundary it no
# longer has: a writer changing one of them meanwhile waits, and then its trigger deletes the
# overview made here; one that changed it first is read again by PostgreSQL once it has committed,
# and its new boundary is drawn. Areas created after this began are not seen: whoever created them
# queues the next remaking (an import's follow-up, signals.py's, beat's sweep).
_MAKE_OVERVIEWS = """
INSERT INTO protected_areas_areaoverview (area_id, geom)
SELECT pa.id, {overview} FROM protected_areas_protectedarea pa
-- The waiting areas' ids first, from the two primary keys alone: asked of every area's row, the question
-- took 0.3-0.5 s at 300,000 areas with none waiting (this way 0.1 s), at every remaking of the map.
WHERE pa.id = ANY(ARRAY(
    SELECT a.id FROM protected_areas_protectedarea a
    WHERE NOT EXISTS (SELECT 1 FROM protected_areas_areaoverview ov WHERE ov.area_id = a.id)))
FOR SHARE OF pa
ON CONFLICT (area_id) DO NOTHING
""".replace("{overview}", OverviewOf.template % {"expressions": "pa.geom_display"})


def refresh_overviews() -> int:
    """Make the overview of every area waiting for one (new, or its display boundary changed); how
    many were made. In a transaction of its own where the caller has none, so that its locks last
    only as long as it does: the cells and stored tiles drawn after it take seconds to minutes."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit TO off")  # as map_updates.remake_under says: compiling costs more
        cursor.execute(_MAKE_OVERVIEWS)
        return cursor.rowcount


def rebuild() -> None:
    refresh_overviews()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM protected_areas_mapcell")
        cursor.execute(_INSERT.format(centres=_CENTRES.format(where=""), where=""), _params())


def refresh(boxes: Sequence[tuple[float, float, float, float]]) -> None:
    """Recompute the cells under `boxes` (west, south, east, north in degrees)."""
    if not boxes:
        return
    columns = list(zip(*boxes, strict=True))
    params = {**_params(), "w": list(columns[0]), "s": list(columns[1]), "e": list(columns[2]), "n": list(columns[3])}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_RANGES, params)
        cursor.execute(_DELETE)
        cursor.execute(_INSERT.format(centres=_CENTRES.format(where=_NEAR), where=_IN_RANGE), params)
        cursor.execute("DROP TABLE pa_cell_ranges")
