"""Type by content: what the bytes are, whether that is allowed, and whether the name agrees."""

from __future__ import annotations

import os
import re

import magic
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, pgettext_lazy

from core.limits import cut

from .. import error_codes
from . import Unprocessable

EXECUTABLE_TYPES = {
    "application/x-executable",
    "application/x-pie-executable",
    "application/x-sharedlib",
    "application/x-object",
    "application/x-mach-binary",
    "application/x-dosexec",
    "application/vnd.microsoft.portable-executable",
    "application/x-msdownload",
    "application/x-msi",
    "application/java-archive",
    "application/x-java-applet",
    "application/x-elf",
    "application/vnd.android.package-archive",
}
SCRIPT_TYPES = {
    "text/x-shellscript",
    "text/x-script.python",
    "text/x-python",
    "text/x-perl",
    "text/x-php",
    "text/x-ruby",
    "text/x-lua",
    "text/x-tcl",
    "text/javascript",
    "application/javascript",
    "application/x-javascript",
    "text/x-msdos-batch",
    "application/x-bat",
    "text/x-awk",
}
HTML_TYPES = {"text/html", "application/xhtml+xml"}

# Extension → the sniffed types that may carry it. A file whose content is of another type was
# renamed or is hostile (`photo.jpg` that is really a program).
EXTENSION_TYPES: dict[str, set[str]] = {
    ".jpg": {"image/jpeg"},
    ".jpeg": {"image/jpeg"},
    ".png": {"image/png"},
    ".gif": {"image/gif"},
    ".webp": {"image/webp"},
    ".tif": {"image/tiff"},
    ".tiff": {"image/tiff"},
    ".heic": {"image/heic", "image/heif"},
    ".heif": {"image/heic", "image/heif"},
    ".pdf": {"application/pdf"},
    ".zip": {"application/zip", "application/x-zip-compressed"},
    ".geojson": {"application/json", "application/geo+json", "text/plain"},
    ".json": {"application/json", "text/plain"},
    ".kml": {"text/xml", "application/xml", "application/vnd.google-earth.kml+xml"},
    ".gpx": {"text/xml", "application/xml", "application/gpx+xml"},
    ".gpkg": {"application/vnd.sqlite3", "application/x-sqlite3"},
    ".csv": {"text/csv", "text/plain", "application/csv"},
    ".txt": {"text/plain", "text/csv"},
    ".docx": {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "application/zip"},
    ".xlsx": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/zip"},
    ".pptx": {"application/vnd.openxmlformats-officedocument.presentationml.presentation", "application/zip"},
    ".odt": {"application/vnd.oasis.opendocument.text", "application/zip"},
    ".ods": {"application/vnd.oasis.opendocument.spreadsheet", "application/zip"},
    ".doc": {"application/msword", "application/x-ole-storage", "application/CDFV2"},
    ".xls": {"application/vnd.ms-excel", "application/x-ole-storage", "application/CDFV2"},
}
ALLOWED_TYPES = set().union(*EXTENSION_TYPES.values()) | {"image/svg+xml", "text/markdown"}
# Words for the reason shown to the uploader: what the file is, never libmagic's description of it
# ("ELF 64-bit LSB pie executable, x86-64…" tells a site team nothing), what its name promised, and
# what is accepted instead. Every extension above has its format's name, and every name is in
# ACCEPTED (evidence/tests/test_bad_input.py checks both). The words are translated when a reason is
# written, in the language active then (the uploader's: evidence.pipeline): the names of formats and
# ACCEPTED are marked for the catalogues (gettext_noop) and translated at use, the names of types are
# lazy. A format's own name (JPEG, Word…) is the same in every language; "plain text" is a word.
EXTENSION_FORMATS = {
    ".jpg": "JPEG",
    ".jpeg": "JPEG",
    ".png": "PNG",
    ".gif": "GIF",
    ".webp": "WebP",
    ".tif": "TIFF",
    ".tiff": "TIFF",
    ".heic": "HEIC",
    ".heif": "HEIC",
    ".pdf": "PDF",
    ".zip": "zip",
    ".geojson": "GeoJSON",
    ".json": "JSON",
    ".kml": "KML",
    ".gpx": "GPX",
    ".gpkg": "GeoPackage",
    ".csv": "CSV",
    ".txt": gettext_noop("plain text"),
    ".docx": "Word",
    ".xlsx": "Excel",
    ".pptx": "PowerPoint",
    ".odt": "OpenDocument",
    ".ods": "OpenDocument",
    ".doc": "Word",
    ".xls": "Excel",
}
TYPE_NAMES = {
    "image/jpeg": gettext_lazy("a JPEG image"),
    "image/png": gettext_lazy("a PNG image"),
    "image/gif": gettext_lazy("a GIF image"),
    "image/webp": gettext_lazy("a WebP image"),
    "image/tiff": gettext_lazy("a TIFF image"),
    "application/pdf": gettext_lazy("a PDF document"),
    "application/zip": gettext_lazy("a zip archive"),
    "text/plain": pgettext_lazy("what a file is", "plain text"),
    "text/csv": gettext_lazy("a CSV table"),
    "text/xml": gettext_lazy("an XML document"),
    "application/json": gettext_lazy("JSON"),
}
# By the first part of the type, for the rest.
FAMILY_NAMES = {
    "image": gettext_lazy("an image in a format not read here"),
    "audio": gettext_lazy("a sound recording"),
    "video": gettext_lazy("a video"),
    "font": gettext_lazy("a font"),
    "text": gettext_lazy("a text file of a kind not read here"),
}
ACCEPTED = gettext_noop(
    "Accepted: documents (PDF, Word, Excel, PowerPoint, OpenDocument, plain text, CSV, Markdown), images (JPEG, "
    "PNG, GIF, WebP, TIFF, HEIC, SVG), map data (GeoJSON, JSON, KML, GPX, GeoPackage) and zip archives (a "
    "zipped shapefile among them)."
)
SVG_ACTIVE = re.compile(rb"<script|\bon[a-z]+\s*=|javascript:|<foreignObject|<iframe|<embed|<object", re.I)


def sniff(path: str) -> tuple[str, str]:
    """(MIME type, libmagic's description) of the file's content."""
    return magic.from_file(path, mime=True), cut(magic.from_file(path), "evidence.EvidenceFacts", "description")


def check_allowed(path: str, original_filename: str, mime: str, description: str) -> None:
    """Raise `Unprocessable(rejected=True)` for content that may not be evidence."""
    ext = os.path.splitext(original_filename.lower())[1]
    if mime in EXECUTABLE_TYPES or description.startswith(("ELF ", "PE32", "MS-DOS executable", "Mach-O")):
        raise Unprocessable(
            error_codes.EXECUTABLE,
            _("The file is a program (software a computer runs), not %(expected)s: programs are not accepted.")
            % {"expected": _expected(ext)}
            + " "
            + _(ACCEPTED),
            rejected=True,
        )
    if mime in SCRIPT_TYPES:
        raise Unprocessable(
            error_codes.SCRIPT,
            _("The file is a script (a program written as text), not %(expected)s: scripts are not accepted.")
            % {"expected": _expected(ext)}
            + " "
            + _(ACCEPTED),
            rejected=True,
        )
    if mime in HTML_TYPES:
        raise Unprocessable(
            error_codes.HTML,
            _("The file is a web page (HTML), which could run code in a browser; save it as PDF."),
            rejected=True,
        )
    if mime == "image/svg+xml":
        with open(path, "rb") as handle:
            if SVG_ACTIVE.search(handle.read(5 * 1024 * 1024)):
                raise Unprocessable(
                    error_codes.SVG_SCRIPT,
                    _("The SVG image contains scripts or event handlers; export it as PNG or PDF instead."),
                    rejected=True,
                )
    expected = EXTENSION_TYPES.get(ext)
    if expected is not None and mime not in expected:
        raise Unprocessable(
            error_codes.TYPE_MISMATCH,
            _(
                "The name ends in '%(extension)s' but the file is %(kind)s: give it the ending of what it is, or "
                "send %(expected)s."
            )
            % {"extension": ext, "kind": _kind(mime), "expected": _expected(ext)},
            rejected=True,
        )
    if mime not in ALLOWED_TYPES:
        raise Unprocessable(
            error_codes.TYPE_NOT_ALLOWED,
            _("The file is %(kind)s, which is not accepted as evidence.") % {"kind": _kind(mime)} + " " + _(ACCEPTED),
            rejected=True,
        )


def _expected(ext: str) -> str:
    """What a file named so should be, in words (of the active language)."""
    if ext not in EXTENSION_FORMATS:
        return _("a document")
    return _("a %(format)s file") % {"format": _(EXTENSION_FORMATS[ext])}


def _kind(mime: str) -> str:
    """What a file of this type is, in words (of the active language)."""
    name = TYPE_NAMES.get(mime) or FAMILY_NAMES.get(mime.split("/")[0])
    return str(name) if name is not None else _("a file of a type the platform does not read")
