"""A layer's features read in columns through GDAL's Arrow stream (OGR_L_GetArrowStream, GDAL 3.6).

The reader (reader.py) asks OGR for one feature, then each of its fields, then its geometry and that
geometry's WKB: about two dozen ctypes calls per feature, each holding the interpreter lock the
writers and validity checks also need. The Arrow stream of the same layer, already opened and vetted
by `files.open_layer` on the one allow-listed GDAL, hands over a thousand features per call, their
values in columns and their geometries as WKB: on an unchanged re-import, reading was what the
database waited for. No pyarrow: the Arrow C data interface is a few plain structures, read here
with ctypes.

Only layers this reads exactly as the feature-by-feature reader does take this way
(`column_reader`): fields that are integers, 64-bit integers, reals or strings, one geometry column,
and boundaries already in WGS 84. The WKB is GDAL's ISO flavour, byte for byte the feature reader's
for 2D geometries; the reader sends any other geometry through OGR again (reader._arrow_geometry).
"""

from __future__ import annotations

from collections.abc import Iterator
from ctypes import (
    CFUNCTYPE,
    POINTER,
    Structure,
    byref,
    c_char_p,
    c_double,
    c_int,
    c_int32,
    c_int64,
    c_void_p,
    string_at,
)
from typing import Any

from django.contrib.gis.gdal import GDALException
from django.contrib.gis.gdal.libgdal import lgdal


class _ArrowSchema(Structure):
    pass


_ArrowSchema._fields_ = [
    ("format", c_char_p),
    ("name", c_char_p),
    ("metadata", c_void_p),
    ("flags", c_int64),
    ("n_children", c_int64),
    ("children", POINTER(POINTER(_ArrowSchema))),
    ("dictionary", c_void_p),
    ("release", c_void_p),
    ("private_data", c_void_p),
]


class _ArrowArray(Structure):
    pass


_ArrowArray._fields_ = [
    ("length", c_int64),
    ("null_count", c_int64),
    ("offset", c_int64),
    ("n_buffers", c_int64),
    ("n_children", c_int64),
    ("buffers", POINTER(c_void_p)),
    ("children", POINTER(POINTER(_ArrowArray))),
    ("dictionary", c_void_p),
    ("release", c_void_p),
    ("private_data", c_void_p),
]


class _ArrowArrayStream(Structure):
    pass


_ArrowArrayStream._fields_ = [
    ("get_schema", CFUNCTYPE(c_int, POINTER(_ArrowArrayStream), POINTER(_ArrowSchema))),
    ("get_next", CFUNCTYPE(c_int, POINTER(_ArrowArrayStream), POINTER(_ArrowArray))),
    ("get_last_error", CFUNCTYPE(c_char_p, POINTER(_ArrowArrayStream))),
    ("release", CFUNCTYPE(None, POINTER(_ArrowArrayStream))),
    ("private_data", c_void_p),
]
_release_schema = CFUNCTYPE(None, POINTER(_ArrowSchema))
_release_array = CFUNCTYPE(None, POINTER(_ArrowArray))

_get_arrow_stream: Any
try:
    _get_arrow_stream = lgdal["OGR_L_GetArrowStream"]
    _get_arrow_stream.restype = c_int
    _get_arrow_stream.argtypes = [c_void_p, POINTER(_ArrowArrayStream), POINTER(c_char_p)]
except AttributeError:  # a GDAL before 3.6: every layer is read feature by feature
    _get_arrow_stream = None

# Arrow formats of the fields read here, as the feature reader reads them: int32, int64, float64 and
# UTF-8 strings. GDAL gives booleans, 16-bit integers, 32-bit floats, dates, times, lists and binary
# other formats; such a layer is read feature by feature.
_NUMBERS = {b"i": c_int32, b"l": c_int64, b"g": c_double}
_STRING = b"u"
_BINARY = b"z"


def _valid_flags(array: _ArrowArray) -> list[bool] | None:
    """Which of the array's values are set, or None when all are (no validity bitmap)."""
    if not array.null_count or not array.buffers[0]:
        return None
    start, n = array.offset, array.length
    bitmap = string_at(array.buffers[0], (start + n + 7) // 8)
    return [bool(bitmap[i >> 3] & (1 << (i & 7))) for i in range(start, start + n)]


def _variable_width(array: _ArrowArray) -> tuple[bytes, list[int]]:
    """The bytes of a string or binary array and its offsets into them, from 0."""
    n = array.length
    offsets = (c_int32 * (array.offset + n + 1)).from_address(array.buffers[1])[array.offset :]
    first = offsets[0]
    data = string_at(array.buffers[2] + first, offsets[-1] - first) if offsets[-1] > first else b""
    return data, [o - first for o in offsets]


def _strings(array: _ArrowArray) -> list[str]:
    # An unset string reads as "", as OGR_F_GetFieldAsString gives it (the importer takes it as missing).
    data, offsets = _variable_width(array)
    values = [data[a:b].decode("utf-8", errors="replace") for a, b in zip(offsets, offsets[1:], strict=False)]
    valid = _valid_flags(array)
    if valid is not None:
        values = [v if ok else "" for v, ok in zip(values, valid, strict=True)]
    return values


def _binaries(array: _ArrowArray) -> list[bytes | None]:
    data, offsets = _variable_width(array)
    values: list[bytes | None] = [data[a:b] for a, b in zip(offsets, offsets[1:], strict=False)]
    valid = _valid_flags(array)
    if valid is not None:
        values = [v if ok else None for v, ok in zip(values, valid, strict=True)]
    return values


def _numbers(array: _ArrowArray, ctype: Any) -> list[Any]:
    values = list((ctype * (array.offset + array.length)).from_address(array.buffers[1])[array.offset :])
    valid = _valid_flags(array)
    if valid is not None:
        values = [v if ok else None for v, ok in zip(values, valid, strict=True)]
    return values


class ColumnReader:
    """The layer's features in batches of columns: per batch, one list of values per field (in the
    layer's field order) and the list of geometries' WKB (None for a feature without one)."""

    def __init__(self, layer, formats: list[bytes]) -> None:
        self._layer = layer
        self._formats = formats

    def batches(self, batch_size: int) -> Iterator[tuple[list[list[Any]], list[bytes | None]]]:
        """As many features as the layer counts, like the feature reader: a file that ends before them
        (a truncated download) raises GDALException once what it had is read."""
        wanted = self._layer.num_feat
        if wanted <= 0:
            return
        stream = _open_stream(self._layer, batch_size)
        read = 0
        try:
            while read < wanted:
                array = _ArrowArray()
                if stream.get_next(byref(stream), byref(array)) != 0:
                    raise GDALException(f"Could not read the layer: {_last_error(stream)}")
                if not array.release:
                    break
                try:
                    batch = self._columns(array)
                finally:
                    _release_array(array.release)(byref(array))
                take = min(len(batch[1]), wanted - read)
                read += take
                if take < len(batch[1]):
                    batch = [column[:take] for column in batch[0]], batch[1][:take]
                yield batch
        finally:
            stream.release(byref(stream))
        if read < wanted:
            raise GDALException('Invalid pointer returned from "OGR_L_GetNextFeature"')

    def _columns(self, array: _ArrowArray) -> tuple[list[list[Any]], list[bytes | None]]:
        columns: list[list[Any]] = []
        for i, fmt in enumerate(self._formats[:-1]):
            child = array.children[i].contents
            columns.append(_strings(child) if fmt == _STRING else _numbers(child, _NUMBERS[fmt]))
        return columns, _binaries(array.children[len(self._formats) - 1].contents)


_reset_reading = lgdal["OGR_L_ResetReading"]
_reset_reading.restype = None
_reset_reading.argtypes = [c_void_p]


def _open_stream(layer, batch_size: int) -> _ArrowArrayStream:
    _reset_reading(layer.ptr)
    stream = _ArrowArrayStream()
    options = (c_char_p * 3)(b"INCLUDE_FID=NO", f"MAX_FEATURES_IN_BATCH={batch_size}".encode(), None)
    if not _get_arrow_stream(layer.ptr, byref(stream), options):
        raise GDALException("GDAL could not stream the layer")
    return stream


def _last_error(stream: _ArrowArrayStream) -> str:
    message = stream.get_last_error(byref(stream))
    return message.decode("utf-8", errors="replace") if message else "unknown error"


def column_reader(layer) -> ColumnReader | None:
    """A column reader for `layer`, or None where the layer is to be read feature by feature: a field
    of another type, not exactly one geometry column, or boundaries to reproject."""
    srs = layer.srs
    if _get_arrow_stream is None or srs is None or srs.srid != 4326 or layer.num_feat <= 0:
        return None
    stream = _open_stream(layer, 1)
    try:
        schema = _ArrowSchema()
        if stream.get_schema(byref(stream), byref(schema)) != 0:
            return None
        try:
            children = [schema.children[i].contents for i in range(schema.n_children)]
            names = [(child.name or b"").decode("utf-8", errors="replace") for child in children]
            formats = [child.format for child in children]
        finally:
            _release_schema(schema.release)(byref(schema))
    finally:
        stream.release(byref(stream))
    fields = list(layer.fields)
    if names[: len(fields)] != fields or len(formats) != len(fields) + 1:
        return None
    if formats[-1] != _BINARY or any(fmt != _STRING and fmt not in _NUMBERS for fmt in formats[:-1]):
        return None
    return ColumnReader(layer, formats)
