"""Images: EXIF capture time, camera, GPS; a thumbnail; a display copy without metadata.

EXIF is read with ExifRead (it also decodes the maker notes of the common brands). No library on
PyPI decodes the Reconyx HyperFire maker note, where those trail cameras keep their only date, so
`_reconyx_datetime` reads that one documented field (layout as in ExifTool's Reconyx.pm).
"""

from __future__ import annotations

import datetime
import io
import struct

import exifread
from django.conf import settings
from django.contrib.gis.geos import Point
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from .. import error_codes
from . import Draft, Unprocessable

# A truncated file must fail, not be silently padded with grey.
ImageFile.LOAD_TRUNCATED_IMAGES = False

THUMBNAIL_PX = 320
DISPLAY_PX = 1600
EXIF_FORMAT = "%Y:%m:%d %H:%M:%S"

try:  # HEIC/HEIF when pillow-heif is installed (optional: it ships a large native library).
    from pillow_heif import register_heif_opener

    register_heif_opener()
except ImportError:  # pragma: no cover - optional dependency
    pass


def read_image(path: str, draft: Draft, *, make_display: bool) -> None:
    """Fill `draft` from the image at `path`; raise `Unprocessable` for broken or hostile files."""
    draft.kind = "image"
    with open(path, "rb") as handle:
        _read_exif(handle, draft)
    max_pixels = settings.EVIDENCE_MAX_IMAGE_PIXELS
    # Opening reads only the header; the size is checked here, before anything is decoded, so
    # Pillow's own guard (a warning, then an error at twice its limit) is not needed.
    Image.MAX_IMAGE_PIXELS = None
    try:
        with Image.open(path) as im:
            width, height = im.size
            draft.width, draft.height = width, height
            if width * height > max_pixels:
                raise Image.DecompressionBombError(f"{width}×{height}")
            if getattr(im, "n_frames", 1) > 1 and width * height * im.n_frames > max_pixels:
                raise Image.DecompressionBombError("frames")  # animated or multi-page: all frames count
            draft.thumbnail = _thumbnail(im)
            if make_display:
                draft.display = _display_copy(path)
    except Image.DecompressionBombError:
        raise Unprocessable(
            error_codes.IMAGE_TOO_MANY_PIXELS,
            f"The image is {draft.width:,} × {draft.height:,} pixels; the limit is {max_pixels:,} pixels "
            "(a file this large could exhaust the server's memory).",
        )
    except UnidentifiedImageError:
        raise Unprocessable(error_codes.IMAGE_CORRUPT, "The image is damaged: its data is not a valid image.")
    except (OSError, SyntaxError, ValueError, struct.error, EOFError) as exc:
        raise Unprocessable(error_codes.IMAGE_CORRUPT, f"The image is damaged or truncated ({exc}).")


def _thumbnail(im: Image.Image) -> bytes:
    # draft() lets the JPEG decoder scale down while decoding (much faster, less memory).
    im.draft("RGB", (THUMBNAIL_PX * 2, THUMBNAIL_PX * 2))
    im.load()  # decodes everything: a truncated file fails here
    small = ImageOps.exif_transpose(im)
    small = small.convert("RGB") if small.mode not in ("RGB", "L") else small
    small.thumbnail((THUMBNAIL_PX, THUMBNAIL_PX))
    out = io.BytesIO()
    small.save(out, "JPEG", quality=80)  # no exif= argument: the thumbnail carries no metadata
    return out.getvalue()


def _display_copy(path: str) -> bytes:
    """A re-encoded copy for display with no EXIF/XMP (no GPS) for sensitive items."""
    with Image.open(path) as im:
        im.draft("RGB", (DISPLAY_PX, DISPLAY_PX))
        copy = ImageOps.exif_transpose(im)
        copy = copy.convert("RGB") if copy.mode not in ("RGB", "L") else copy
        copy.thumbnail((DISPLAY_PX, DISPLAY_PX))
        out = io.BytesIO()
        copy.save(out, "JPEG", quality=85)
        return out.getvalue()


def _read_exif(handle, draft: Draft) -> None:
    try:
        tags = exifread.process_file(handle, details=False)
    except Exception:  # noqa: BLE001 - ExifRead raises bare errors on odd files; EXIF is optional
        return
    if not tags:
        return
    draft.camera_make = _text(tags.get("Image Make"))[:120]
    draft.camera_model = _text(tags.get("Image Model"))[:120]
    when = _text(tags.get("EXIF DateTimeOriginal")) or _text(tags.get("EXIF DateTimeDigitized"))
    captured = _parse_exif_datetime(when)
    if captured is None:
        handle.seek(0)
        captured = _reconyx_datetime(handle)
        if captured is not None:
            draft.details["date_source"] = "maker note (Reconyx)"
    elif when:
        draft.details["date_source"] = "EXIF DateTimeOriginal"
    if captured is not None:
        draft.captured_at = captured
        draft.dates.append(captured.date())
    point = _gps(tags)
    if point is not None:
        draft.position = point


def _text(tag) -> str:
    return str(tag.values).strip().strip("\x00").strip() if tag is not None else ""


def _parse_exif_datetime(value: str) -> datetime.datetime | None:
    if not value or value.startswith("0000"):
        return None
    try:
        naive = datetime.datetime.strptime(value[:19], EXIF_FORMAT)  # noqa: DTZ007 - EXIF has no zone
    except ValueError:
        return None
    # EXIF times are the camera's local clock with no zone; we store them as UTC wall time and say
    # so on the badge, rather than guess the site's zone.
    return naive.replace(tzinfo=datetime.UTC)


def _reconyx_datetime(handle) -> datetime.datetime | None:
    try:
        tags = exifread.process_file(handle, details=True)
    except Exception:  # noqa: BLE001
        return None
    note = tags.get("EXIF MakerNote")
    if note is None:
        return None
    raw = bytes(note.values) if isinstance(note.values, list) else b""
    # HyperFire: int16u little-endian words; word 0 is the version 0xF101, words 11-16 are
    # second, minute, hour, month, day, year.
    if len(raw) < 34 or struct.unpack_from("<H", raw, 0)[0] != 0xF101:
        return None
    sec, minute, hour, month, day, year = struct.unpack_from("<6H", raw, 22)
    try:
        return datetime.datetime(year, month, day, hour, minute, sec, tzinfo=datetime.UTC)
    except ValueError:
        return None


def _gps(tags) -> Point | None:
    lat, lon = tags.get("GPS GPSLatitude"), tags.get("GPS GPSLongitude")
    if lat is None or lon is None:
        return None
    try:
        y = _degrees(lat.values)
        x = _degrees(lon.values)
    except (TypeError, ValueError, ZeroDivisionError, IndexError):
        return None
    if _text(tags.get("GPS GPSLatitudeRef")).upper().startswith("S"):
        y = -y
    if _text(tags.get("GPS GPSLongitudeRef")).upper().startswith("W"):
        x = -x
    if not (-90 <= y <= 90 and -180 <= x <= 180) or (x == 0 and y == 0):
        return None  # an empty GPS block (Canon 40D) or nonsense
    return Point(x, y, srid=4326)


def _degrees(values) -> float:
    d, m, s = (float(v.num) / float(v.den) if hasattr(v, "den") else float(v) for v in values[:3])
    return d + m / 60 + s / 3600
