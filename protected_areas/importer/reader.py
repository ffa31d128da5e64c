"""Reading features out of GDAL into staging rows, on a thread that reads ahead of the database.

Reading is the importer's Python half: per feature, the mapped attribute values (straight through
OGR's C API where Django's Field objects would be slow), the extra columns kept as `attributes`,
the geometry reprojected to WGS 84 with its WKB, a hash of it, and, where GDAL's GEOS can say, its
validity. `ReadAhead` runs this on a thread of its own while PostGIS works on the previous batch.
Files are opened by `files.open_layer`, never here.

Why GDAL through Django's bindings and not pyogrio's Arrow stream (issue 19): the reader is not the
slow half (on the 10,000-polygon benchmark it takes about 7 of a 16 s first import, on its own
thread, and only the unchanged boundaries' validity could be skipped), and a pyogrio wheel carries
its own GDAL build, whose drivers would have to be allow-listed again (core.gdal_safety).
"""

from __future__ import annotations

import hashlib
import queue
import threading
from collections.abc import Callable, Iterator
from ctypes import c_int, c_void_p, cast
from functools import partial
from typing import Any

from django.contrib.gis.gdal import CoordTransform, GDALException, OGRGeometry, SpatialReference
from django.contrib.gis.gdal.libgdal import lgdal
from django.contrib.gis.gdal.prototypes import ds as ogr_capi
from django.db import connection
from psycopg.types.json import Jsonb

from . import writer
from .columns import WKB_INDEX, ColumnMapping, attribute_row

# Features per batch: per COPY, per pass of the set-based SQL, and per item on the read-ahead queue.
BATCH_SIZE = 1000

_POLYGONAL = {3, 6, 7, 10, 12, 15, 16}  # Polygon, MultiPolygon, GeometryCollection, curves, surfaces
_POINTS = {1, 4}
_SIMPLE_POLYGONS = {3, 6}

_ogr_is_valid = lgdal.OGR_G_IsValid
_ogr_is_valid.argtypes = [c_void_p]
_ogr_is_valid.restype = c_int
_cpl_push_error_handler = lgdal.CPLPushErrorHandler
_cpl_push_error_handler.argtypes = [c_void_p]
_cpl_pop_error_handler = lgdal.CPLPopErrorHandler
_CPL_QUIET = cast(lgdal.CPLQuietErrorHandler, c_void_p)


def _is_valid(geom) -> bool:
    # GEOS reports why a boundary is invalid as a GDAL error: PostGIS says it again when it repairs.
    _cpl_push_error_handler(_CPL_QUIET)
    try:
        return bool(_ogr_is_valid(geom.ptr))
    finally:
        _cpl_pop_error_handler()


def _client_validity_available() -> bool:
    """GDAL answers validity through GEOS; a GDAL built without GEOS says "invalid" to everything."""
    probe = OGRGeometry("POLYGON ((0 0, 1 0, 1 1, 0 0))")
    return bool(_ogr_is_valid(probe.ptr))


def _geometry_kind(num: int) -> int:
    return (num & 0x7FFFFFFF) % 1000


# OGR field types read straight through the C API (Django's Field objects cost ~10 µs per value,
# most of the reading time on a national file); any other type goes through Django's Field.
_OFT_INTEGER, _OFT_REAL, _OFT_STRING, _OFT_INTEGER64 = 0, 2, 4, 12


def _field_getters(layer) -> list[Callable[[Any], Any] | None]:
    getters: list[Callable[[Any], Any] | None] = []
    for i in range(layer.num_fields):
        kind = ogr_capi.get_field_type(ogr_capi.get_field_defn(layer._ldefn, i))
        if kind == _OFT_INTEGER:
            getters.append(partial(_get_set, ogr_capi.get_field_as_integer, i))
        elif kind == _OFT_INTEGER64:
            getters.append(partial(_get_set, ogr_capi.get_field_as_integer64, i))
        elif kind == _OFT_REAL:
            getters.append(partial(_get_set, ogr_capi.get_field_as_double, i))
        elif kind == _OFT_STRING:
            getters.append(partial(_get_string, i))
        else:
            getters.append(None)
    return getters


def _get_set(getter, i: int, feature) -> Any:
    ptr = feature.ptr
    return getter(ptr, i) if ogr_capi.is_field_set(ptr, i) else None


def _get_string(i: int, feature) -> str | None:
    ptr = feature.ptr
    if not ogr_capi.is_field_set(ptr, i):
        return None
    # GDAL hands out UTF-8 (it recodes Shapefiles by their .cpg); a stray byte must not stop an import.
    return ogr_capi.get_field_as_string(ptr, i).decode("utf-8", errors="replace")


def _feature_rows(
    layer, mapping: ColumnMapping, reject: Callable[[int, str], None]
) -> Iterator[tuple[tuple, OGRGeometry | None]]:
    """Yield (staging row, geometry whose validity is still to check, or None) per usable feature;
    report the others to `reject(n, reason)`. The row's `valid` is None until `_check_validity`."""
    srs = layer.srs
    transform = None
    if srs is not None and srs.srid != 4326:
        transform = CoordTransform(srs, SpatialReference(4326))
    field_names = layer.fields
    index = {name: i for i, name in enumerate(field_names)}
    getters = _field_getters(layer)
    check_validity = _client_validity_available()

    def reader(i: int) -> Callable[[Any], Any]:
        return getters[i] or (lambda feature: feature[i].value)

    mapped_columns = set(mapping.columns.values())
    extra_columns = [(name, reader(index[name])) for name in field_names if name not in mapped_columns]
    wanted = [(target, reader(index[column])) for target, column in mapping.columns.items()]
    for n, feature in enumerate(layer, start=1):
        values = {target: get(feature) for target, get in wanted}
        extras: dict[str, Any] = {}
        for name, get in extra_columns:
            value = get(feature)
            if value is None or value == "":
                continue
            extras[name] = value if isinstance(value, int | float | str) else str(value)
        row = attribute_row(values, extras, mapping, n, reject)
        if row is None:
            continue
        if srs is None:
            reject(n, "unknown CRS: the file does not say which coordinate system it uses (.prj missing?)")
            continue
        try:
            geom = feature.geom
        except GDALException:
            reject(n, "no geometry")
            continue
        if geom.empty:
            reject(n, "no geometry (empty)")
            continue
        kind_num = _geometry_kind(geom.geom_type.num)
        if kind_num in _POLYGONAL:
            kind = "polygon"
        elif kind_num in _POINTS:
            kind = "point"
        else:
            reject(n, f"unusable geometry: a {geom.geom_type.name} is not an area")
            continue
        if transform is not None:
            try:
                geom.transform(transform)
            except GDALException as exc:
                reject(n, f"unusable geometry: cannot reproject to WGS 84 ({exc})")
                continue
        wkb = bytes(geom.wkb)
        to_check = geom if check_validity and kind_num in _SIMPLE_POLYGONS else None
        yield (*row, Jsonb(extras), kind, None, wkb, hashlib.blake2b(wkb, digest_size=16).digest()), to_check


_VALID_INDEX = WKB_INDEX - 1


def _check_validity(batch: list[tuple[tuple, OGRGeometry | None]]) -> list[tuple]:
    """The batch's staging rows, with validity filled in where the boundary is not the stored one.

    Validity is checked here, by the same GEOS that PostGIS uses, on the importer's own core while
    the database works on the previous batch; curves and collections are left to PostGIS. A boundary
    whose hash matches the stored one is not checked at all (it was when it was stored): on the
    re-import of an unchanged file that was half of the reading time. The stored hashes are read on
    this thread's own connection, so rows written by a transaction still open elsewhere are not seen
    and are simply checked: slower, never wrong (the writer compares hashes again in SQL).
    """
    stored = writer.stored_hashes([row[1] for row, geom in batch if geom is not None])
    rows = []
    for row, geom in batch:
        if geom is not None and stored.get(row[1]) != row[-1]:
            row = (*row[:_VALID_INDEX], _is_valid(geom), *row[_VALID_INDEX + 1 :])
        rows.append(row)
    return rows


class ReadAhead:
    """The (rows, rejects) batches of a layer, read on a thread of their own.

    GDAL reading and normalising (this thread) runs while PostGIS works on the previous batch: the
    two halves of the import use both cores. The queue is short, so memory stays at a few batches
    whatever the size of the file. Iterating raises what the reader raised; `close()` stops the
    reader and waits for it (always call it, also after an error).
    """

    def __init__(self, layer, mapping: ColumnMapping) -> None:
        self._batches: queue.Queue = queue.Queue(maxsize=1)
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=_read_batches,
            args=(layer, mapping, self._batches, self._stop),
            name="protected-area-reader",
            daemon=True,
        )
        self._thread.start()

    def __iter__(self) -> Iterator[tuple[list[tuple], list[tuple[int, str]]]]:
        while True:
            item = self._batches.get()
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            yield item

    def close(self) -> None:
        self._stop.set()
        self._thread.join()


def _read_batches(lyr, mapping: ColumnMapping, out: queue.Queue, stop: threading.Event) -> None:
    """Put (rows, rejects) batches on `out`, then None; an exception is put in place of a batch."""

    def put(item) -> bool:
        while not stop.is_set():
            try:
                out.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    pending: dict[str, list] = {"rows": [], "rejects": []}

    def flush() -> bool:
        item = (_check_validity(pending["rows"]), pending["rejects"])
        pending["rows"], pending["rejects"] = [], []
        return put(item)

    def reject(n: int, reason: str) -> None:
        pending["rejects"].append((n, reason))
        # Rejects are flushed too: a file whose every feature is rejected still streams.
        if len(pending["rejects"]) >= BATCH_SIZE:
            flush()

    try:
        for row in _feature_rows(lyr, mapping, reject):
            if stop.is_set():
                return
            pending["rows"].append(row)
            if len(pending["rows"]) >= BATCH_SIZE and not flush():
                return
        if flush():
            put(None)
    except BaseException as exc:  # handed to the importing thread, which raises it
        put(exc)
    finally:
        connection.close()  # this thread's own, opened by _check_validity
