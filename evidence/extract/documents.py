"""PDF, office documents and plain text: page count and text for search."""

from __future__ import annotations

import re
import zipfile
from xml.etree import ElementTree  # noqa: S405 - only our own zip members, parsed without entities below

from django.conf import settings
from django.utils.translation import gettext as _
from pypdf import PdfReader
from pypdf.errors import FileNotDecryptedError, PdfReadError, PyPdfError

from .. import error_codes
from ..choices import Kind
from . import Draft, Unprocessable

# What is kept of a PDF's own title (shown with the item's facts; a title can be any length).
PDF_TITLE_MAX = 300

TAG = re.compile(r"<[^>]+>")
OFFICE_TEXT_PARTS = {
    "docx": ("word/document.xml",),
    "pptx": ("ppt/slides/",),
    "xlsx": ("xl/sharedStrings.xml",),
    "odt": ("content.xml",),
    "ods": ("content.xml",),
}


def _limit(text: str) -> str:
    return text[: settings.EVIDENCE_TEXT_MAX_CHARS]


def read_pdf(path: str, draft: Draft) -> None:
    draft.kind = Kind.PDF
    try:
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted:
            # Many PDFs are "encrypted" with an empty password only to forbid printing: readable.
            try:
                if not reader.decrypt(""):
                    raise FileNotDecryptedError("password required")
            except (FileNotDecryptedError, NotImplementedError):
                raise Unprocessable(
                    error_codes.PDF_ENCRYPTED,
                    _("The PDF is protected by a password, so reviewers could not open it; upload it without one."),
                )
        pages = reader.pages
        draft.page_count = len(pages)
        texts, total = [], 0
        for page in pages:
            if total >= settings.EVIDENCE_TEXT_MAX_CHARS:
                break
            piece = page.extract_text() or ""
            texts.append(piece)
            total += len(piece)
        draft.text = _limit("\n".join(texts).replace("\x00", ""))
        info = reader.metadata
        if info and info.title:
            draft.details["pdf_title"] = str(info.title)[:PDF_TITLE_MAX]
    except Unprocessable:
        raise
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError) as exc:
        raise Unprocessable(
            error_codes.PDF_CORRUPT, _("The PDF is damaged and cannot be read (%(error)s).") % {"error": exc}
        )
    except RecursionError:
        raise Unprocessable(error_codes.PDF_CORRUPT, _("The PDF is damaged: its structure loops on itself."))
    if draft.page_count == 0:
        raise Unprocessable(error_codes.PDF_CORRUPT, _("The PDF has no pages."))


def read_office(path: str, ext: str, draft: Draft) -> None:
    """Text from OOXML/ODF documents (zips of XML); legacy binary formats are kept without text."""
    draft.kind = Kind.OFFICE
    parts = OFFICE_TEXT_PARTS.get(ext.lstrip("."))
    if not parts:
        return
    try:
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist() if n.startswith(parts) and n.endswith(".xml")]
            texts, total = [], 0
            for name in sorted(names):
                info = archive.getinfo(name)
                if info.file_size > 50 * 1024 * 1024:
                    raise Unprocessable(error_codes.ARCHIVE_BOMB, _("The document's text part is implausibly large."))
                xml = archive.read(name).decode("utf-8", "replace")
                piece = TAG.sub(" ", xml)
                texts.append(re.sub(r"\s+", " ", piece))
                total += len(piece)
                if total > settings.EVIDENCE_TEXT_MAX_CHARS:
                    break
            draft.text = _limit("\n".join(texts)).strip()
            if "docProps/app.xml" in archive.namelist():
                pages = re.search(rb"<Pages>(\d+)</Pages>", archive.read("docProps/app.xml"))
                if pages:
                    draft.page_count = int(pages.group(1))
    except (zipfile.BadZipFile, OSError, ElementTree.ParseError, EOFError) as exc:
        raise Unprocessable(
            error_codes.OFFICE_CORRUPT, _("The document is damaged and cannot be read (%(error)s).") % {"error": exc}
        )


def read_text(path: str, draft: Draft) -> None:
    draft.kind = Kind.TEXT
    with open(path, "rb") as handle:
        raw = handle.read(settings.EVIDENCE_TEXT_MAX_CHARS * 2)
    draft.text = _limit(raw.decode("utf-8", "replace").replace("\x00", ""))
