"""The platform's own base map: Natural Earth countries and cities in PostGIS, served as vector tiles
and as place names.

Maps drew boundaries on a blank field when no tile server was configured (and a site manager in the
field has no network for one). The countries and populated places of Natural Earth 1:110m (public
domain, shipped in `protected_areas/data/`) give every map its coasts, borders and major place names
from the platform itself.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from django.contrib.gis.gdal import DataSource
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Point
from django.core.cache import cache
from django.db import connection, transaction

from .country_names import alpha2, territory_names
from .models import BasemapCountry, BasemapPlace

DATA_DIR = Path(__file__).resolve().parent / "data"
BASEMAP_FILE = DATA_DIR / "ne_110m_countries.geojson"
PLACES_FILE = DATA_DIR / "ne_110m_populated_places.geojson"
# Natural Earth 1:110m holds nothing finer than zoom 6 needs; deeper tiles are the same shapes scaled.
MAX_ZOOM = 6
_CACHE = "basemap:tile:{count}:{z}/{x}/{y}"
# Natural Earth 1:110m writes -99 for the ISO code of a few countries (a known quirk of the data set).
ISO3_FIXES = {"France": "FRA", "Norway": "NOR"}

# Place names: a country's shows from the zoom at which its largest part is about this many map
# pixels across (MapLibre's world is 512 of them wide at zoom 0), so small countries wait until
# there is room for their name. Cities show from CITY_MIN_ZOOM: below it they would cover the
# continents. The maps drop any name that would overlap one placed before it (app.js).
COUNTRY_LABEL_PX = 60
CITY_MIN_ZOOM = 3
_EQUATOR_KM = 40075.0
_LABELS_CACHE = "basemap:labels:{language}:{countries}-{places}"

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

# Each country's name goes on its largest part (mainland France, not French Guiana), at a point
# inside it (a centroid can fall in the sea); that part's size decides from which zoom it shows.
_COUNTRY_LABELS_SQL = """
SELECT c.name, c.iso3, ST_X(part.point), ST_Y(part.point), part.size_km
FROM protected_areas_basemapcountry c
CROSS JOIN LATERAL (
    SELECT ST_PointOnSurface(d.geom) AS point, sqrt(ST_Area(d.geom::geography)) / 1000 AS size_km
    FROM ST_Dump(c.geom) AS d
    ORDER BY ST_Area(d.geom::geography) DESC
    LIMIT 1
) part
"""

_VERSION_SQL = """
SELECT (SELECT max(id) FROM protected_areas_basemapcountry), (SELECT max(id) FROM protected_areas_basemapplace)
"""


def basemap_load(path: Path = BASEMAP_FILE, places_path: Path = PLACES_FILE) -> tuple[int, int]:
    """Load the countries of `path` and the cities of `places_path` (files the platform ships:
    trusted). Returns how many countries and cities were loaded; 0 for those already there."""
    countries = _replace_if_changed(BasemapCountry, _read_countries(path), ("name", "iso3"))
    places = _replace_if_changed(BasemapPlace, _read_places(places_path), ("rank", "name", "geom"))
    return countries, places


def _read_countries(path: Path) -> list[BasemapCountry]:
    rows = []
    for feature in DataSource(str(path))[0]:
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
    return rows


def _read_places(path: Path) -> list[BasemapPlace]:
    # The shipped file lists the small places first and the world's great cities last (Vatican City
    # first, Tokyo, Paris and New York at the end): ranked from the end, the great cities keep their
    # names where two would overlap.
    features = list(DataSource(str(path))[0])
    return [
        BasemapPlace(
            name=str(feature.get("name") or "")[:200],
            rank=len(features) - index,
            geom=_point(feature),
        )
        for index, feature in enumerate(features)
    ]


def _point(feature: Any) -> Point:
    shape = GEOSGeometry(feature.geom.wkb, srid=4326)
    if not isinstance(shape, Point):
        raise ValueError(f"The base map's place {feature.get('name')!r} is not a point.")
    return shape


def _replace_if_changed(model: Any, rows: list[Any], fields: tuple[str, ...]) -> int:
    def key(values: tuple[Any, ...]) -> tuple[Any, ...]:
        return tuple(v.coords if isinstance(v, Point) else v for v in values)

    wanted = sorted(key(tuple(getattr(row, f) for f in fields)) for row in rows)
    if sorted(key(values) for values in model.objects.values_list(*fields)) == wanted:
        return 0
    with transaction.atomic():
        model.objects.all().delete()
        model.objects.bulk_create(rows)
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


def basemap_labels(language: str) -> dict[str, list[dict[str, Any]]]:
    """The place names the maps write over the base map, in `language`: countries (largest first),
    then cities (greatest first), each with where it goes and from which zoom it shows. The maps
    place them in this order and skip any that would overlap one already placed. Cached until the
    base map is loaded again (new rows, new ids: the key holds the highest)."""
    with connection.cursor() as cursor:
        cursor.execute(_VERSION_SQL)
        countries, places = cursor.fetchone()
    key = _LABELS_CACHE.format(language=language, countries=countries, places=places)
    labels = cache.get(key)
    if labels is None:
        labels = {"labels": _country_labels(language) + _city_labels()}
        cache.set(key, labels, timeout=None)
    return labels


def _country_labels(language: str) -> list[dict[str, Any]]:
    with connection.cursor() as cursor:
        cursor.execute(_COUNTRY_LABELS_SQL)
        rows = cursor.fetchall()
    labels = [
        {
            "name": country_name(name=name, iso3=iso3, language=language),
            "kind": "country",
            "at": [round(lon, 3), round(lat, 3)],
            "minzoom": _country_min_zoom(size_km, lat),
        }
        for name, iso3, lon, lat, size_km in rows
    ]
    return sorted(labels, key=lambda label: (label["minzoom"], label["name"]))


def _country_min_zoom(size_km: float, lat: float) -> float:
    # Web Mercator: at zoom z a kilometre at latitude `lat` is 512 * 2**z / (40075 * cos(lat)) pixels.
    km_per_px_at_zero = _EQUATOR_KM * max(math.cos(math.radians(lat)), 0.01) / 512
    return round(max(0.0, math.log2(COUNTRY_LABEL_PX * km_per_px_at_zero / max(size_km, 0.001))), 1)


def _city_labels() -> list[dict[str, Any]]:
    return [
        {
            "name": place.name,
            "kind": "city",
            "at": [round(place.geom.x, 3), round(place.geom.y, 3)],
            "minzoom": CITY_MIN_ZOOM,
        }
        for place in BasemapPlace.objects.order_by("rank")
    ]


def country_name(*, name: str, iso3: str, language: str) -> str:
    """A country's name in `language`: the Unicode CLDR's (through Babel) for its ISO code. In English,
    or for a place without an ISO code (Somaliland, N. Cyprus), the data set's own name, which
    Natural Earth shortens for maps ("Dem. Rep. Congo")."""
    if language.split("-")[0] == "en":
        return name
    return territory_names(language).get(alpha2(iso3), name) if iso3 else name
