"""Reading features out of GDAL into staging rows, on a thread that reads ahead of the database.

Reading is the importer's Python half: per feature, the mapped attribute values, the extra columns
kept as `attributes`, the geometry reprojected to WGS 84 with its WKB, a hash of it, and its
validity. Reading goes through OGR's C API directly (Django's Layer, Feature and Field objects cost
microseconds per call), on one thread, with the validity checks on two others (Shapely's GEOS, which
runs without the GIL), while PostGIS writes the batches before on two connections
(writer.write_batches). Files are opened by `files.open_layer`, never here. Shapely is used for GEOS
only: no file is read through it.

Why GDAL through its C API and not pyogrio's Arrow stream (issue 19): a pyogrio wheel carries its
own GDAL build, whose drivers would have to be allow-listed again (core.gdal_safety). The layer
already opened here is read through the same GDAL's own Arrow stream instead (arrow.py: a thousand
features per call, values in columns, geometries as WKB) wherever that gives the same rows as
reading feature by feature: fields of plain types, boundaries already in WGS 84. On the
10,000-polygon benchmark reading took 0.33 CPU seconds instead of 0.42, and an unchanged re-import
0.46 instead of 0.69 in all (no OGR geometry is made, handed on and destroyed per feature): on a
re-import, reading is what the database waits for. GEOS validity (about 0.6 CPU seconds of a first
import, `_validity`) runs on the checking threads, from the WKB, only for boundaries that differ from
the stored ones.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import queue
import struct
import threading
import zlib
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from ctypes import POINTER, byref, c_char_p, c_double, c_int, c_int64, c_void_p, create_string_buffer
from typing import Any

import numpy as np
import shapely
from django.contrib.gis.gdal import CoordTransform, GDALException, OGRGeomType, SpatialReference
from django.contrib.gis.gdal.field import Field
from django.contrib.gis.gdal.libgdal import lgdal
from django.contrib.gis.gdal.prototypes import ds as ogr_capi
from django.db import connection
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from psycopg.types.json import Jsonb

from . import arrow, writer
from .columns import WKB_INDEX, ColumnMapping, attribute_row

# Features per batch: per COPY, per pass of the set-based SQL, and per item on the read-ahead queue.
BATCH_SIZE = 1000
# Threads checking validity; also the batches waiting, read and checked, for a writer.
CHECKERS = 2

POLYGON_KINDS = {3, 6, 7, 10, 12, 15, 16}  # Polygon, MultiPolygon, GeometryCollection, curves, surfaces
POINT_KINDS = {1, 4}
_SIMPLE_POLYGONS = {3, 6}  # 2D Polygon and MultiPolygon: OGR's codes with a Z or an M are others


def _c_function(name: str, restype: Any, *argtypes: Any) -> Any:
    # lgdal[name] is a function object of our own: Django's prototypes hold lgdal.<name>, whose
    # result and error checks setting ours would change under them.
    function = lgdal[name]
    function.restype = restype
    function.argtypes = list(argtypes)
    return function


# OGR's C API called directly, feature by feature. Django's Layer, Feature, Field and OGRGeometry
# objects cost a few microseconds per call on top of GDAL (a pointer wrapper, an error check, a
# copy of every geometry): over 10,000 features of 16 columns that was a third of the reading time.
_ogr_reset_reading = _c_function("OGR_L_ResetReading", None, c_void_p)
_ogr_next_feature = _c_function("OGR_L_GetNextFeature", c_void_p, c_void_p)
_ogr_destroy_feature = _c_function("OGR_F_Destroy", None, c_void_p)
_ogr_is_set = _c_function("OGR_F_IsFieldSetAndNotNull", c_int, c_void_p, c_int)
_ogr_as_integer = _c_function("OGR_F_GetFieldAsInteger", c_int, c_void_p, c_int)
_ogr_as_integer64 = _c_function("OGR_F_GetFieldAsInteger64", c_int64, c_void_p, c_int)
_ogr_as_double = _c_function("OGR_F_GetFieldAsDouble", c_double, c_void_p, c_int)
_ogr_as_string = _c_function("OGR_F_GetFieldAsString", c_char_p, c_void_p, c_int)
# The feature hands its geometry over (no copy); _Geometry destroys it.
_ogr_steal_geometry = _c_function("OGR_F_StealGeometry", c_void_p, c_void_p)
_ogr_destroy_geometry = _c_function("OGR_G_DestroyGeometry", None, c_void_p)
_ogr_is_empty = _c_function("OGR_G_IsEmpty", c_int, c_void_p)
_ogr_geometry_type = _c_function("OGR_G_GetGeometryType", c_int, c_void_p)
_ogr_is_measured = _c_function("OGR_G_IsMeasured", c_int, c_void_p)
_ogr_transform = _c_function("OGR_G_Transform", c_int, c_void_p, c_void_p)
_ogr_wkb_size = _c_function("OGR_G_WkbSize", c_int, c_void_p)
_ogr_to_wkb = _c_function("OGR_G_ExportToWkb", c_int, c_void_p, c_int, c_void_p)
_ogr_to_iso_wkb = _c_function("OGR_G_ExportToIsoWkb", c_int, c_void_p, c_int, c_void_p)
_WKB_NDR = 1  # little-endian, as OGRGeometry.wkb writes it on the machines we run on

_ogr_from_wkb = _c_function("OGR_G_CreateFromWkb", c_int, c_char_p, c_void_p, POINTER(c_void_p), c_int)


class _Geometry:
    """A geometry taken out of its feature, or made from WKB; destroyed with this object."""

    __slots__ = ("ptr",)

    def __init__(self, ptr: int) -> None:
        self.ptr = ptr

    def __del__(self) -> None:
        _ogr_destroy_geometry(self.ptr)


def _from_wkb(wkb: bytes) -> _Geometry | None:
    ptr = c_void_p()
    if _ogr_from_wkb(wkb, None, byref(ptr), len(wkb)) != 0 or not ptr.value:
        return None
    return _Geometry(ptr.value)


def _validity(geometries: Any) -> list[bool]:
    """Whether GEOS finds each boundary (Shapely geometries read from the WKB; None where GEOS could
    not read it) valid, a batch at a time.

    Through Shapely, whose wheel carries a newer GEOS than the system's (3.14 beside Debian 12's
    3.11): its rewritten validity check took 0.54 CPU seconds over the 10,000-polygon benchmark
    file where GDAL's OGR_G_IsValid (a WKB -> OGR -> GEOS copy per boundary, then GEOS 3.11) took
    0.91, the largest single cost of a first import (issue 19). Validity is the OGC rule in both;
    an invalid boundary is repaired by PostGIS's ST_MakeValid. Shapely lets go of the GIL while
    GEOS works, so the checking threads run beside the reading. A WKB that GEOS cannot read counts
    as invalid: PostGIS repairs it, or rejects it, as it does any invalid boundary.
    """
    return shapely.is_valid(geometries).tolist()


# WGS 84's ellipsoid, for the areas below.
_SEMI_MAJOR = 6378137.0
_FLATTENING = 1 / 298.257223563
_E2 = _FLATTENING * (2 - _FLATTENING)


# q(φ), the authalic function of PROJ's `qsfn`, is (1 − e²)·Σₖ (2k + 2)/(2k + 1)·e²ᵏ·sin²ᵏ⁺¹φ: these
# coefficients to k = 6, beyond which the terms are under 1e-15 of q. The series costs a third of
# the closed form (a division and a logarithm per vertex) and agrees with it to 2e-15.
_AUTHALIC_SERIES = [(1 - _E2) * (2 * k + 2) / (2 * k + 1) * _E2**k for k in range(7)]


def _authalic(lat: np.ndarray) -> np.ndarray:
    """q(φ) of these latitudes (degrees): EPSG:6933's northing (Lambert's cylindrical equal-area
    projection of the WGS 84 ellipsoid, whose easting is proportional to the longitude) up to a
    constant factor, a·q(φ)/(2·k₀). Horner's rule, in place."""
    sin = np.sin(lat * (math.pi / 180))
    q = sin * sin
    square = q.copy()
    q *= _AUTHALIC_SERIES[-1]
    for coefficient in reversed(_AUTHALIC_SERIES[1:-1]):
        q += coefficient
        q *= square
    q += _AUTHALIC_SERIES[0]
    q *= sin
    return q


def _plain_rings(wkb: bytes) -> Iterator[tuple[int, int, bool]]:
    """(offset of its first point, points, whether it is an outer ring) of each ring, in order, of a
    little-endian 2D polygon or multipolygon's WKB; struct.error where the WKB ends early, ValueError
    for another type."""
    unpack = _U32.unpack_from
    (kind,) = unpack(wkb, 1)
    if kind not in (3, 6):
        raise ValueError(f"geometry type {kind} has no rings here")
    polygons, pos, part_header = (1, 5, 0) if kind == 3 else (unpack(wkb, 5)[0], 9, 5)
    for _polygon in range(polygons):
        (rings,) = unpack(wkb, pos + part_header)
        pos += part_header + 4
        for ring in range(rings):
            (points,) = unpack(wkb, pos)
            pos += 4
            if pos + 16 * points > len(wkb):
                raise struct.error("the WKB ends inside a ring")
            yield pos, points, ring == 0
            pos += 16 * points


def _areas(wkbs: list[bytes], geometries: Any, valid: list[bool]) -> list[float | None]:
    """Each valid 2D boundary's area in km², as PostGIS's ST_Area(ST_Transform(g, 6933)) gives it,
    where that is the area (writer.PLANAR_AREA_LIMITS: within the projection's range, a few degrees
    across or drawn in short edges); None elsewhere, left to PostGIS (writer.py's `area_km2`), as are the
    boundaries it repairs.

    Computed here, beside the validity check and from the same geometries, because reprojecting
    every vertex through PROJ, and the geodesic area of large sites, were the largest costs
    PostgreSQL had left in a first import (issue 19). EPSG:6933's easting is a·k₀·λ and its
    northing a·q(φ)/(2·k₀), so an area in it is a²/2 times the area in (λ, q): the shoelace formula
    over every ring of the batch at once in NumPy (which works without the GIL), each ring's
    northings taken from its first one so that small sites keep their digits.
    """
    areas: list[float | None] = [None] * len(valid)
    limits = writer.PLANAR_AREA_LIMITS
    bounds = shapely.bounds(geometries)
    with np.errstate(invalid="ignore"):  # NaN bounds: a geometry GEOS could not read
        in_range = (
            np.asarray(valid, dtype=bool)
            & ~shapely.has_z(geometries)
            & (bounds[:, 0] >= -limits["lon"])
            & (bounds[:, 2] <= limits["lon"])
            & (bounds[:, 1] >= -limits["lat"])
            & (bounds[:, 3] <= limits["lat"])
        )
    chosen: list[int] = []
    points: list[int] = []
    outer: list[bool] = []
    rings_of: list[int] = []
    for i in np.flatnonzero(in_range).tolist():
        try:
            rings = [(count, is_outer) for _pos, count, is_outer in _plain_rings(wkbs[i])]
        except (ValueError, struct.error):
            continue
        chosen.append(i)
        points += [count for count, _outer in rings]
        outer += [is_outer for _count, is_outer in rings]
        rings_of.append(len(rings))
    if not chosen:
        return areas
    coordinates = shapely.get_coordinates(geometries[chosen])
    counts = np.asarray(points)
    if counts.sum() != len(coordinates) or counts.min() < 4:
        return areas  # not the rings walked: leave the batch to PostGIS rather than guess
    starts = np.cumsum(counts) - counts
    lon, lat = coordinates[:, 0], coordinates[:, 1]
    q = _authalic(lat)
    q -= np.repeat(q[starts], counts)  # from each ring's first vertex
    # Edge i joins vertex i and i + 1; the "edge" from a ring's last vertex to the next ring's first is none.
    d_lon = np.diff(lon)
    d_lat = np.diff(lat)
    between_rings = (starts + counts - 1)[:-1]
    twice_area = d_lon * (q[1:] + q[:-1])
    twice_area[between_rings] = 0.0
    edge_squared = d_lon * d_lon
    edge_squared += d_lat * d_lat
    edge_squared[between_rings] = 0.0
    ring_area = np.abs(np.add.reduceat(twice_area, starts)) * (math.pi / 180 / 2)
    ring_geometry = np.repeat(np.arange(len(chosen)), rings_of)
    plane_area = np.bincount(ring_geometry, weights=np.where(outer, ring_area, -ring_area), minlength=len(chosen))
    first_vertex = starts[np.cumsum(rings_of) - rings_of]
    longest = np.sqrt(np.maximum.reduceat(edge_squared, first_vertex))
    km2 = plane_area * (_SEMI_MAJOR**2 / 2 / 1e6)
    small = ((bounds[chosen, 2] - bounds[chosen, 0]) <= limits["span"]) & (
        (bounds[chosen, 3] - bounds[chosen, 1]) <= limits["span"]
    )
    for i, area, is_small, edge in zip(chosen, km2.tolist(), small.tolist(), longest.tolist(), strict=True):
        if is_small or edge <= limits["edge"]:
            areas[i] = area
    return areas


def geometry_kind(num: int) -> int:
    """OGR's geometry type without its Z or M (POLYGON_KINDS, POINT_KINDS)."""
    return (num & 0x7FFFFFFF) % 1000


def _wkb(geom: int) -> bytes:
    """The geometry's WKB, byte for byte what OGRGeometry.wkb gives (stored hashes are of that)."""
    size = _ogr_wkb_size(geom)
    buffer = create_string_buffer(size)
    (_ogr_to_iso_wkb if _ogr_is_measured(geom) else _ogr_to_wkb)(geom, _WKB_NDR, buffer)
    return buffer.raw


# OGR field types read straight through the C API as numbers; dates and times go through Django's
# Field (into date, time and datetime objects); every other type is read as GDAL writes it out.
_OFT_INTEGER, _OFT_REAL, _OFT_INTEGER64 = 0, 2, 12
_OFT_DATE_AND_TIME = {9, 10, 11}


class _FeaturePointer:
    """What Django's Field needs of a feature to read a date or time: its pointer (the feature stays
    ours to destroy). Django reads any other type as a string in the feature's `encoding`, which
    this has not: those never come here."""

    __slots__ = ("ptr",)

    def __init__(self, ptr: int) -> None:
        self.ptr = c_void_p(ptr)


def _field_getter(kind: int, i: int) -> Callable[[int], Any]:
    if kind == _OFT_INTEGER:
        return lambda f: _ogr_as_integer(f, i) if _ogr_is_set(f, i) else None
    if kind == _OFT_INTEGER64:
        return lambda f: _ogr_as_integer64(f, i) if _ogr_is_set(f, i) else None
    if kind == _OFT_REAL:
        return lambda f: _ogr_as_double(f, i) if _ogr_is_set(f, i) else None
    if kind in _OFT_DATE_AND_TIME:
        return lambda f: Field(_FeaturePointer(f), i).value
    # Strings, and the rest as GDAL writes them out: lists as "(2:a,b)", binary in hexadecimal;
    # the same text Django's Field gave the importer before, so stored attributes still compare
    # equal. GDAL hands out UTF-8 (it recodes Shapefiles by their .cpg), the encoding files are
    # opened with (files.open_layer); a stray byte must not stop an import. An unset or null field
    # reads as "", which the importer takes as missing like None (columns._text): one C call a
    # field instead of two, on the re-import's path.
    return lambda f: _ogr_as_string(f, i).decode("utf-8", errors="replace")


def _field_getters(layer) -> list[Callable[[int], Any]]:
    return [
        _field_getter(ogr_capi.get_field_type(ogr_capi.get_field_defn(layer._ldefn, i)), i)
        for i in range(layer.num_fields)
    ]


def _features(layer) -> Iterator[int]:
    """The layer's feature pointers, each destroyed once the loop moves on. As Django's Layer does,
    as many as the layer counts: a file that ends before them (a truncated download) raises
    GDALException, so the import says it could not read it to the end."""
    _ogr_reset_reading(layer.ptr)
    for _feature in range(layer.num_feat):
        feature = _ogr_next_feature(layer.ptr)
        if not feature:
            raise GDALException('Invalid pointer returned from "OGR_L_GetNextFeature"')
        try:
            yield feature
        finally:
            _ogr_destroy_feature(feature)


def _feature_rows(
    layer, mapping: ColumnMapping, reject: Callable[[int, str], None], first: int = 1
) -> Iterator[tuple[tuple, bool]]:
    """Yield (staging row, whether its boundary's validity is still to check) per usable feature;
    report the others to `reject(n, reason)`. The row's `valid` is None until `_check_validity`.
    Features are numbered from `first`.

    Read in columns through GDAL's Arrow stream where that gives the same rows (arrow.column_reader),
    feature by feature otherwise."""
    columns = arrow.column_reader(layer)
    if columns is not None:
        return _column_rows(layer, columns, mapping, reject, first)
    return _one_by_one_rows(layer, mapping, reject, first)


def _parts_rows(
    parts: list, mapping: ColumnMapping, reject: Callable[[int, str], None]
) -> Iterator[tuple[tuple, bool]]:
    """`_feature_rows` of a layer in parts (files.FileLayer), one part after the other, its features
    numbered on from one part to the next (as a rejected feature's number says)."""
    first = 1
    for part in parts:
        yield from _feature_rows(part, mapping, reject, first)
        first += part.num_feat


def _one_by_one_rows(
    layer, mapping: ColumnMapping, reject: Callable[[int, str], None], first: int = 1
) -> Iterator[tuple[tuple, bool]]:
    srs = layer.srs
    # OGR is handed the transformation's pointer only; the CoordTransform owns it (its __del__
    # destroys it), so it stays referenced here, with both its spatial references, for as long as
    # this generator reads rows. Dropped at once, every reprojection would use a freed transformation.
    wgs84 = to_wgs84 = transform = None
    if srs is not None and srs.srid != 4326:
        wgs84 = SpatialReference(4326)
        to_wgs84 = CoordTransform(srs, wgs84)
        transform = to_wgs84.ptr
    field_names = layer.fields
    index = {name: i for i, name in enumerate(field_names)}
    getters = _field_getters(layer)
    mapped_columns = set(mapping.columns.values())
    extra_columns = [(name, getters[index[name]]) for name in field_names if name not in mapped_columns]
    wanted = [(target, getters[index[column]]) for target, column in mapping.columns.items()]
    for n, feature in enumerate(_features(layer), start=first):
        values = {target: get(feature) for target, get in wanted}
        extras = _extras((name, get(feature)) for name, get in extra_columns)
        row = attribute_row(values, extras, mapping, n, reject)
        if row is None:
            continue
        if srs is None:
            reject(n, _("unknown CRS: the file does not say which coordinate system it uses (.prj missing?)"))
            continue
        ptr = _ogr_steal_geometry(feature)
        if not ptr:
            reject(n, _("no geometry"))
            continue
        read = _ogr_geometry(_Geometry(ptr), transform, n, reject)
        if read is not None:
            kind, wkb, to_check = read
            yield _staging_row(row, extras, kind, wkb), to_check


def _extras(named_values: Iterable[tuple[str, Any]]) -> dict[str, Any]:
    """The file's unmapped columns, kept as the area's `attributes`: set values only (an empty
    string is unset), dates and times as text."""
    return {
        name: value if isinstance(value, int | float | str) else str(value)
        for name, value in named_values
        if value is not None and value != ""
    }


def _staging_row(row: tuple, extras: dict[str, Any], kind: str, wkb: bytes) -> tuple:
    """A feature's staging row: its attribute columns, then `attributes`, the kind of geometry, its
    validity and area (None: not checked or measured yet), its WKB and the hash of that WKB."""
    return (*row, Jsonb(extras), kind, None, None, wkb, hashlib.blake2b(wkb, digest_size=16).digest())


def _ogr_geometry(
    geom: _Geometry, transform: Any, n: int, reject: Callable[[int, str], None]
) -> tuple[str, bytes, bool] | None:
    """(kind, WKB in WGS 84, whether its validity is to check) of a feature's geometry, or None after
    `reject(n, reason)`. Curves, collections and boundaries with a Z or an M are left to PostGIS,
    which checks them itself: a boundary checked here is a 2D polygon or multipolygon, what batch.sql's
    `prepare_as_sent` takes as it is."""
    ptr = geom.ptr
    if _ogr_is_empty(ptr):
        reject(n, _("no geometry (empty)"))
        return None
    geometry_type = _ogr_geometry_type(ptr)
    kind_num = geometry_kind(geometry_type)
    if kind_num in POLYGON_KINDS:
        kind = "polygon"
    elif kind_num in POINT_KINDS:
        kind = "point"
    else:
        reject(n, _("unusable geometry: a %(kind)s is not an area") % {"kind": OGRGeomType(geometry_type).name})
        return None
    if transform is not None and _ogr_transform(ptr, transform) != 0:
        reject(n, _("unusable geometry: cannot reproject to WGS 84 (OGR failure.)"))
        return None
    wkb = _wkb(ptr)
    if kind == "polygon" and _bad_ring(wkb):
        reject(n, _(SHORT_RING))
        return None
    return kind, wkb, geometry_type in _SIMPLE_POLYGONS


def _column_rows(
    layer,
    columns: arrow.ColumnReader,
    mapping: ColumnMapping,
    reject: Callable[[int, str], None],
    first: int = 1,
) -> Iterator[tuple[tuple, bool]]:
    """`_one_by_one_rows` for a layer read in columns (in WGS 84 already): the same rows, rejects
    and reasons. A non-empty 2D polygon or multipolygon keeps the WKB GDAL wrote; any other geometry
    is made an OGR geometry again and goes through the same checks as one read feature by feature."""
    field_names = layer.fields
    index = {name: i for i, name in enumerate(field_names)}
    mapped_columns = set(mapping.columns.values())
    extra_columns = [(name, index[name]) for name in field_names if name not in mapped_columns]
    wanted = [(target, index[column]) for target, column in mapping.columns.items()]
    n = first - 1
    for values_by_column, geometries in columns.batches(BATCH_SIZE):
        for fields, wkb in zip(zip(*values_by_column, strict=True), geometries, strict=True):
            n += 1
            values = {target: fields[i] for target, i in wanted}
            extras = _extras((name, fields[i]) for name, i in extra_columns)
            row = attribute_row(values, extras, mapping, n, reject)
            if row is None:
                continue
            if wkb is None:
                reject(n, _("no geometry"))
                continue
            to_check: bool
            if _plain_area(wkb):
                if _plain_bad_ring(wkb):
                    reject(n, _(SHORT_RING))
                    continue
                kind, to_check = "polygon", True
            else:
                geom = _from_wkb(wkb)
                if geom is None:
                    reject(n, _("no geometry"))
                    continue
                read = _ogr_geometry(geom, None, n, reject)
                if read is None:
                    continue
                kind, wkb, to_check = read
            yield _staging_row(row, extras, kind, wkb), to_check


_U32 = struct.Struct("<I")

SHORT_RING = gettext_noop("unusable geometry: a ring has fewer than 4 points or is not closed")


def _bad_ring(wkb: bytes) -> bool:
    """Whether a polygon of `wkb` (any byte order and dimensions; in a multipolygon or collection too)
    has a ring of fewer than 4 points or one not closed: PostGIS refuses such WKB outright ("Polygon
    must have at least four points in each ring"), which would stop the whole import, so the feature
    is rejected with its reason instead. A geometry this cannot read is left to the later checks."""
    try:
        return _walk_rings(wkb, 0)[0]
    except (IndexError, ValueError, struct.error):
        return False


def _walk_rings(wkb: bytes, pos: int) -> tuple[bool, int]:
    """(a bad ring found, end offset) of the WKB geometry starting at `pos`."""
    order = "<" if wkb[pos] == 1 else ">"
    (code,) = struct.unpack_from(order + "I", wkb, pos + 1)
    pos += 5
    if code & 0x20000000:  # EWKB's SRID
        pos += 4
    base = code & 0x0FFFFFFF
    iso, kind = divmod(base, 1000)
    dims = 2 + (iso in (1, 3) or bool(code & 0x80000000)) + (iso in (2, 3) or bool(code & 0x40000000))
    point = struct.Struct(order + "d" * dims)
    if kind == 1:
        return False, pos + point.size
    (count,) = struct.unpack_from(order + "I", wkb, pos)
    pos += 4
    if kind == 2:
        return False, pos + count * point.size
    if kind == 3:
        bad = False
        for _ in range(count):
            (points,) = struct.unpack_from(order + "I", wkb, pos)
            pos += 4
            last = pos + (points - 1) * point.size
            # x and y compared as bytes, as PostGIS does (memcmp): -0.0 is not 0.0 there
            if points < 4 or last + 16 > len(wkb) or wkb[pos : pos + 16] != wkb[last : last + 16]:
                bad = True
            pos += points * point.size
        return bad, pos
    if kind in (4, 5, 6, 7):
        bad = False
        for _ in range(count):
            part_bad, pos = _walk_rings(wkb, pos)
            bad = bad or part_bad
        return bad, pos
    raise ValueError(f"geometry type {code} not walked")


def _plain_bad_ring(wkb: bytes) -> bool:
    """`_bad_ring` of a WKB that `_plain_area` accepted (little-endian 2D polygons): the same answer,
    a few times faster. Every polygon of a file read in columns passes here, on the reader's thread,
    which the rest of the import waits for."""
    try:
        return any(
            points < 4 or wkb[pos : pos + 16] != wkb[pos + 16 * points - 16 : pos + 16 * points]
            for pos, points, _outer in _plain_rings(wkb)
        )
    except (ValueError, struct.error):
        return _bad_ring(wkb)


def _plain_area(wkb: bytes) -> bool:
    """Whether `wkb` is a non-empty 2D polygon or multipolygon, little-endian throughout: its bytes are
    then what `_wkb` would write for it (GDAL's ISO and old WKB differ only in 3D and measured types)."""
    try:
        if wkb[0] != 1:
            return False
        kind, count = struct.unpack_from("<II", wkb, 1)
        if kind == 3:
            return _has_a_point(wkb, 9, count)
        if kind != 6:
            return False
        pos = 9
        for _ in range(count):
            if wkb[pos] != 1:
                return False
            part_kind, rings = struct.unpack_from("<II", wkb, pos + 1)
            if part_kind != 3:
                return False
            if _has_a_point(wkb, pos + 9, rings):
                return True
            pos += 9 + 4 * rings  # an empty polygon's rings are all empty: a count each
        return False
    except (IndexError, struct.error):
        return False


def _has_a_point(wkb: bytes, pos: int, rings: int) -> bool:
    """Whether any of the `rings` rings starting at `pos` has a point (stopping at the first that has)."""
    for _ring in range(rings):
        (points,) = _U32.unpack_from(wkb, pos)
        if points:
            return True
        pos += 4
    return False


_VALID_INDEX = WKB_INDEX - 2  # then the area, then the WKB (columns.STAGE_COLUMNS)


def _check_validity(batch: list[tuple[tuple, bool]]) -> list[tuple]:
    """The batch's staging rows: without their WKB where the boundary hashes like the stored one,
    with validity (and, where it can be, area) filled in where it does not.

    Validity is checked here (`_validity`), and areas measured (`_areas`), on threads of the
    importer's own while the database works on the batches before; curves and collections are left
    to PostGIS. A boundary whose hash matches the stored one is neither checked (it was when it was
    stored) nor sent: on the re-import of an unchanged file that was half of the reading time. The
    stored hashes are read on this thread's own connection, a batch or two before the batch is
    written: the writer compares the hashes again in SQL, and rejects a feature whose stored
    boundary changed in between (another import), so that nothing is kept on a stale comparison.
    """
    stored = writer.stored_hashes([row[1] for row, _check in batch])
    rows: list[tuple] = []
    to_check: list[int] = []
    for row, check in batch:
        if stored.get(row[1]) == row[-1]:
            row = (*row[:WKB_INDEX], None, row[-1])
        elif check:
            to_check.append(len(rows))
        rows.append(row)
    if to_check:
        geometries = shapely.from_wkb([rows[i][WKB_INDEX] for i in to_check], on_invalid="ignore")
        valid = _validity(geometries)
        areas = _areas([rows[i][WKB_INDEX] for i in to_check], geometries, valid)
        for i, is_valid, area in zip(to_check, valid, areas, strict=True):
            row = rows[i]
            rows[i] = (*row[:_VALID_INDEX], is_valid, area, *row[_VALID_INDEX + 2 :])
    return rows


class ReadAhead:
    """The (rows, rejects) batches of a layer (its parts, one after the other), read on threads of
    their own, in `streams` streams.

    GDAL reading and normalising (one thread) and the validity checks of the batches before (two
    more, taking batches in turn: GEOS runs without the GIL, and checking is the costliest part of
    reading) go on while PostGIS writes the batches before those, so the import uses every core it
    is given. Each stream is written by one connection (writer.write_batches); a feature's stream
    follows from its identity, so every feature of one identity meets the same connection, which
    finds the repeats in order (batch.sql's `duplicates`). The queues are short, so memory stays at
    a few batches whatever the size of the file. Taking a batch raises what the reader or a check
    raised; `close()` stops them all and waits for them (always call it, also after an error).
    """

    def __init__(self, parts: list, mapping: ColumnMapping, streams: int = 1) -> None:
        self.streams = streams
        self._queues: list[queue.Queue] = [queue.Queue(maxsize=1) for _ in range(streams)]
        self._stop = threading.Event()
        # One thread each (not one pool) so that each closes the connection it opened.
        self._checkers = [
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="protected-area-validity") for _ in range(CHECKERS)
        ]
        self._thread = threading.Thread(
            target=_read_batches,
            # Rejects are worded in the importing thread's language (a worker's import: its person's).
            args=(parts, mapping, self._queues, self._stop, self._checkers, translation.get_language()),
            name="protected-area-reader",
            daemon=True,
        )
        self._thread.start()

    def __iter__(self) -> Iterator[tuple[list[tuple], list[tuple[int, str]]]]:
        while (batch := self.next_batch(0)) is not None:
            yield batch

    def next_batch(self, stream: int) -> tuple[list[tuple], list[tuple[int, str]]] | None:
        """The stream's next batch, or None at its end (or once stopped)."""
        while True:
            try:
                item = self._queues[stream].get(timeout=0.1)
            except queue.Empty:
                if self._stop.is_set():
                    return None
                continue
            if item is None:
                return None
            if isinstance(item, BaseException):
                raise item
            checked, rejects = item
            return checked.result(), rejects

    def stop(self) -> None:
        """Stop reading: every stream ends (a writer failed)."""
        self._stop.set()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        for batches in self._queues:
            while not batches.empty():
                item = batches.get_nowait()
                if isinstance(item, tuple):
                    item[0].cancel()
        # Each checker's own connection (opened by _check_validity) is closed on its thread.
        for checker in self._checkers:
            checker.submit(connection.close)
            checker.shutdown(wait=True)


def _read_batches(
    parts: list,
    mapping: ColumnMapping,
    out: list[queue.Queue],
    stop: threading.Event,
    checkers: list[ThreadPoolExecutor],
    language: str | None = None,
) -> None:
    """Put (checked rows, rejects) batches on the queues of `out`, then None on each; an exception
    is put in place of a batch. The rows are a Future: their validity is checked on one of
    `checkers` (in turn) while this thread reads on. Rejects go with the next batch of any stream."""
    if language:
        translation.activate(language)
    turn = itertools.cycle(checkers)
    streams = len(out)

    def put(stream: int, item) -> bool:
        while not stop.is_set():
            try:
                out[stream].put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    pending_rows: list[list] = [[] for _ in range(streams)]
    pending_rejects: list[tuple[int, str]] = []

    def flush(stream: int) -> bool:
        nonlocal pending_rejects
        checked: Future[list[tuple]] = next(turn).submit(_check_validity, pending_rows[stream])
        item = (checked, pending_rejects)
        pending_rows[stream], pending_rejects = [], []
        return put(stream, item)

    def reject(n: int, reason: str) -> None:
        pending_rejects.append((n, reason))
        # Rejects are flushed too: a file whose every feature is rejected still streams.
        if len(pending_rejects) >= BATCH_SIZE:
            flush(0)

    try:
        for row in _parts_rows(parts, mapping, reject):
            if stop.is_set():
                return
            stream = zlib.crc32(row[0][1].encode()) % streams if streams > 1 else 0
            pending_rows[stream].append(row)
            if len(pending_rows[stream]) >= BATCH_SIZE and not flush(stream):
                return
        for stream in range(streams):
            if (pending_rows[stream] or pending_rejects or stream == 0) and not flush(stream):
                return
        for stream in range(streams):
            put(stream, None)
    except BaseException as exc:  # handed to the importing threads, which raise it
        for stream in range(streams):
            put(stream, exc)
