"""Writes about protected areas: importing boundaries from files, and the site teams.

The importer streams features out of GDAL, normalises their attributes in Python, and hands them
to PostGIS in batches (COPY into a temporary table). Everything geometric (repair, areas on the
spheroid, simplification, comparison with the stored boundary, boundary history) is done by
set-based SQL per batch, because that is where it is fast; Python never holds more than a batch.
"""

from __future__ import annotations

import hashlib
import json
import logging
import queue
import shutil
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from ctypes import c_int, c_void_p, cast
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from django.contrib.gis.gdal import CoordTransform, GDALException, OGRGeometry, SpatialReference
from django.contrib.gis.gdal.libgdal import lgdal
from django.contrib.gis.gdal.prototypes import ds as ogr_capi
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone
from psycopg.types.json import Jsonb

from accounts import rules
from accounts.choices import Role
from accounts.models import RoleAssignment, User
from accounts.services import role_grant, role_revoke
from audit.services import audit_record
from core import gdal_safety
from core.errors import DomainError, NotAllowed, without_paths
from core.models import Job

from . import error_codes
from .choices import DesignationType, IucnCategory, Realm, SiteType
from .models import ProtectedArea

logger = logging.getLogger(__name__)

BATCH_SIZE = 1000
# About 50 m at the equator: finer than a pixel at zoom 11, and it takes most of the weight out of
# survey-grade boundaries with tens of thousands of vertices. The display geometry uses plain
# Douglas-Peucker (ST_Simplify keeping collapsed parts): on the benchmark file
# ST_SimplifyPreserveTopology took 20x longer (10 s of a 40 s import) for the same drawing, and
# this geometry is only drawn (maps, tiles, API lists), never measured: areas use the full boundary.
DISPLAY_TOLERANCE_DEG = 0.0005
# A 300,000-feature file with a bad column would otherwise carry 300,000 messages around.
MAX_ERRORS = 1000
TILES_VERSION_KEY = "protected_areas:tiles:version"

# Only these formats are opened, each only with its own GDAL driver (core.gdal_safety): GDAL could
# otherwise follow a VRT document named .kml to a URL or a database.
READABLE_SUFFIXES = {".shp", ".geojson", ".json", ".gpkg", ".kml"}
FORMAT_NAMES = {
    ".shp": "a Shapefile",
    ".geojson": "GeoJSON",
    ".json": "GeoJSON",
    ".gpkg": "a GeoPackage",
    ".kml": "KML",
}


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    repaired: int = 0
    rejected: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    layer: str = ""
    total: int | None = None

    def reject(self, feature: int, reason: str) -> None:
        self.rejected += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append({"feature": feature, "reason": reason})

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "repaired": self.repaired,
            "rejected": self.rejected,
            "errors": list(self.errors),
        }


# --- columns --------------------------------------------------------------------------------------

# Model field -> column names, first match wins. The legacy WDPA schema, its 10-character
# Shapefile truncations, and the 2025+ schema are all listed.
WDPA_COLUMNS: dict[str, tuple[str, ...]] = {
    "wdpa_id": ("SITE_ID", "WDPAID"),
    "wdpa_pid": ("SITE_PID", "WDPA_PID"),
    "site_type": ("SITE_TYPE", "PA_DEF"),
    "name": ("NAME", "NAME_ENG"),
    "orig_name": ("ORIG_NAME",),
    "name_eng": ("NAME_ENG",),
    "designation": ("DESIG",),
    "designation_eng": ("DESIG_ENG",),
    "designation_type": ("DESIG_TYPE",),
    "iucn_category": ("IUCN_CAT",),
    "governance_type": ("GOV_TYPE",),
    "ownership_type": ("OWN_TYPE",),
    "management_authority": ("MANG_AUTH",),
    "management_plan": ("MANG_PLAN",),
    "realm": ("REALM", "MARINE"),
    "status": ("STATUS",),
    "status_year": ("STATUS_YR",),
    "iso3": ("ISO3",),
    "parent_iso3": ("PRNT_ISO3", "PARENT_ISO3", "PARENT_ISO"),
    "reported_area_km2": ("REP_AREA",),
    "reported_marine_area_km2": ("REP_M_AREA",),
}
# A file without WDPA columns gets these when no mapping is given.
GENERIC_COLUMNS: dict[str, tuple[str, ...]] = {"key": ("id",), "name": ("name",), "iso3": ("iso3",)}
MAPPABLE = set(WDPA_COLUMNS) | {"key"}

TEXT_FIELDS = (
    "name",
    "orig_name",
    "name_eng",
    "designation",
    "designation_eng",
    "governance_type",
    "ownership_type",
    "management_authority",
    "management_plan",
    "status",
)
_MAX_LENGTH = {f: ProtectedArea._meta.get_field(f).max_length for f in (*TEXT_FIELDS, "wdpa_pid")}
_IUCN = {v.lower(): v for v in IucnCategory.values}
_DESIG_TYPES = {v.lower(): v for v in DesignationType.values}
_LEGACY_MARINE = {"0": Realm.TERRESTRIAL, "1": Realm.COASTAL, "2": Realm.MARINE}
_REALMS = {v: v for v in Realm.values}

# Columns of the staging table, in COPY order, with their type for binary COPY; the feature's
# attributes come first, then its geometry as WKB and a hash of that WKB.
STAGE_COLUMNS = (
    ("n", "integer", "int4"),
    ("key", "text", "text"),
    ("wdpa_id", "bigint", "int8"),
    ("wdpa_pid", "text", "text"),
    ("site_type", "text", "text"),
    ("name", "text", "text"),
    ("orig_name", "text", "text"),
    ("name_eng", "text", "text"),
    ("designation", "text", "text"),
    ("designation_eng", "text", "text"),
    ("designation_type", "text", "text"),
    ("iucn_category", "text", "text"),
    ("governance_type", "text", "text"),
    ("ownership_type", "text", "text"),
    ("management_authority", "text", "text"),
    ("management_plan", "text", "text"),
    ("realm", "text", "text"),
    ("status", "text", "text"),
    ("status_year", "integer", "int4"),
    ("iso3", "varchar(3)[]", "varchar[]"),
    ("parent_iso3", "varchar(3)[]", "varchar[]"),
    ("reported_area_km2", "double precision", "float8"),
    ("reported_marine_area_km2", "double precision", "float8"),
    ("attributes", "jsonb", "jsonb"),
    ("kind", "text", "text"),
    ("valid", "boolean", "bool"),
    ("wkb", "bytea", "bytea"),
    ("geom_hash", "bytea", "bytea"),
)
_ATTR_FIELDS = [c for c, _t, _b in STAGE_COLUMNS if c not in {"n", "kind", "valid", "wkb", "geom_hash"}]
_WKB = [c for c, _t, _b in STAGE_COLUMNS].index("wkb")


# --- opening files --------------------------------------------------------------------------------


def _gdal_path(path: Path, layer: str | None) -> str:
    """The GDAL path of a file, looking inside a .zip for something we can read."""
    if not path.exists():
        raise DomainError(error_codes.IMPORT_FILE_NOT_FOUND, f"{path} does not exist.")
    if not path.is_file():
        # GDAL would happily open a directory as a set of shapefiles: be explicit instead.
        raise DomainError(error_codes.IMPORT_FILE_NOT_FOUND, f"{path} is not a file.")
    suffix = path.suffix.lower()
    if suffix == ".zip":
        try:
            with zipfile.ZipFile(path) as zf:
                members = [m for m in zf.namelist() if not m.endswith("/") and "__MACOSX" not in m]
        except zipfile.BadZipFile:
            raise DomainError(error_codes.IMPORT_FILE_UNREADABLE, f"{path.name} is not a valid .zip archive.")
        lowered = {m.lower(): m for m in members}
        candidates = [m for m in members if Path(m).suffix.lower() in READABLE_SUFFIXES]
        if layer:
            by_layer = [m for m in candidates if Path(m).stem == layer]
            candidates = by_layer or candidates
        if not candidates:
            raise DomainError(
                error_codes.IMPORT_ZIP_EMPTY,
                f"{path.name} contains no Shapefile, GeoPackage, GeoJSON or KML file.",
            )
        member = candidates[0]
        if member.lower().endswith(".shp"):
            _check_shapefile_parts(member, lambda p: p.lower() in lowered)
        return f"/vsizip/{path.resolve()}/{member}"
    if suffix not in READABLE_SUFFIXES:
        raise DomainError(
            error_codes.IMPORT_FORMAT_UNSUPPORTED,
            f"{path.name}: unsupported file type {suffix or '(none)'}; use GeoJSON, GeoPackage, "
            "Shapefile (.shp or .zip) or KML.",
        )
    if suffix == ".shp":
        _check_shapefile_parts(str(path), lambda p: any(Path(p).with_suffix(s).exists() for s in _case_variants(p)))
    return str(path)


def _case_variants(p: str) -> tuple[str, ...]:
    ext = Path(p).suffix
    return (ext, ext.upper(), ext.lower())


def _check_shapefile_parts(shp: str, exists: Callable[[str], bool]) -> None:
    for ext in (".shx", ".dbf"):
        if not exists(str(Path(shp).with_suffix(ext))):
            raise DomainError(
                error_codes.IMPORT_SHAPEFILE_INCOMPLETE,
                f"The shapefile {Path(shp).name} has no {ext} file next to it. A shapefile is several files "
                "(.shp, .shx, .dbf, .prj): upload them together, for example as one .zip.",
            )


def _open(path: Path, layer_name: str | None):
    gdal_path = _gdal_path(path, layer_name)
    # The driver is chosen by the extension and enforced by GDAL while opening: checking the
    # driver of an opened data source would be too late (opening a VRT already connects).
    try:
        ds = gdal_safety.open_vector(gdal_path, encoding="utf-8")
    except (gdal_safety.FormatNotAllowed, GDALException):
        suffix = Path(gdal_path).suffix.lower()
        raise DomainError(
            error_codes.IMPORT_FILE_UNREADABLE,
            f"Could not read {path.name} as {FORMAT_NAMES.get(suffix, 'GeoJSON, GeoPackage, Shapefile or KML')}: "
            "the file is damaged or holds another format under this name.",
        )
    if ds.layer_count == 0:
        raise DomainError(error_codes.IMPORT_FILE_UNREADABLE, f"{path.name} has no layers.")
    names = [lyr.name for lyr in ds]
    if layer_name and (layer_name in names):
        return ds, ds[layer_name]
    if layer_name and not path.suffix.lower() == ".zip":
        raise DomainError(
            error_codes.IMPORT_LAYER_UNKNOWN,
            f"{path.name} has no layer {layer_name!r}; its layers are: {', '.join(names)}.",
        )
    return ds, ds[0]


# --- attribute normalisation ----------------------------------------------------------------------


def _text(value: Any, limit: int | None = None) -> str | None:
    """Empty strings are missing values (national data often has '' instead of NULL)."""
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    return text[:limit] if limit else text


def _number(value: Any) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number else None  # NaN


def _integer_id(value: Any) -> int | None:
    number = _number(value)
    return int(number) if number is not None and number.is_integer() else None


def _iso3_list(value: Any, extras: dict[str, Any], column: str) -> list[str]:
    """'VNM;LAO' -> ['VNM', 'LAO']. Codes that are not three letters (WDPA uses ABNJ for the high seas)
    stay in the attributes as given."""
    text = _text(value)
    if not text:
        return []
    parts = [p.strip().upper() for p in text.replace(",", ";").split(";") if p.strip()]
    codes = [p for p in parts if len(p) == 3 and p.isalpha()]
    if len(codes) != len(parts):
        extras[column] = text
    return list(dict.fromkeys(codes))


def _iucn(value: Any, extras: dict[str, Any], column: str) -> str:
    text = _text(value)
    if text is None:
        return IucnCategory.NOT_REPORTED
    found = _IUCN.get(text.lower())
    if found is None:
        extras[column] = text
        return IucnCategory.NOT_REPORTED
    return found


def _site_type(value: Any) -> str:
    text = (_text(value) or "").upper()
    if text in {"0", "OECM"}:
        return SiteType.OECM
    return SiteType.PROTECTED_AREA


def _realm(value: Any) -> str:
    text = _text(value)
    if text is None:
        return ""
    if text in _LEGACY_MARINE:
        return _LEGACY_MARINE[text]
    return _REALMS.get(text.lower(), "")


def _status_year(value: Any) -> int:
    number = _integer_id(value)
    return number if number is not None and 0 < number < 10000 else 0


# --- reading features -----------------------------------------------------------------------------

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


@dataclass
class _Mapping:
    columns: dict[str, str]  # model field -> column in the layer
    wdpa: bool
    source: str


def _resolve_mapping(layer_fields: list[str], field_map: dict[str, str] | None, source: str) -> _Mapping:
    by_lower = {f.lower(): f for f in layer_fields}
    wdpa = "wdpaid" in by_lower or "site_id" in by_lower
    columns: dict[str, str] = {}
    defaults = WDPA_COLUMNS if wdpa else GENERIC_COLUMNS
    for target, candidates in defaults.items():
        for candidate in candidates:
            if candidate.lower() in by_lower:
                columns[target] = by_lower[candidate.lower()]
                break
    for target, column in (field_map or {}).items():
        if target not in MAPPABLE:
            raise DomainError(
                error_codes.IMPORT_MAPPING_INVALID,
                f"Cannot map {target!r}: fields that can be mapped are {', '.join(sorted(MAPPABLE))}.",
            )
        if column.lower() not in by_lower:
            raise DomainError(
                error_codes.IMPORT_MAPPING_INVALID,
                f"The file has no column {column!r} (for {target}); its columns are: {', '.join(layer_fields)}.",
            )
        columns[target] = by_lower[column.lower()]
    if "name" not in columns and not wdpa:
        # A WDPA extract without names still reads: each feature is rejected for "no name".
        raise DomainError(
            error_codes.IMPORT_MAPPING_INVALID,
            f"No name column found: map one with --map name=COLUMN (columns: {', '.join(layer_fields)}).",
        )
    if not wdpa and "key" not in columns:
        raise DomainError(
            error_codes.IMPORT_MAPPING_INVALID,
            "This is not a WDPA file (no WDPAID or SITE_ID column) and has no 'id' column: map a column that "
            f"identifies each area with --map key=COLUMN (columns: {', '.join(layer_fields)}).",
        )
    return _Mapping(columns=columns, wdpa=wdpa, source=source)


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


def _feature_rows(layer, mapping: _Mapping, reject: Callable[[int, str], None]) -> Iterator[tuple]:
    """Yield one staging row per usable feature; report the others to `reject(n, reason)`."""
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
        row = _normalise(values, extras, mapping, n, reject)
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
        # Validity is checked here, by the same GEOS that PostGIS uses, on the importer's own core
        # while the database works on the previous batch; curves and collections are left to PostGIS.
        valid = _is_valid(geom) if check_validity and kind_num in _SIMPLE_POLYGONS else None
        wkb = bytes(geom.wkb)
        yield (*row, Jsonb(extras), kind, valid, wkb, hashlib.blake2b(wkb, digest_size=16).digest())


def _normalise(
    values: dict[str, Any], extras: dict[str, Any], mapping: _Mapping, n: int, reject: Callable[[int, str], None]
):
    name = _text(values.get("name"), _MAX_LENGTH["name"])
    wdpa_id = _integer_id(values.get("wdpa_id"))
    wdpa_pid = _text(values.get("wdpa_pid"), _MAX_LENGTH["wdpa_pid"])
    if isinstance(values.get("wdpa_pid"), float) and values["wdpa_pid"].is_integer():
        wdpa_pid = str(int(values["wdpa_pid"]))
    if "key" in mapping.columns:
        raw_key = values.get("key")
        if isinstance(raw_key, float) and raw_key.is_integer():
            raw_key = int(raw_key)
        key_value = _text(raw_key)
        key = f"{mapping.source}:{key_value}" if key_value else None
        if key is None:
            reject(n, f"no identity: column {mapping.columns['key']} is empty")
            return None
    else:
        # WDPA: a parcel (WDPA_PID 41057_B) is its own row; a file without parcel ids uses the site id.
        wdpa_pid = wdpa_pid or (str(wdpa_id) if wdpa_id is not None else None)
        if wdpa_pid is None:
            reject(n, "no WDPA id")
            return None
        key = f"wdpa:{wdpa_pid}"
    if len(key) > 120:
        reject(n, "identity longer than 120 characters")
        return None
    if name is None:
        reject(n, "no name")
        return None
    texts = {f: _text(values.get(f), _MAX_LENGTH[f]) or "" for f in TEXT_FIELDS}
    texts["name"] = name
    return (
        n,
        key,
        wdpa_id,
        wdpa_pid or "",
        _site_type(values.get("site_type")),
        texts["name"],
        texts["orig_name"],
        texts["name_eng"],
        texts["designation"],
        texts["designation_eng"],
        _DESIG_TYPES.get((_text(values.get("designation_type")) or "").lower(), ""),
        _iucn(values.get("iucn_category"), extras, mapping.columns.get("iucn_category", "IUCN_CAT")),
        texts["governance_type"],
        texts["ownership_type"],
        texts["management_authority"],
        texts["management_plan"],
        _realm(values.get("realm")),
        texts["status"],
        _status_year(values.get("status_year")),
        _iso3_list(values.get("iso3"), extras, mapping.columns.get("iso3", "ISO3")),
        _iso3_list(values.get("parent_iso3"), extras, mapping.columns.get("parent_iso3", "PARENT_ISO3")),
        _number(values.get("reported_area_km2")),
        _number(values.get("reported_marine_area_km2")),
    )


# --- writing batches ------------------------------------------------------------------------------

# Staging tables keep geometries uncompressed (EXTERNAL): pglz compression of every boundary on
# each write was a third of the import time.
_STAGE_DDL = f"""
CREATE TEMP TABLE IF NOT EXISTS pa_import_raw ({", ".join(f"{c} {t}" for c, t, _b in STAGE_COLUMNS)});
ALTER TABLE pa_import_raw ALTER COLUMN wkb SET STORAGE EXTERNAL;
CREATE TEMP TABLE IF NOT EXISTS pa_import_seen (key text PRIMARY KEY, n integer);
CREATE TEMP TABLE IF NOT EXISTS pa_import_prep (
    n integer, key text, reject text, pa_id bigint, repaired boolean, geom_same boolean, attrs_same boolean,
    geom geometry(MultiPolygon, 4326), point geometry(Point, 4326), area_km2 double precision,
    geom_display geometry(MultiPolygon, 4326), geom_hash bytea
);
ALTER TABLE pa_import_prep ALTER COLUMN geom SET STORAGE EXTERNAL, ALTER COLUMN geom_display SET STORAGE EXTERNAL;
TRUNCATE pa_import_raw, pa_import_seen, pa_import_prep;
"""

_ATTR_ROW_PA = ", ".join(f"pa.{c}" for c in _ATTR_FIELDS if c != "key")
_ATTR_ROW_RAW = ", ".join(f"r.{c}" for c in _ATTR_FIELDS if c != "key")

# Area on the WGS 84 ellipsoid. For ordinary sites this is the planar area in EPSG:6933, an
# equal-area projection of the ellipsoid: it agrees with ST_Area(geography) to 4e-6 over the
# benchmark file and at worst 3e-4 (0.03 %) on the real samples (long straight edges differ most),
# and is five times faster; the geodesic area was most of the import time. Sites spanning more than a few
# degrees (where straight-in-the-projection and geodesic edges part ways) or beyond the
# projection's range (polar, across the antimeridian) use the geodesic ST_Area(geography).
_AREA_SQL = """
CASE WHEN ST_XMin(g) >= -180 AND ST_XMax(g) <= 180 AND ST_YMin(g) >= -85 AND ST_YMax(g) <= 85
          AND ST_XMax(g) - ST_XMin(g) <= 3 AND ST_YMax(g) - ST_YMin(g) <= 3
     THEN ST_Area(ST_Transform(g, 6933))
     ELSE ST_Area(g::geography)
END / 1e6
"""


_BATCH_SQL = [
    # Keys seen earlier in this file, or twice in this batch: the first one wins.
    """
    INSERT INTO pa_import_prep (n, key, reject)
    SELECT r.n, r.key, 'duplicate of feature ' || coalesce(s.n, d.first_n) || ' (same identity ' || r.key || ')'
    FROM pa_import_raw r
    LEFT JOIN pa_import_seen s ON s.key = r.key
    LEFT JOIN (SELECT key, min(n) AS first_n FROM pa_import_raw GROUP BY key) d ON d.key = r.key
    WHERE s.key IS NOT NULL OR d.first_n <> r.n
    """,
    """
    INSERT INTO pa_import_seen (key, n)
    SELECT r.key, r.n FROM pa_import_raw r
    WHERE NOT EXISTS (SELECT 1 FROM pa_import_prep p WHERE p.n = r.n)
    """,
    # One pass per feature. A boundary whose WKB hashes like the stored one is the same boundary:
    # nothing geometric is done for it (the client did not even send it). Otherwise: repair,
    # extract the polygons, compare with what is stored (areas imported before hashes existed),
    # and compute the area and display geometry. `OFFSET 0` keeps PostgreSQL from inlining the
    # LATERAL steps, which would re-run the validity check and repair per reference.
    f"""
    INSERT INTO pa_import_prep
        (n, key, reject, pa_id, repaired, geom_same, attrs_same, geom, point, area_km2, geom_display, geom_hash)
    SELECT r.n, r.key,
        CASE WHEN NOT h.same AND r.kind = 'polygon' AND (c.geom IS NULL OR ST_IsEmpty(c.geom))
             THEN 'unusable geometry: nothing of it is an area, even after repair' END,
        pa.id, CASE WHEN h.same THEN pa.geom_repaired ELSE v.repaired END, s.geom_same,
        ROW({_ATTR_ROW_PA}) IS NOT DISTINCT FROM ROW({_ATTR_ROW_RAW}),
        c.geom, c.point,
        CASE WHEN NOT s.geom_same AND c.geom IS NOT NULL
             THEN (SELECT {_AREA_SQL} FROM (SELECT c.geom AS g) area_input) END,
        CASE WHEN NOT s.geom_same AND c.geom IS NOT NULL
             THEN ST_Multi(ST_CollectionExtract(ST_Simplify(c.geom, %(tolerance)s, true), 3)) END,
        r.geom_hash
    FROM pa_import_raw r
    LEFT JOIN protected_areas_protectedarea pa ON pa.key = r.key
    CROSS JOIN LATERAL (
        SELECT pa.id IS NOT NULL AND (r.wkb IS NULL OR coalesce(pa.geom_hash = r.geom_hash, false)) AS same
    ) h
    CROSS JOIN LATERAL (
        SELECT CASE WHEN ST_HasArc(g0.g) THEN ST_CurveToLine(g0.g) ELSE g0.g END AS g
        FROM (
            SELECT CASE WHEN NOT h.same THEN ST_Force2D(ST_GeomFromWKB(r.wkb, 4326)) END AS g
        ) g0 OFFSET 0
    ) g1
    CROSS JOIN LATERAL (
        SELECT r.kind = 'polygon' AND NOT coalesce(r.valid, ST_IsValid(g1.g)) AS repaired OFFSET 0
    ) v
    CROSS JOIN LATERAL (
        SELECT
            CASE WHEN r.kind = 'polygon' THEN
                CASE WHEN v.repaired OR GeometryType(g1.g) <> 'MULTIPOLYGON'
                     THEN ST_Multi(ST_CollectionExtract(
                          CASE WHEN v.repaired THEN ST_MakeValid(g1.g) ELSE g1.g END, 3))
                     ELSE g1.g END
            END AS geom,
            CASE WHEN r.kind = 'point' THEN ST_GeometryN(ST_Multi(g1.g), 1) END AS point
        OFFSET 0
    ) c
    CROSS JOIN LATERAL (
        SELECT h.same OR (
            pa.id IS NOT NULL AND pa.geom_hash IS NULL
            AND pa.geom IS NOT DISTINCT FROM c.geom AND pa.point IS NOT DISTINCT FROM c.point
        ) AS geom_same
        OFFSET 0
    ) s
    WHERE NOT EXISTS (SELECT 1 FROM pa_import_prep p WHERE p.n = r.n)
    """,  # noqa: S608 (column names come from STAGE_COLUMNS; values are parameters)
    # New areas.
    f"""
    INSERT INTO protected_areas_protectedarea
        ({", ".join(_ATTR_FIELDS)}, geom, point, area_km2, geom_display, geom_hash, geom_repaired,
         source, created_at, updated_at)
    SELECT {", ".join(f"r.{c}" for c in _ATTR_FIELDS)}, p.geom, p.point, p.area_km2, p.geom_display,
        p.geom_hash, p.repaired, %(source)s, now(), now()
    FROM pa_import_prep p JOIN pa_import_raw r ON r.n = p.n
    WHERE p.reject IS NULL AND p.pa_id IS NULL
    """,  # noqa: S608 (column names come from STAGE_COLUMNS; values are parameters)
    # Boundary history: version 1 for new areas; for a changed boundary, the next version with its
    # area change and how far it moved (Hausdorff distance in an equidistant projection centred
    # on the old boundary, so that it is in metres wherever on Earth the site is).
    """
    INSERT INTO protected_areas_boundaryversion
        (protected_area_id, version, geom, point, area_km2, area_change_km2, shift_km, source, created_at)
    SELECT pa.id, 1, p.geom, p.point, p.area_km2, NULL, NULL, %(source)s, now()
    FROM pa_import_prep p JOIN protected_areas_protectedarea pa ON pa.key = p.key
    WHERE p.reject IS NULL AND p.pa_id IS NULL
    """,
    """
    INSERT INTO protected_areas_boundaryversion
        (protected_area_id, version, geom, point, area_km2, area_change_km2, shift_km, source, created_at)
    SELECT pa.id,
        coalesce((SELECT max(b.version) FROM protected_areas_boundaryversion b WHERE b.protected_area_id = pa.id), 0)
            + 1,
        p.geom, p.point, p.area_km2, p.area_km2 - pa.area_km2,
        CASE
            WHEN pa.geom IS NOT NULL AND p.geom IS NOT NULL THEN
                ST_HausdorffDistance(ST_Transform(pa.geom, proj.aeqd), ST_Transform(p.geom, proj.aeqd)) / 1000
            WHEN pa.point IS NOT NULL AND p.point IS NOT NULL THEN
                ST_Distance(pa.point::geography, p.point::geography) / 1000
        END,
        %(source)s, now()
    FROM pa_import_prep p
    JOIN protected_areas_protectedarea pa ON pa.id = p.pa_id
    CROSS JOIN LATERAL (
        SELECT format('+proj=aeqd +lat_0=%%s +lon_0=%%s +datum=WGS84 +units=m +no_defs',
                      ST_Y(ST_PointOnSurface(coalesce(pa.geom, pa.point))),
                      ST_X(ST_PointOnSurface(coalesce(pa.geom, pa.point)))) AS aeqd
    ) proj
    WHERE p.reject IS NULL AND NOT p.geom_same
    """,
    f"""
    UPDATE protected_areas_protectedarea pa SET
        {", ".join(f"{c} = r.{c}" for c in _ATTR_FIELDS if c != "key")},
        geom = CASE WHEN p.geom_same THEN pa.geom ELSE p.geom END,
        point = CASE WHEN p.geom_same THEN pa.point ELSE p.point END,
        area_km2 = CASE WHEN p.geom_same THEN pa.area_km2 ELSE p.area_km2 END,
        geom_display = CASE WHEN p.geom_same THEN pa.geom_display ELSE p.geom_display END,
        geom_hash = p.geom_hash,
        geom_repaired = p.repaired,
        source = %(source)s,
        updated_at = now()
    FROM pa_import_prep p JOIN pa_import_raw r ON r.n = p.n
    WHERE pa.id = p.pa_id AND p.reject IS NULL AND NOT (p.geom_same AND p.attrs_same)
    """,  # noqa: S608 (column names come from STAGE_COLUMNS; values are parameters)
    # Areas stored before boundaries were hashed and found unchanged: remember the hash, so the
    # next import skips them cheaply, without calling them updated.
    """
    UPDATE protected_areas_protectedarea pa SET geom_hash = p.geom_hash, geom_repaired = p.repaired
    FROM pa_import_prep p
    WHERE pa.id = p.pa_id AND p.reject IS NULL AND p.geom_same AND p.attrs_same AND pa.geom_hash IS NULL
    """,
]

_COUNT_SQL = """
SELECT
    count(*) FILTER (WHERE reject IS NULL AND pa_id IS NULL),
    count(*) FILTER (WHERE reject IS NULL AND pa_id IS NOT NULL AND NOT (geom_same AND attrs_same)),
    count(*) FILTER (WHERE reject IS NULL AND pa_id IS NOT NULL AND geom_same AND attrs_same),
    count(*) FILTER (WHERE reject IS NULL AND repaired)
FROM pa_import_prep
"""
_COPY_SQL = f"COPY pa_import_raw ({', '.join(c for c, _t, _b in STAGE_COLUMNS)}) FROM STDIN (FORMAT BINARY)"


def _write_batch(rows: list[tuple], summary: ImportSummary, source: str) -> None:
    params = {"source": source[:300], "tolerance": DISPLAY_TOLERANCE_DEG}
    with transaction.atomic(), connection.cursor() as cursor:
        # A batch lost to a crash is imported again by re-running the file (upserts): not worth
        # waiting for the disk at every commit.
        cursor.execute("SET LOCAL synchronous_commit TO OFF")
        # Boundaries whose hash matches the stored one are not sent again: a re-import of an
        # unchanged national file moves attributes only.
        cursor.execute(
            "SELECT key, geom_hash FROM protected_areas_protectedarea WHERE key = ANY(%s) AND geom_hash IS NOT NULL",
            [[row[1] for row in rows]],
        )
        stored = {key: bytes(h) for key, h in cursor.fetchall()}
        cursor.execute("TRUNCATE pa_import_raw, pa_import_prep")
        raw = cursor.cursor  # psycopg's own cursor, for COPY
        with raw.copy(_COPY_SQL) as copy:
            copy.set_types([b for _c, _t, b in STAGE_COLUMNS])
            for row in rows:
                if stored.get(row[1]) == row[-1]:
                    row = (*row[:_WKB], None, row[-1])
                copy.write_row(row)
        for sql in _BATCH_SQL:
            cursor.execute(sql, params)
        cursor.execute(_COUNT_SQL)
        created, updated, unchanged, repaired = cursor.fetchone()
        cursor.execute("SELECT n, reject FROM pa_import_prep WHERE reject IS NOT NULL ORDER BY n")
        for n, reason in cursor.fetchall():
            summary.reject(n, reason)
    summary.created += created
    summary.updated += updated
    summary.unchanged += unchanged
    summary.repaired += repaired


def tiles_data_version() -> int:
    """The version of the map data that cached vector tiles belong to; bumped by every import."""
    version = cache.get(TILES_VERSION_KEY)
    if version is None:
        # Lost (Redis flushed): start a new namespace rather than risk serving old tiles.
        version = time.time_ns()
        cache.add(TILES_VERSION_KEY, version, timeout=None)
        version = cache.get(TILES_VERSION_KEY, version)
    return version


def tiles_data_changed() -> None:
    cache.set(TILES_VERSION_KEY, time.time_ns(), timeout=None)


def import_protected_areas(
    path,
    *,
    layer: str | None = None,
    field_map: dict[str, str] | None = None,
    source: str | None = None,
    progress: Callable[[int, int | None], None] | None = None,
) -> ImportSummary:
    """Import (upsert) the protected areas in a GeoJSON, GeoPackage, Shapefile (plain or zipped) or
    KML file. Features that cannot be used are rejected with a reason; the rest import. Raises
    DomainError only when the file itself cannot be read (or the field mapping does not fit it).

    `source` names the data set: it prefixes the identities of non-WDPA records
    (`<source>:<key>`) and is recorded with each boundary; it defaults to the file name.
    """
    path = Path(path)
    source = source or path.stem
    ds, lyr = _open(path, layer)
    mapping = _resolve_mapping(list(lyr.fields), field_map, path.stem if source is None else source)
    summary = ImportSummary(layer=lyr.name)
    try:
        summary.total = len(lyr)
    except GDALException:
        summary.total = None
    if summary.total is not None and summary.total < 0:
        summary.total = None
    with connection.cursor() as cursor:
        cursor.execute(_STAGE_DDL)
    done = 0
    # GDAL reading and normalising (this thread's reader) runs while PostGIS works on the previous
    # batch: the two halves of the import use both cores. The queue is short, so memory stays at
    # a few batches whatever the size of the file.
    batches: queue.Queue = queue.Queue(maxsize=1)
    stop = threading.Event()
    reader = threading.Thread(
        target=_read_batches, args=(lyr, mapping, batches, stop), name="protected-area-reader", daemon=True
    )
    reader.start()
    try:
        while True:
            item = batches.get()
            if item is None:
                break
            if isinstance(item, BaseException):
                raise item
            rows, rejects = item
            for n, reason in rejects:
                summary.reject(n, reason)
            if rows:
                _write_batch(rows, summary, source)
                done = rows[-1][0]
                if progress:
                    progress(done, summary.total)
    except GDALException as exc:
        # The file broke part-way (truncated download): what was read is saved; say where it stopped.
        raise DomainError(
            error_codes.IMPORT_FILE_UNREADABLE,
            f"Could not read {path.name} to the end ({exc}); {summary.created} areas created and "
            f"{summary.updated} updated before that.",
        )
    finally:
        stop.set()
        reader.join()
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS pa_import_raw, pa_import_seen, pa_import_prep")
        del ds, lyr
    if progress:
        progress(summary.total or done, summary.total)
    if summary.created or summary.updated:
        tiles_data_changed()
    return summary


def _read_batches(lyr, mapping: _Mapping, out: queue.Queue, stop: threading.Event) -> None:
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
        item = (pending["rows"], pending["rejects"])
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


def summary_json(summary: ImportSummary) -> str:
    return json.dumps(summary.as_dict(), ensure_ascii=False)


# --- imports from the browser ---------------------------------------------------------------------

IMPORT_JOB_KIND = "protected_area_import"


def import_job_start(
    *, user: User, upload, layer: str = "", field_map: dict[str, str] | None = None, source: str = ""
) -> Job:
    """Store the uploaded file and queue its import; the page polls the returned Job."""
    if not rules.can_import_protected_areas(user):
        raise NotAllowed(error_codes.NOT_STAFF, "Only IUCN staff can import protected areas.")
    name = Path(upload.name).name
    with transaction.atomic():
        job = Job.objects.create(
            kind=IMPORT_JOB_KIND,
            created_by=user,
            params={
                "file_name": name,
                "layer": layer or None,
                "field_map": field_map or {},
                # The stored copy may be renamed; identities and history use the name staff uploaded.
                "source": source or Path(name).stem,
            },
        )
        job.input_file.save(name, upload, save=True)
        audit_record(actor=user, action="protected_areas.import_queued", target=job, data={"file": name})
        from .tasks import run_protected_area_import

        transaction.on_commit(lambda: run_protected_area_import.delay(job.pk), robust=True)
    return job


def import_job_run(job_id: int) -> Job:
    """Run a queued import (in a worker), keeping the Job's progress, result or error current."""
    job = Job.objects.get(pk=job_id, kind=IMPORT_JOB_KIND)
    if job.status not in {Job.Status.QUEUED, Job.Status.RUNNING}:
        return job  # delivered twice: the first delivery did the work
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, started_at=timezone.now())

    def progress(done: int, total: int | None) -> None:
        Job.objects.filter(pk=job.pk).update(progress=done, total=total)

    params = job.params
    try:
        with job.input_file.open("rb") as handle, _local_copy(handle, params["file_name"]) as path:
            summary = import_protected_areas(
                path,
                layer=params.get("layer"),
                field_map=params.get("field_map") or None,
                source=params.get("source"),
                progress=progress,
            )
    except DomainError as exc:
        # Shown on the import page: no path of the stored upload or of a scratch folder.
        message = without_paths(exc.message)
        Job.objects.filter(pk=job.pk).update(status=Job.Status.FAILED, error=message, finished_at=timezone.now())
        audit_record(actor=None, action="protected_areas.import_failed", target=job, data={"error": message})
    except Exception as exc:
        logger.exception("protected area import %s failed", job.pk)
        message = f"The import stopped on an unexpected error ({type(exc).__name__}). Nothing after it was saved."
        Job.objects.filter(pk=job.pk).update(status=Job.Status.FAILED, error=message, finished_at=timezone.now())
        raise
    else:
        result = summary.as_dict()
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.DONE,
            result=result,
            progress=summary.total or 0,
            total=summary.total,
            finished_at=timezone.now(),
        )
        counts = {k: v for k, v in result.items() if k != "errors"}
        audit_record(actor=None, action="protected_areas.imported", target=job, data=counts)
    job.refresh_from_db()
    return job


@contextmanager
def _local_copy(handle, file_name: str):
    """GDAL reads paths: use the stored file directly when it is on disk, else copy it (S3)."""
    try:
        path = handle.name if Path(handle.name).is_file() else None
    except (AttributeError, TypeError):
        path = None
    if path:
        yield Path(path)
        return
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / Path(file_name).name
        with target.open("wb") as out:
            shutil.copyfileobj(handle, out, 1024 * 1024)
        yield target


# --- site teams -----------------------------------------------------------------------------------


def site_manager_add(*, area: ProtectedArea, email: str, by: User) -> RoleAssignment:
    """Make an existing user a site manager of `area` (staff only)."""
    if not rules.can_manage_site_teams(by):
        raise NotAllowed(error_codes.NOT_STAFF, "Only IUCN staff can change site teams.")
    user = User.objects.filter(email__iexact=(email or "").strip(), is_active=True).first()
    if user is None:
        raise DomainError(
            error_codes.USER_UNKNOWN,
            f"No active account uses {email}. Invite the person first (Invitations).",
            field="email",
        )
    return role_grant(user=user, role=Role.SITE_MANAGER, protected_area=area, granted_by=by)


def site_manager_remove(*, area: ProtectedArea, assignment_id: int, by: User) -> RoleAssignment:
    if not rules.can_manage_site_teams(by):
        raise NotAllowed(error_codes.NOT_STAFF, "Only IUCN staff can change site teams.")
    assignment = (
        RoleAssignment.objects.filter(pk=assignment_id, protected_area=area, role=Role.SITE_MANAGER)
        .select_related("user")
        .first()
    )
    if assignment is None:
        raise DomainError(error_codes.USER_UNKNOWN, "This person is not on the site team.")
    return role_revoke(assignment=assignment, revoked_by=by)
