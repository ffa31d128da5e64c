"""The files a member of the public sends with a concern: checked before anything is stored.

Allowed: PDF, JPEG and PNG, judged from the bytes (libmagic), never from the name or the type the
browser claimed; at most GREENLIST_CONCERN_ATTACHMENTS files of GREENLIST_CONCERN_ATTACHMENT_BYTES
each. Images are opened by Pillow with their size checked before any decoding (a decompression
bomb is refused, as in evidence.extract.images), decoded whole (a truncated or damaged image is
refused) and re-encoded: what is kept is our own copy, without the EXIF block (a phone photo's GPS
position could name the raiser). A PDF that carries scripts, launch actions or embedded files is
refused. Stored files are private (evidence.storage) and leave only through
concerns.views.attachment / the API, after the permission check.
"""

from __future__ import annotations

import io
import re
import uuid
from dataclasses import dataclass

import magic
from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from PIL import Image, UnidentifiedImageError

from core.errors import DomainError

from . import error_codes

ALLOWED = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
# Names in a PDF that make it run or carry something (ISO 32000: JavaScript and JS actions, Launch,
# open and additional actions, embedded files, rich media, XFA forms), and what could hide them from
# a byte search: compressed object streams (/ObjStm) and names written with #xx escapes
# (/J#61vaScript is /JavaScript). Found anywhere in the file, the file is refused: the platform's
# practice is to take plain PDFs only, not to parse hostile ones.
_PDF_ACTIVE = re.compile(
    rb"/(ObjStm|OpenAction|AA|Launch|EmbeddedFiles?|JavaScript|JS|RichMedia|XFA)(?![A-Za-z0-9])"
    rb"|/[A-Za-z]*#[0-9A-Fa-f]{2}"
)
ORIGINAL_NAME_MAX = 200


@dataclass
class CheckedFile:
    content: ContentFile
    original_filename: str
    content_type: str
    size: int


def _refuse(code: str, message: str) -> DomainError:
    return DomainError(code, message, field="attachments")


def _read(upload) -> bytes:
    limit = settings.GREENLIST_CONCERN_ATTACHMENT_BYTES
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise _too_large(upload.name, limit)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise _too_large(upload.name, limit)
    return data


def _too_large(name: str, limit: int) -> DomainError:
    return _refuse(
        error_codes.CONCERN_ATTACHMENT_TOO_LARGE,
        _("“%(name)s” is larger than %(megabytes)d MB.") % {"name": name, "megabytes": max(1, limit // 1_000_000)},
    )


_PNG_END = b"IEND\xaeB`\x82"
_JPEG_END = b"\xff\xd9"


def _complete(data: bytes, kind: str) -> bool:
    """Whether the image's bytes run to its end marker (and, for a PNG, every chunk's checksum holds)."""
    if kind == "jpg":
        return data.rstrip(b"\x00\r\n\t ").endswith(_JPEG_END)
    if _PNG_END not in data[-64:]:
        return False
    try:
        with Image.open(io.BytesIO(data)) as im:
            im.verify()  # reads every chunk to IEND, checking CRCs; decodes nothing
    except Exception:  # noqa: BLE001 - any failure to verify is a damaged file
        return False
    return True


def _image(data: bytes, kind: str, name: str) -> bytes:
    max_pixels = settings.GREENLIST_CONCERN_IMAGE_MAX_PIXELS
    hostile = _refuse(
        error_codes.CONCERN_ATTACHMENT_HOSTILE,
        _("“%(name)s” is damaged or too large to open safely.") % {"name": name},
    )
    # A truncated file must fail. Pillow's switch for that, ImageFile.LOAD_TRUNCATED_IMAGES, is
    # process-wide (WeasyPrint turns it on) and not ours to flip while other threads decode: each
    # image is judged on its own bytes instead (its end marker; a PNG's chunk checksums).
    if not _complete(data, kind):
        raise hostile
    try:
        with Image.open(io.BytesIO(data)) as im:
            width, height = im.size
            # Checked from the header, before anything is decoded.
            if width * height > max_pixels or getattr(im, "n_frames", 1) > 1:
                raise hostile
            im.load()
            image = im.convert("RGB") if kind == "jpg" or im.mode not in ("RGB", "RGBA", "L", "LA", "P") else im.copy()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError):
        raise hostile
    out = io.BytesIO()
    if kind == "jpg":
        image.save(out, format="JPEG", quality=90)
    else:
        image.save(out, format="PNG")
    return out.getvalue()


def check_files(uploads: list) -> list[CheckedFile]:
    """The uploads as files fit to keep, or a DomainError naming the first one refused."""
    uploads = [u for u in uploads if u is not None]
    if len(uploads) > settings.GREENLIST_CONCERN_ATTACHMENTS:
        raise _refuse(
            error_codes.CONCERN_ATTACHMENT_TOO_MANY,
            ngettext(
                "Attach at most %(count)d file.",
                "Attach at most %(count)d files.",
                settings.GREENLIST_CONCERN_ATTACHMENTS,
            )
            % {"count": settings.GREENLIST_CONCERN_ATTACHMENTS},
        )
    checked = []
    for upload in uploads:
        name = (getattr(upload, "name", "") or "file")[-ORIGINAL_NAME_MAX:]
        data = _read(upload)
        sniffed = magic.from_buffer(data[:4096], mime=True) if data else "application/x-empty"
        kind = ALLOWED.get(sniffed)
        if kind is None:
            raise _refuse(
                error_codes.CONCERN_ATTACHMENT_TYPE,
                _("“%(name)s” is not a PDF, JPEG or PNG file.") % {"name": name},
            )
        if kind == "pdf":
            if _PDF_ACTIVE.search(data):
                raise _refuse(
                    error_codes.CONCERN_ATTACHMENT_HOSTILE,
                    _(
                        "“%(name)s” is a PDF with scripts, actions, embedded files or compressed objects; "
                        "send a plain PDF."
                    )
                    % {"name": name},
                )
        else:
            data = _image(data, kind, name)
        checked.append(
            CheckedFile(
                content=ContentFile(data, name=f"{uuid.uuid4().hex}.{kind}"),
                original_filename=name,
                content_type=sniffed,
                size=len(data),
            )
        )
    return checked
