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
from PIL import Image, ImageFile, UnidentifiedImageError

from core.errors import DomainError

from . import error_codes

ALLOWED = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
# Names in a PDF that make it run or carry something (ISO 32000: JavaScript and JS actions, Launch
# actions, embedded files, rich media); found anywhere in the file, the file is refused.
_PDF_ACTIVE = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFiles?|RichMedia)\b")
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


def _image(data: bytes, kind: str, name: str) -> bytes:
    max_pixels = settings.GREENLIST_CONCERN_IMAGE_MAX_PIXELS
    hostile = _refuse(
        error_codes.CONCERN_ATTACHMENT_HOSTILE,
        _("“%(name)s” is damaged or too large to open safely.") % {"name": name},
    )
    before = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False  # a truncated file fails (WeasyPrint turns this on globally)
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
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = before
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
            _("Attach at most %(count)d files.") % {"count": settings.GREENLIST_CONCERN_ATTACHMENTS},
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
                    _("“%(name)s” is a PDF with scripts or embedded files; send a plain PDF.") % {"name": name},
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
