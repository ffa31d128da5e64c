"""Which column of a file feeds which field of a protected area, and how its values are cleaned.

The WDPA schemas (legacy, their Shapefile truncations, 2025+) are recognised by name; any other file
names its identity and name columns (or gets a mapping). Each feature's attributes become one row of
the staging table, whose layout (`STAGE_COLUMNS`) is the contract between the reader, which builds
rows, and the writer, which COPYs them and names the same columns in its SQL.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django.db import models
from django.utils.translation import gettext as _

from core.errors import DomainError

from .. import error_codes
from ..choices import DesignationType, IucnCategory, Realm, SiteType
from ..models import ProtectedArea

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
_MAX_LENGTH = {
    f: cast(models.CharField, ProtectedArea._meta.get_field(f)).max_length for f in (*TEXT_FIELDS, "wdpa_pid")
}
_IUCN = {v.lower(): v for v in IucnCategory.values}
_DESIG_TYPES = {v.lower(): v for v in DesignationType.values}
_LEGACY_MARINE = {"0": Realm.TERRESTRIAL, "1": Realm.COASTAL, "2": Realm.MARINE}
_REALMS = {v: v for v in Realm.values}

# Columns of the staging table, in COPY order, with their type for binary COPY; the feature's
# attributes come first, then its geometry: its kind, validity and area as the reader found them
# (reader._check_validity), its WKB and a hash of that WKB.
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
    ("iso3_codes", "text", "text"),
    ("parent_iso3_codes", "text", "text"),
    ("reported_area_km2", "double precision", "float8"),
    ("reported_marine_area_km2", "double precision", "float8"),
    ("attributes", "jsonb", "jsonb"),
    ("kind", "text", "text"),
    ("valid", "boolean", "bool"),
    ("reader_area_km2", "double precision", "float8"),
    ("wkb", "bytea", "bytea"),
    ("geom_hash", "bytea", "bytea"),
)
# The country lists are COPYed as "VNM;LAO" and made arrays by the staging table (generated columns
# named like the model's fields): psycopg dumps a list in Python, which on a re-import was a fifth of
# the importing process's CPU, all of it under the interpreter lock the reader needs.
STAGE_ARRAYS = {"iso3_codes": "iso3", "parent_iso3_codes": "parent_iso3"}
_NOT_ATTRIBUTES = {"n", "kind", "valid", "reader_area_km2", "wkb", "geom_hash"}
ATTR_FIELDS = [STAGE_ARRAYS.get(c, c) for c, _t, _b in STAGE_COLUMNS if c not in _NOT_ATTRIBUTES]
WKB_INDEX = [c for c, _t, _b in STAGE_COLUMNS].index("wkb")


@dataclass
class ColumnMapping:
    """The columns one file's features are read from, and whether it is a WDPA file."""

    columns: dict[str, str]  # model field -> column in the layer
    wdpa: bool
    source: str
    # Identities staff chose not to import (likely duplicates of areas they keep): rejected with a reason.
    skip: frozenset[str] = frozenset()


def resolve_mapping(layer_fields: list[str], field_map: dict[str, str] | None, source: str) -> ColumnMapping:
    """The columns to read, from the file's own names and the mapping given; DomainError if they do not fit."""
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
                _("Cannot map '%(field)s': fields that can be mapped are %(fields)s.")
                % {"field": target, "fields": ", ".join(sorted(MAPPABLE))},
            )
        if column.lower() not in by_lower:
            raise DomainError(
                error_codes.IMPORT_MAPPING_INVALID,
                _("The file has no column '%(column)s' (for %(field)s); its columns are: %(columns)s.")
                % {"column": column, "field": target, "columns": ", ".join(layer_fields)},
            )
        columns[target] = by_lower[column.lower()]
    # What is missing is told all at once (data["missing"]), so the wizard asks for every field in one go.
    # A WDPA extract without names still reads: each feature is rejected for "no name".
    missing = [] if wdpa else [target for target in ("name", "key") if target not in columns]
    if missing:
        # Worded for whoever imports, in their language: the wizard asks for the columns on the same page,
        # the command line adds how to name them there (its --map option).
        how = {
            "name": _("No column holds the areas' names."),
            "key": _(
                "This is not a WDPA file (no WDPAID or SITE_ID column) and has no 'id' column: "
                "no column identifies each area."
            ),
        }
        raise DomainError(
            error_codes.IMPORT_MAPPING_INVALID,
            " ".join(how[target] for target in missing)
            + " "
            + _("The file's columns: %(columns)s.") % {"columns": ", ".join(layer_fields)},
            data={"missing": missing},
        )
    return ColumnMapping(columns=columns, wdpa=wdpa, source=source)


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


def _iso3_codes(value: Any, extras: dict[str, Any], column: str) -> str:
    """'VNM, lao' -> 'VNM;LAO' (the staging table splits it into an array). Codes that are not three
    letters (WDPA uses ABNJ for the high seas) stay in the attributes as given."""
    text = _text(value)
    if not text:
        return ""
    parts = [p.strip().upper() for p in text.replace(",", ";").split(";") if p.strip()]
    codes = [p for p in parts if len(p) == 3 and p.isalpha()]
    if len(codes) != len(parts):
        extras[column] = text
    return ";".join(dict.fromkeys(codes))


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


def attribute_row(
    values: dict[str, Any], extras: dict[str, Any], mapping: ColumnMapping, n: int, reject: Callable[[int, str], None]
) -> tuple | None:
    """Feature `n`'s attributes as the first columns of its staging row (up to `attributes`), or None
    after `reject(n, reason)` when it has no identity or no name. Values that do not fit a field are
    kept in `extras`, which becomes the row's `attributes`."""
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
            reject(n, _("no identity: column %(column)s is empty") % {"column": mapping.columns["key"]})
            return None
    else:
        # WDPA: a parcel (WDPA_PID 41057_B) is its own row; a file without parcel ids uses the site id.
        wdpa_pid = wdpa_pid or (str(wdpa_id) if wdpa_id is not None else None)
        if wdpa_pid is None:
            reject(n, _("no WDPA id"))
            return None
        key = f"wdpa:{wdpa_pid}"
    if len(key) > 120:
        reject(n, _("identity longer than 120 characters"))
        return None
    if key in mapping.skip:
        reject(n, _("not imported: staff kept the existing area this one duplicates (%(key)s)") % {"key": key})
        return None
    if name is None:
        reject(n, _("no name"))
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
        _iso3_codes(values.get("iso3"), extras, mapping.columns.get("iso3", "ISO3")),
        _iso3_codes(values.get("parent_iso3"), extras, mapping.columns.get("parent_iso3", "PARENT_ISO3")),
        _number(values.get("reported_area_km2")),
        _number(values.get("reported_marine_area_km2")),
    )
