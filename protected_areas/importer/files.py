"""Opening the file of an import: which formats, which GDAL driver, what a .zip may hold.

This is the importer's security boundary. A file is opened only when its extension is one we read,
and then only with that format's own GDAL driver (core.gdal_safety), so a VRT document under
another name cannot make GDAL follow it to a URL or a database; tests/security/test_hostile_geodata.py
holds the attacks. Everything about a file that cannot be read becomes a DomainError with a code.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from django.contrib.gis.gdal import GDALException
from django.contrib.gis.gdal.libgdal import lgdal
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core import gdal_safety
from core.errors import DomainError
from core.text import localized_number

from .. import error_codes
from .reader import POINT_KINDS, POLYGON_KINDS, geometry_kind

ANY_GEOMETRY = 0  # OGR's wkbUnknown: a layer whose features may have any geometry
NO_GEOMETRY = 100  # OGR's wkbNone: a table

# Only these formats are opened, each only with its own GDAL driver (core.gdal_safety): GDAL could
# otherwise follow a VRT document named .kml to a URL or a database.
# An Esri File Geodatabase (`.gdb`, a folder of files: how the WDPA itself is published, besides
# shapefiles) is read by GDAL's own OpenFileGDB driver, from the folder or from a .zip holding it.
READABLE_SUFFIXES = {".shp", ".geojson", ".json", ".gpkg", ".kml", ".gdb"}
# Put into "Could not read %(name)s as %(format)s…", translated there (in the reader's language).
FORMAT_NAMES = {
    ".shp": gettext_noop("a Shapefile"),
    ".geojson": "GeoJSON",
    ".json": "GeoJSON",
    ".gpkg": gettext_noop("a GeoPackage"),
    ".kml": "KML",
    ".gdb": gettext_noop("an Esri File Geodatabase"),
}
ANY_FORMAT_NAME = gettext_noop("GeoJSON, GeoPackage, Shapefile or KML")

# What a .zip may unpack to, by what it says of its members: at most this many times its own size
# (data such as boundaries and their attributes stays far below it; a shapefile's blank-padded .dbf
# compresses the most), or ZIP_EXPANSION_FLOOR for a small archive. GDAL reads the members where
# they are, without unpacking them, so this is what keeps a zip bomb from being read for hours.
ZIP_MAX_RATIO = 100
ZIP_EXPANSION_FLOOR = 64 * 1024 * 1024


def _geodatabases(members: list[str]) -> list[str]:
    """The .gdb folders among a .zip's members, in the order they first appear."""
    found: list[str] = []
    for member in members:
        parts = PurePosixPath(member).parts
        for depth, part in enumerate(parts[:-1], start=1):
            if part.lower().endswith(".gdb"):
                folder = "/".join(parts[:depth])
                if folder not in found:
                    found.append(folder)
                break
    return found


def _check_expansion(path: Path, infos: list[zipfile.ZipInfo]) -> None:
    unpacked = sum(info.file_size for info in infos)
    if unpacked > max(ZIP_MAX_RATIO * path.stat().st_size, ZIP_EXPANSION_FLOOR):
        raise DomainError(
            error_codes.IMPORT_ZIP_TOO_LARGE,
            _(
                "%(name)s would unpack to %(size)s MB, far more than such data takes: it was not read. "
                "Check the archive, or send the file itself."
            )
            % {"name": path.name, "size": localized_number(unpacked / 1e6)},
        )


def _gdal_path(path: Path, layer: str | None) -> str:
    """The GDAL path of a file, looking inside a .zip for something we can read."""
    if not path.exists():
        raise DomainError(error_codes.IMPORT_FILE_NOT_FOUND, _("%(path)s does not exist.") % {"path": path})
    suffix = path.suffix.lower()
    if path.is_dir() and suffix == ".gdb":
        return str(path)  # a File Geodatabase is a folder (the command line's; uploads come zipped)
    if not path.is_file():
        # GDAL would happily open a directory as a set of shapefiles: be explicit instead.
        raise DomainError(error_codes.IMPORT_FILE_NOT_FOUND, _("%(path)s is not a file.") % {"path": path})
    if suffix == ".zip":
        try:
            with zipfile.ZipFile(path) as zf:
                infos = zf.infolist()
        except zipfile.BadZipFile:
            raise DomainError(
                error_codes.IMPORT_FILE_UNREADABLE, _("%(name)s is not a valid .zip archive.") % {"name": path.name}
            )
        _check_expansion(path, infos)
        members = [i.filename for i in infos if not i.is_dir() and "__MACOSX" not in i.filename]
        lowered = {m.lower(): m for m in members}
        candidates = _geodatabases(members) + [
            m for m in members if Path(m).suffix.lower() in READABLE_SUFFIXES and ".gdb/" not in m.lower()
        ]
        if layer:
            by_layer = [m for m in candidates if Path(m).stem == layer]
            candidates = by_layer or candidates
        if not candidates and any(m.lower().endswith(".zip") for m in members):
            # The WDPA's shapefile download is three .zip files in one, each with polygons and points.
            raise DomainError(
                error_codes.IMPORT_ZIP_EMPTY,
                _(
                    "%(name)s holds other .zip files, not data: unpack it and import each of them (a WDPA "
                    "shapefile download comes in parts), or import the WDPA's geodatabase download instead."
                )
                % {"name": path.name},
            )
        if not candidates:
            raise DomainError(
                error_codes.IMPORT_ZIP_EMPTY,
                _("%(name)s contains no Shapefile, GeoPackage, GeoJSON, KML file or File Geodatabase.")
                % {"name": path.name},
            )
        member = candidates[0]
        if member.lower().endswith(".shp"):
            _check_shapefile_parts(member, lambda p: p.lower() in lowered)
        return f"/vsizip/{path.resolve()}/{member}"
    if suffix not in READABLE_SUFFIXES:
        raise DomainError(
            error_codes.IMPORT_FORMAT_UNSUPPORTED,
            _(
                "%(name)s: unsupported file type %(type)s; use GeoJSON, GeoPackage, Shapefile (.shp or .zip), KML "
                "or an Esri File Geodatabase (.gdb, or zipped)."
            )
            % {"name": path.name, "type": suffix or _("(none)")},
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
                _(
                    "The shapefile %(name)s has no %(part)s file next to it. A shapefile is several files "
                    "(.shp, .shx, .dbf, .prj): upload them together, for example as one .zip."
                )
                % {"name": Path(shp).name, "part": ext},
            )


def open_layer(path: Path, layer_name: str | None):
    """(data source, layer) of a file we may read; keep the data source alive while reading the layer."""
    gdal_path = _gdal_path(path, layer_name)
    # The driver is chosen by the extension and enforced by GDAL while opening: checking the
    # driver of an opened data source would be too late (opening a VRT already connects).
    try:
        ds = gdal_safety.open_vector(gdal_path, encoding="utf-8")
    except (gdal_safety.FormatNotAllowed, GDALException):
        suffix = Path(gdal_path).suffix.lower()
        raise DomainError(
            error_codes.IMPORT_FILE_UNREADABLE,
            _("Could not read %(name)s as %(format)s: the file is damaged or holds another format under this name.")
            % {"name": path.name, "format": _(FORMAT_NAMES.get(suffix, ANY_FORMAT_NAME))},
        )
    if ds.layer_count == 0:
        raise DomainError(error_codes.IMPORT_FILE_UNREADABLE, _("%(name)s has no layers.") % {"name": path.name})
    names = [ds[i].name for i in range(ds.layer_count)]
    if layer_name and (layer_name in names):
        return ds, ds[layer_name]
    # In a .zip, a layer can also be named by its member (a shapefile's name, the stem of gdal_path).
    if layer_name and PurePosixPath(gdal_path).stem != layer_name:
        raise DomainError(
            error_codes.IMPORT_LAYER_UNKNOWN,
            _("%(name)s has no layer '%(layer)s'; its layers are: %(layers)s.")
            % {"name": path.name, "layer": layer_name, "layers": ", ".join(names)},
        )
    return ds, ds[default_layer(ds)]


def layer_holds(layer) -> str:
    """What a layer holds, as a code: "boundaries", "points", "table" (no geometries), "any" (features
    of any geometry, a GeoPackage's GEOMETRY) or "other"."""
    kind = geometry_kind(lgdal.OGR_L_GetGeomType(layer.ptr))
    if kind in POLYGON_KINDS:
        return "boundaries"
    if kind in POINT_KINDS:
        return "points"
    return {ANY_GEOMETRY: "any", NO_GEOMETRY: "table"}.get(kind, "other")


def default_layer(ds) -> int:
    """The layer read when none is named: of several (a WDPA geodatabase keeps its boundaries and its
    point-only sites in two, beside tables without geometries), the first of boundaries, else the
    first whose geometries may be anything, else the first of points, else the first."""
    holds = [layer_holds(ds[i]) for i in range(ds.layer_count)]
    for wanted in ("boundaries", "any", "points"):
        if wanted in holds:
            return holds.index(wanted)
    return 0
