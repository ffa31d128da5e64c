"""Geometry as small SVG drawings made by the server (no map library), each written by a template
next to the other: an area's boundary (`protected_areas/_boundary.svg.html`: the dossier PDF and
a listed area's public page) and a world map of places over the platform's base map
(`protected_areas/_world_map.svg.html`: the public Green List). Numbers only: the templates write
the markup and escape every value.

One projection for both, `Frame`: equirectangular, longitudes narrowed by the cosine of the middle
latitude so that shapes are not stretched. For the world map it beats Web Mercator: it is the
boundary drawing's own arithmetic (no second projection to keep), needs no cut-off near the poles,
and at the regional zoom the map fits to it keeps countries' shapes true where the areas are.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import astuple, dataclass
from typing import Any

from django.contrib.gis.db.models.functions import Intersection
from django.contrib.gis.geos import GeometryCollection, GEOSGeometry, Polygon
from django.core.cache import cache

from .models import BasemapCountry

# The world map's canvas (the SVG's viewBox; it scales to any screen) and the world it shows when
# there is nothing to fit to: Antarctica below 60° S left out, as most world maps do.
WORLD_MAP_SIZE = (800, 320)
WORLD = (-180.0, -60.0, 180.0, 84.0)
# Never closer than this (pixels per degree: at least ~65° of longitude on the canvas): the base
# map is Natural Earth 1:110m, whose coasts look blocky closer in, and a lone area keeps its region
# around it.
WORLD_MAP_MAX_SCALE = 12.0
WORLD_MAP_PAD = 32
_LAND_CACHE = "basemap:svg:{count}:{frame}"


@dataclass(frozen=True)
class Frame:
    """Where longitude/latitude land on a canvas: x = ox + (lon - minx)·kx·scale, y = oy +
    (maxy - lat)·scale, kx the cosine of the middle latitude."""

    minx: float
    maxy: float
    kx: float
    scale: float
    ox: float = 0.0
    oy: float = 0.0

    @classmethod
    def fit(
        cls,
        extent: Sequence[float],
        width: float,
        height: float,
        *,
        pad: float,
        max_scale: float = math.inf,
    ) -> Frame:
        """The frame that centres `extent` (minx, miny, maxx, maxy) on the canvas with `pad`
        pixels around it, never more than `max_scale` pixels per degree."""
        minx, miny, maxx, maxy = extent
        kx = math.cos(math.radians((miny + maxy) / 2))
        w, h = max((maxx - minx) * kx, 1e-9), max(maxy - miny, 1e-9)
        scale = min((width - 2 * pad) / w, (height - 2 * pad) / h, max_scale)
        return cls(minx, maxy, kx, scale, (width - w * scale) / 2, (height - h * scale) / 2)

    @classmethod
    def centred(cls, lon: float, lat: float, scale: float, width: float, height: float) -> Frame:
        kx = math.cos(math.radians(lat))
        return cls(lon - width / 2 / (kx * scale), lat + height / 2 / scale, kx, scale)

    def xy(self, x: float, y: float) -> tuple[float, float]:
        return self.ox + (x - self.minx) * self.kx * self.scale, self.oy + (self.maxy - y) * self.scale

    def point(self, x: float, y: float, decimals: int = 1) -> str:
        px, py = self.xy(x, y)
        return f"{px:.{decimals}f},{py:.{decimals}f}"

    def path(self, geom: GEOSGeometry, decimals: int = 1) -> str:
        """Every ring of a (multi)polygon as SVG path data, one closed subpath each (the template's
        fill-rule makes the holes); rings a simplification left with under 3 corners are dropped."""
        parts: list[str] = []
        for polygon in _polygons(geom):
            for ring in polygon:
                corners = ring.coords[:-1]
                if len(corners) >= 3:
                    parts.append("M" + "L".join(self.point(x, y, decimals) for x, y in corners) + "Z")
        return " ".join(parts)

    def extent(self, width: float, height: float) -> tuple[float, float, float, float]:
        """The longitudes and latitudes the canvas shows."""
        return (
            self.minx - self.ox / (self.kx * self.scale),
            self.maxy - (height - self.oy) / self.scale,
            self.minx + (width - self.ox) / (self.kx * self.scale),
            self.maxy + self.oy / self.scale,
        )


def _polygons(geom: GEOSGeometry) -> Iterable[Polygon]:
    """The polygons in a geometry (a cut can leave lines and points too: they are not drawn)."""
    if isinstance(geom, Polygon):
        yield geom
    elif isinstance(geom, GeometryCollection):  # MultiPolygon too
        for part in geom:
            yield from _polygons(part)


def boundary_drawing(area, width: int = 480, height: int = 320) -> dict[str, Any] | None:
    """What `protected_areas/_boundary.svg.html` draws of the site: the boundary as one SVG path,
    or a marker for a site known only by a point; None without any geometry."""
    geom = area.geom_display or area.geom
    if geom is None:
        if area.point is None:
            return None
        return {
            "width": width,
            "height": height,
            "point": {"x": width / 2, "y": height / 2, "label_x": width / 2 + 12, "label_y": height / 2 + 4},
            # Degrees for the caption, which the template writes in the reader's words and numbers.
            "position": {"lat": area.point.y, "lon": area.point.x},
        }
    minx, miny, maxx, maxy = geom.extent
    span = max(maxx - minx, maxy - miny) or 1e-6
    if geom.num_coords > 4000:
        geom = geom.simplify(span / 2000, preserve_topology=True)
    frame = Frame.fit(geom.extent, width, height, pad=16)
    return {
        "width": width,
        "height": height,
        "path": frame.path(geom),
        "extent": {"south": miny, "north": maxy, "west": minx, "east": maxx},
    }


@dataclass(frozen=True)
class MapMarker:
    """A place the world map marks: a link to `url` named `label`, filled with `colour`."""

    lon: float
    lat: float
    url: str
    label: str
    colour: str


def world_map_drawing(markers: Sequence[MapMarker]) -> dict[str, Any]:
    """What `protected_areas/_world_map.svg.html` draws: the base map's countries as light land on
    water, and each marker where it is, the view fitted to the markers (the world without any)."""
    width, height = WORLD_MAP_SIZE
    frame = _world_map_frame([(m.lon, m.lat) for m in markers], width, height)
    placed = []
    for m in markers:
        x, y = frame.xy(m.lon, m.lat)
        placed.append({"x": round(x, 1), "y": round(y, 1), "url": m.url, "label": m.label, "colour": m.colour})
    return {"width": width, "height": height, "land": _land_path(frame, width, height), "markers": placed}


def _world_map_frame(places: list[tuple[float, float]], width: int, height: int) -> Frame:
    world = Frame.fit(WORLD, width, height, pad=0)
    if not places:
        return world
    lons, lats = [p[0] for p in places], [p[1] for p in places]
    extent = (min(lons), min(lats), max(lons), max(lats))
    fitted = Frame.fit(extent, width, height, pad=WORLD_MAP_PAD, max_scale=WORLD_MAP_MAX_SCALE)
    if fitted.scale <= world.scale:
        # As far out as the world or further: the world, grown to take in any place outside it.
        union = (min(WORLD[0], extent[0]), min(WORLD[1], extent[1]), max(WORLD[2], extent[2]), max(WORLD[3], extent[3]))
        return Frame.fit(union, width, height, pad=0)
    # A few fixed zooms (quarter steps of a doubling, rounded down) and centres on a half-degree
    # grid: adding an area rarely moves the view, so the land drawn for it stays in the cache. The
    # rounding moves the markers at most a few pixels, well inside the padding.
    zoom = math.floor(4 * math.log2(fitted.scale / world.scale)) / 4
    scale = world.scale * 2**zoom
    centre = ((extent[0] + extent[2]) / 2, (extent[1] + extent[3]) / 2)
    return Frame.centred(round(centre[0] * 2) / 2, round(centre[1] * 2) / 2, scale, width, height)


def _land_path(frame: Frame, width: int, height: int) -> str:
    """The base map's countries in view as one SVG path: cut to the view (Russia whole is most of
    the path of a map of Europe), simplified to half a pixel and in whole pixels (a world map is
    about 40 kB). Cached, since the base map changes only when `load_basemap` loads it again (the
    count is in the key, as for its tiles)."""
    count = BasemapCountry.objects.count()
    if not count:
        return ""
    key = _LAND_CACHE.format(count=count, frame=":".join(f"{v:.5f}" for v in (width, height, *astuple(frame))))
    land = cache.get(key)
    if land is None:
        minx, miny, maxx, maxy = frame.extent(width, height)
        # A margin, so that the cut edges (stroked like borders) fall outside the canvas.
        margin = 4 / frame.scale
        view = Polygon.from_bbox((minx - margin, miny - margin, maxx + margin, maxy + margin))
        view.srid = 4326
        shapes = (
            BasemapCountry.objects.filter(geom__bboverlaps=view)
            .annotate(shown=Intersection("geom", view))
            .values_list("shown", flat=True)
        )
        tolerance = 0.5 / frame.scale
        land = " ".join(filter(None, (frame.path(shape.simplify(tolerance), decimals=0) for shape in shapes)))
        cache.set(key, land, timeout=None)
    return land
