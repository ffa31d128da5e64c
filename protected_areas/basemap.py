"""The platform's own base map: Natural Earth countries in PostGIS, served as vector tiles.

Maps drew boundaries on a blank field when no tile server was configured (and a site manager in the
field has no network for one). The countries of Natural Earth 1:110m (public domain, shipped in
`protected_areas/data/`) give every map its coasts and borders from the platform itself.
"""

from __future__ import annotations

from pathlib import Path

from django.contrib.gis.gdal import DataSource
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon
from django.core.cache import cache
from django.db import connection, transaction

from .models import BasemapCountry

BASEMAP_FILE = Path(__file__).resolve().parent / "data" / "ne_110m_countries.geojson"
# Natural Earth 1:110m holds nothing finer than zoom 6 needs; deeper tiles are the same shapes scaled.
MAX_ZOOM = 6
_CACHE = "basemap:tile:{count}:{z}/{x}/{y}"
# Natural Earth 1:110m writes -99 for the ISO code of a few countries (a known quirk of the data set).
ISO3_FIXES = {"France": "FRA", "Norway": "NOR"}

_TILE_SQL = """
WITH bounds AS (SELECT ST_TileEnvelope(%(z)s, %(x)s, %(y)s) AS env)
SELECT ST_AsMVT(t.*, 'countries', 4096, 'geom')
FROM (
    SELECT c.name, c.iso3, ST_AsMVTGeom(ST_Transform(c.geom, 3857), bounds.env, 4096, 64, true) AS geom
    FROM protected_areas_basemapcountry c, bounds
    WHERE c.geom && ST_Transform(bounds.env, 4326)
) t
WHERE t.geom IS NOT NULL
"""


def basemap_load(path: Path = BASEMAP_FILE) -> int:
    """Load the countries of `path` (a file the platform ships: trusted). Returns how many were
    loaded; 0 when the same countries are there already."""
    layer = DataSource(str(path))[0]
    rows = []
    for feature in layer:
        shape = GEOSGeometry(feature.geom.wkb, srid=4326)
        geom = shape if isinstance(shape, MultiPolygon) else MultiPolygon(shape, srid=4326)
        rows.append(
            BasemapCountry(
                name=str(feature.get("name") or "")[:200],
                iso3=_iso3(feature.get("name"), feature.get("iso_a3")),
                continent=str(feature.get("continent") or "")[:40],
                geom=geom,
            )
        )
    wanted = sorted((r.name, r.iso3) for r in rows)
    if sorted(BasemapCountry.objects.values_list("name", "iso3")) == wanted:
        return 0
    with transaction.atomic():
        BasemapCountry.objects.all().delete()
        BasemapCountry.objects.bulk_create(rows)
    return len(rows)


def _iso3(name: object, code: object) -> str:
    code = str(code or "")
    if len(code) == 3 and code.isalpha():
        return code.upper()
    return ISO3_FIXES.get(str(name or ""), "")


def tile_in_range(z: int, x: int, y: int) -> bool:
    return 0 <= z <= MAX_ZOOM and 0 <= x < 2**z and 0 <= y < 2**z


def basemap_tile(z: int, x: int, y: int) -> bytes:
    """One vector tile of the countries (layer `countries`), cached: the base map changes only when
    it is loaded again (the count is in the key)."""
    key = _CACHE.format(count=BasemapCountry.objects.count(), z=z, x=x, y=y)
    tile = cache.get(key)
    if tile is None:
        with connection.cursor() as cursor:
            cursor.execute(_TILE_SQL, {"z": z, "x": x, "y": y})
            row = cursor.fetchone()
        tile = bytes(row[0]) if row and row[0] is not None else b""
        cache.set(key, tile, timeout=None)
    return tile
