"""Opening the file of an import: which formats, which GDAL driver, what a .zip may hold.

This is the importer's security boundary. A file is opened only when its extension is one we read,
and then only with that format's own GDAL driver (core.gdal_safety), so a VRT document under
another name cannot make GDAL follow it to a URL or a database; tests/security/test_hostile_geodata.py
holds the attacks. Everything about a file that cannot be read becomes a DomainError with a code.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

from django.contrib.gis.gdal import GDALException
from django.utils.translation import gettext as _

from core import gdal_safety
from core.errors import DomainError

from .. import error_codes

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


def _gdal_path(path: Path, layer: str | None) -> str:
    """The GDAL path of a file, looking inside a .zip for something we can read."""
    if not path.exists():
        raise DomainError(error_codes.IMPORT_FILE_NOT_FOUND, _("%(path)s does not exist.") % {"path": path})
    if not path.is_file():
        # GDAL would happily open a directory as a set of shapefiles: be explicit instead.
        raise DomainError(error_codes.IMPORT_FILE_NOT_FOUND, _("%(path)s is not a file.") % {"path": path})
    suffix = path.suffix.lower()
    if suffix == ".zip":
        try:
            with zipfile.ZipFile(path) as zf:
                members = [m for m in zf.namelist() if not m.endswith("/") and "__MACOSX" not in m]
        except zipfile.BadZipFile:
            raise DomainError(
                error_codes.IMPORT_FILE_UNREADABLE, _("%(name)s is not a valid .zip archive.") % {"name": path.name}
            )
        lowered = {m.lower(): m for m in members}
        candidates = [m for m in members if Path(m).suffix.lower() in READABLE_SUFFIXES]
        if layer:
            by_layer = [m for m in candidates if Path(m).stem == layer]
            candidates = by_layer or candidates
        if not candidates:
            raise DomainError(
                error_codes.IMPORT_ZIP_EMPTY,
                _("%(name)s contains no Shapefile, GeoPackage, GeoJSON or KML file.") % {"name": path.name},
            )
        member = candidates[0]
        if member.lower().endswith(".shp"):
            _check_shapefile_parts(member, lambda p: p.lower() in lowered)
        return f"/vsizip/{path.resolve()}/{member}"
    if suffix not in READABLE_SUFFIXES:
        raise DomainError(
            error_codes.IMPORT_FORMAT_UNSUPPORTED,
            _("%(name)s: unsupported file type %(type)s; use GeoJSON, GeoPackage, Shapefile (.shp or .zip) or KML.")
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
            % {"name": path.name, "format": FORMAT_NAMES.get(suffix, "GeoJSON, GeoPackage, Shapefile or KML")},
        )
    if ds.layer_count == 0:
        raise DomainError(error_codes.IMPORT_FILE_UNREADABLE, _("%(name)s has no layers.") % {"name": path.name})
    names = [ds[i].name for i in range(ds.layer_count)]
    if layer_name and (layer_name in names):
        return ds, ds[layer_name]
    if layer_name and not path.suffix.lower() == ".zip":
        raise DomainError(
            error_codes.IMPORT_LAYER_UNKNOWN,
            _("%(name)s has no layer '%(layer)s'; its layers are: %(layers)s.")
            % {"name": path.name, "layer": layer_name, "layers": ", ".join(names)},
        )
    return ds, ds[0]
