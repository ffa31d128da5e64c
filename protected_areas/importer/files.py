"""Opening the file of an import: which formats, which GDAL driver, what a .zip (or a KMZ) may hold,
and a file that comes in parts (a .zip of .zip files, as the WDPA's shapefile download).

This is the importer's security boundary. A file is opened only when its extension is one we read,
and then only with that format's own GDAL driver (core.gdal_safety), so a VRT document under
another name cannot make GDAL follow it to a URL or a database; tests/security/test_hostile_geodata.py
holds the attacks. Everything about a file that cannot be read becomes a DomainError with a code.
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

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
# A .zip of .zip files is read as one file in parts (the WDPA's shapefile download has three).
MAX_PARTS = 20


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


def _zip_members(path: Path) -> list[str]:
    """The members of a .zip that may be data (not folders, not macOS's resource forks), once its
    expansion is known to be reasonable."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except zipfile.BadZipFile:
        raise DomainError(
            error_codes.IMPORT_FILE_UNREADABLE, _("%(name)s is not a valid .zip archive.") % {"name": path.name}
        )
    _check_expansion(path, infos)
    return [i.filename for i in infos if not i.is_dir() and "__MACOSX" not in i.filename]


def _readable_members(path: Path, members: list[str]) -> list[str]:
    """The GDAL paths of what a .zip holds that we read: File Geodatabases, then files, in the
    archive's order; a shapefile only with its parts."""
    lowered = {m.lower(): m for m in members}
    found = _geodatabases(members) + [
        m for m in members if Path(m).suffix.lower() in READABLE_SUFFIXES and ".gdb/" not in m.lower()
    ]
    for member in found:
        if member.lower().endswith(".shp"):
            _check_shapefile_parts(member, lambda p: p.lower() in lowered)
    return [f"/vsizip/{path.resolve()}/{member}" for member in found]


def _no_data_in(name: str) -> DomainError:
    return DomainError(
        error_codes.IMPORT_ZIP_EMPTY,
        _("%(name)s contains no Shapefile, GeoPackage, GeoJSON, KML file or File Geodatabase.") % {"name": name},
    )


def _unpack_parts(path: Path, members: list[str], folder: Path) -> list[list[str]]:
    """A .zip of .zip files (the WDPA's shapefile download: `…_shp_0.zip` to `…_shp_2.zip`, each with
    its share of the boundaries and of the point-only sites): each inner .zip copied out into a folder
    of ours (never to the member's own path), in name order, and the GDAL paths of what each holds. One
    level only: a part that is itself .zip files is refused. The sizes were checked against the
    outer archive's (`_check_expansion`), and each part's members against the part's."""
    names = sorted(m for m in members if m.lower().endswith(".zip"))
    if len(names) > MAX_PARTS:
        raise DomainError(
            error_codes.IMPORT_ZIP_EMPTY,
            _("%(name)s holds %(count)s .zip files: a file in parts is read from at most %(most)s.")
            % {"name": path.name, "count": len(names), "most": MAX_PARTS},
        )
    parts: list[list[str]] = []
    with zipfile.ZipFile(path) as zf:
        for number, name in enumerate(names):
            # Under its own name (so that errors name it), in a folder of ours: never the member's path.
            inner = folder / str(number) / PurePosixPath(name.replace("\\", "/")).name
            try:
                inner.parent.mkdir()  # a number of ours: cannot exist yet
                with zf.open(name) as source, inner.open("wb") as target:
                    shutil.copyfileobj(source, target, 1024 * 1024)
            # A damaged archive is the file's fault; a full disk (OSError) is the server's, and is not
            # reported as the file's.
            except (zipfile.BadZipFile, EOFError, ValueError, zlib.error):
                raise DomainError(
                    error_codes.IMPORT_FILE_UNREADABLE,
                    _("%(name)s: its part %(part)s could not be unpacked (the archive is damaged).")
                    % {"name": path.name, "part": PurePosixPath(name).name},
                )
            inner_members = _zip_members(inner)
            readable = _readable_members(inner, inner_members)
            if not readable:
                raise _no_data_in(PurePosixPath(name).name)
            parts.append(readable)
    return parts


def _gdal_paths(path: Path, folder: Callable[[], Path]) -> list[list[str]]:
    """What GDAL opens for a file, by part: one part for most files (a file, a folder that is a File
    Geodatabase, or each readable member of a .zip), several for a .zip of .zip files. `folder`
    gives a temporary folder to unpack parts into."""
    if not path.exists():
        raise DomainError(error_codes.IMPORT_FILE_NOT_FOUND, _("%(path)s does not exist.") % {"path": path})
    suffix = path.suffix.lower()
    if path.is_dir() and suffix == ".gdb":
        return [[str(path)]]  # a File Geodatabase is a folder (the command line's; uploads come zipped)
    if not path.is_file():
        # GDAL would happily open a directory as a set of shapefiles: be explicit instead.
        raise DomainError(error_codes.IMPORT_FILE_NOT_FOUND, _("%(path)s is not a file.") % {"path": path})
    if suffix == ".zip":
        members = _zip_members(path)
        readable = _readable_members(path, members)
        if readable:
            return [readable]
        if any(m.lower().endswith(".zip") for m in members):
            return _unpack_parts(path, members, folder())
        raise _no_data_in(path.name)
    if suffix == ".kmz":
        # KML zipped (Google Earth's and My Maps' own format: doc.kml, perhaps images beside it): its
        # KML files, read as a .zip's, with the same checks.
        kml = [p for p in _readable_members(path, _zip_members(path)) if p.lower().endswith(".kml")]
        if kml:
            return [kml]
        raise _no_data_in(path.name)
    if suffix not in READABLE_SUFFIXES:
        raise DomainError(
            error_codes.IMPORT_FORMAT_UNSUPPORTED,
            _(
                "%(name)s: unsupported file type %(type)s; use GeoJSON, GeoPackage, Shapefile (.shp or .zip), KML "
                "(or KMZ) or an Esri File Geodatabase (.gdb, or zipped)."
            )
            % {"name": path.name, "type": suffix or _("(none)")},
        )
    if suffix == ".shp":
        _check_shapefile_parts(str(path), lambda p: any(Path(p).with_suffix(s).exists() for s in _case_variants(p)))
    return [[str(path)]]


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


@dataclass
class FileLayer:
    """One layer of a file as the importer reads it: a GDAL layer, or the same layer in each part of
    a file that comes in parts, read one after the other (features numbered on across the parts)."""

    name: str
    parts: list[Any]  # Django's GDAL Layer, one per part that has this layer
    member: str  # the file it is in (a .zip member's stem): a layer may be named by it

    @property
    def fields(self) -> list[str]:
        return list(self.parts[0].fields)

    @property
    def holds(self) -> str:
        return layer_holds(self.parts[0])

    @property
    def records(self) -> int:
        return sum(part.num_feat for part in self.parts)


class OpenedFile:
    """A file opened for an import: every layer in it, by part. Holds the GDAL data sources, and the
    folder a file in parts was unpacked to, until `close()` (or the end of a `with` block)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._folder: tempfile.TemporaryDirectory | None = None
        self._sources: list[Any] = []
        self.layers: list[FileLayer] = []
        self.left_out: list[str] = []  # a .zip's members that could not be read
        try:
            self._open()
        except BaseException:
            self.close()
            raise

    def _unpack_folder(self) -> Path:
        self._folder = tempfile.TemporaryDirectory(prefix="greenlist-import-parts-")
        return Path(self._folder.name)

    def _open(self) -> None:
        by_name: dict[str, FileLayer] = {}
        refused: DomainError | None = None
        for gdal_paths in _gdal_paths(self.path, self._unpack_folder):
            in_this_part: set[str] = set()
            for gdal_path in gdal_paths:
                try:
                    ds = self._open_source(gdal_path)
                except DomainError as exc:
                    # A .zip may hold other files with a data file's extension (a metadata .json):
                    # what cannot be read is left out if anything else can be (the wizard names it).
                    if len(gdal_paths) == 1:
                        raise
                    refused = refused or exc
                    self.left_out.append(PurePosixPath(gdal_path).name)
                    continue
                self._sources.append(ds)
                member = PurePosixPath(gdal_path).stem
                for i in range(ds.layer_count):
                    lyr = ds[i]
                    if lyr.name in in_this_part:
                        continue  # the same name twice in one part (two folders): the first is read
                    in_this_part.add(lyr.name)
                    if lyr.name in by_name:
                        by_name[lyr.name].parts.append(lyr)
                    else:
                        by_name[lyr.name] = FileLayer(name=lyr.name, parts=[lyr], member=member)
                        self.layers.append(by_name[lyr.name])
        if not self.layers and refused is not None:
            raise refused
        if not self.layers:
            raise DomainError(
                error_codes.IMPORT_FILE_UNREADABLE, _("%(name)s has no layers.") % {"name": self.path.name}
            )

    def _open_source(self, gdal_path: str) -> Any:
        # The driver is chosen by the extension and enforced by GDAL while opening: checking the
        # driver of an opened data source would be too late (opening a VRT already connects).
        try:
            return gdal_safety.open_vector(gdal_path, encoding="utf-8")
        except (gdal_safety.FormatNotAllowed, GDALException):
            suffix = Path(gdal_path).suffix.lower()
            raise DomainError(
                error_codes.IMPORT_FILE_UNREADABLE,
                _("Could not read %(name)s as %(format)s: the file is damaged or holds another format under this name.")
                % {"name": self.path.name, "format": _(FORMAT_NAMES.get(suffix, ANY_FORMAT_NAME))},
            )

    def layer(self, name: str | None) -> FileLayer:
        """The layer an import reads: the one named (a layer's name, or in a .zip the name of the
        file it is in), or else the default one (`default_layer`). Its parts must have the same
        columns, as the WDPA's parts do."""
        if name:
            in_member = [lyr for lyr in self.layers if lyr.member == name]
            chosen = next((lyr for lyr in self.layers if lyr.name == name), None)
            if chosen is None and in_member:
                chosen = in_member[default_layer([lyr.holds for lyr in in_member])]
            if chosen is None:
                raise DomainError(
                    error_codes.IMPORT_LAYER_UNKNOWN,
                    _("%(name)s has no layer '%(layer)s'; its layers are: %(layers)s.")
                    % {"name": self.path.name, "layer": name, "layers": ", ".join(lyr.name for lyr in self.layers)},
                )
        else:
            chosen = self.layers[default_layer([lyr.holds for lyr in self.layers])]
        for number, part in enumerate(chosen.parts[1:], start=2):
            if list(part.fields) != chosen.fields:
                raise DomainError(
                    error_codes.IMPORT_FILE_UNREADABLE,
                    _(
                        "%(name)s comes in parts whose layer %(layer)s has other columns in part %(part)s than "
                        "in the first: they cannot be read as one."
                    )
                    % {"name": self.path.name, "layer": chosen.name, "part": number},
                )
        return chosen

    def close(self) -> None:
        self.layers = []
        self._sources = []  # GDAL closes a data source when its last reference goes
        if self._folder is not None:
            self._folder.cleanup()
            self._folder = None

    def __enter__(self) -> OpenedFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_file(path: Path) -> OpenedFile:
    """Open a file we may read (formats and GDAL drivers allow-listed; a .zip's size checked)."""
    return OpenedFile(Path(path))


def open_layer(path: Path, layer_name: str | None) -> tuple[OpenedFile, Any]:
    """(opened file, layer) of a file we may read, for a layer's columns and samples: its first part;
    keep the opened file while reading the layer, and close it after."""
    opened = open_file(path)
    try:
        return opened, opened.layer(layer_name).parts[0]
    except BaseException:
        opened.close()
        raise


def layer_holds(layer) -> str:
    """What a layer holds, as a code: "boundaries", "points", "table" (no geometries), "any" (features
    of any geometry, a GeoPackage's GEOMETRY) or "other"."""
    kind = geometry_kind(lgdal.OGR_L_GetGeomType(layer.ptr))
    if kind in POLYGON_KINDS:
        return "boundaries"
    if kind in POINT_KINDS:
        return "points"
    return {ANY_GEOMETRY: "any", NO_GEOMETRY: "table"}.get(kind, "other")


def default_layer(holds: list[str]) -> int:
    """The layer read when none is named, by what each holds: of several (a WDPA geodatabase keeps its
    boundaries and its point-only sites in two, beside tables without geometries; its shapefile
    download has `…-points` before `…-polygons`), the first of boundaries, else the first whose
    geometries may be anything, else the first of points, else the first."""
    for wanted in ("boundaries", "any", "points"):
        if wanted in holds:
            return holds.index(wanted)
    return 0
