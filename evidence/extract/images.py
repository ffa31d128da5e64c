"""Images: EXIF capture time, camera, GPS; a thumbnail; a display copy without metadata.

EXIF is read by Pillow from the image it opens anyway for the thumbnail (the EXIF block is already
in memory: no second parse of the file); when Pillow finds none (formats it does not read EXIF
from), ExifRead reads the file (it also decodes the maker notes of the common brands). No library on
PyPI decodes the Reconyx HyperFire maker note, where those trail cameras keep their only date, so
`_reconyx_datetime` reads that one documented field (layout as in ExifTool's Reconyx.pm).
"""

from __future__ import annotations

import contextlib
import datetime
import io
import struct

import exifread
from django.conf import settings
from django.contrib.gis.geos import Point
from django.utils.translation import gettext as _
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from core.limits import cut

from .. import error_codes, thumbnails
from ..choices import Kind
from . import Draft, Unprocessable, number

# Where the camera's make and model are kept (their limits are its fields').
FACTS = "evidence.EvidenceFacts"

THUMBNAIL_PX = 320
DISPLAY_PX = 1600
EXIF_FORMAT = "%Y:%m:%d %H:%M:%S"
# EXIF tag numbers (Pillow's ExifTags): IFD0 make and model, the Exif and GPS sub-IFDs, and in the
# Exif IFD the capture dates and the maker note.
MAKE, MODEL, EXIF_IFD, GPS_IFD = 0x010F, 0x0110, 0x8769, 0x8825
DATETIME_ORIGINAL, DATETIME_DIGITIZED, MAKER_NOTE = 0x9003, 0x9004, 0x927C

try:  # HEIC/HEIF when pillow-heif is installed (optional: it ships a large native library).
    from pillow_heif import register_heif_opener

    register_heif_opener()
except ImportError:  # pragma: no cover - optional dependency
    pass


def read_image(path: str, draft: Draft, *, make_display: bool) -> None:
    """Fill `draft` from the image at `path`; raise `Unprocessable` for broken or hostile files."""
    draft.kind = Kind.IMAGE
    max_pixels = settings.EVIDENCE_MAX_IMAGE_PIXELS
    # Opening reads only the header; the size is checked here, before anything is decoded, so
    # Pillow's own guard (a warning, then an error at twice its limit) is not needed.
    Image.MAX_IMAGE_PIXELS = None
    exif_read = False
    try:
        with Image.open(path) as im:
            width, height = im.size
            draft.width, draft.height = width, height
            if width * height > max_pixels:
                raise Image.DecompressionBombError(f"{width}×{height}")
            frames = getattr(im, "n_frames", 1)  # only multi-frame formats have it
            if frames > 1 and width * height * frames > max_pixels:
                raise Image.DecompressionBombError("frames")  # animated or multi-page: all frames count
            # After the size check: for some formats (PNG) Pillow decodes the image to find EXIF.
            exif_read = _read_pillow_exif(im, draft)
            if not exif_read:
                _read_file_exif(path, draft)
                exif_read = True
            if make_display:
                # Decoded once, at display size; the thumbnails are made from the display copy.
                decoded = _decoded(im, DISPLAY_PX)
                draft.display = _jpeg(decoded, DISPLAY_PX, quality=85)
            else:
                decoded = _decoded(im, max(thumbnails.WIDTHS))
            draft.variants = {w: _webp(decoded, w) for w in thumbnails.WIDTHS}
            draft.thumbnail = _jpeg(decoded, THUMBNAIL_PX, quality=80, last=True)
    except Image.DecompressionBombError:
        raise Unprocessable(
            error_codes.IMAGE_TOO_MANY_PIXELS,
            _(
                "The image is %(width)s × %(height)s pixels; the limit is %(limit)s pixels (a file this large could "
                "exhaust the server's memory)."
            )
            % {"width": number(draft.width or 0), "height": number(draft.height or 0), "limit": number(max_pixels)},
        )
    except UnidentifiedImageError:
        raise Unprocessable(error_codes.IMAGE_CORRUPT, _("The image is damaged: its data is not a valid image."))
    except (OSError, SyntaxError, ValueError, struct.error, EOFError) as exc:
        raise Unprocessable(
            error_codes.IMAGE_CORRUPT, _("The image is damaged or truncated (%(error)s).") % {"error": exc}
        )
    finally:
        if not exif_read:  # Pillow could not open it: the facts ExifRead finds are still kept
            _read_file_exif(path, draft)


@contextlib.contextmanager
def _truncated_images_fail():
    """A truncated file must fail, not be silently padded with grey. Pillow's switch is global,
    and WeasyPrint turns it on when it is imported (weasyprint/images.py), so a worker that had
    rendered a certificate PDF accepted truncated photos: it is set here, around each decode."""
    before = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        yield
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = before


def _decoded(im: Image.Image, px: int) -> Image.Image:
    """The image decoded (a truncated file fails here), upright, in RGB or L. draft() lets the
    JPEG decoder scale down by up to 8 while decoding, to no less than `px` (the thumbnail asks
    for twice its size: Pillow's own reducing gap, so quality is as with a full decode)."""
    im.draft("RGB", (px, px))
    with _truncated_images_fail():
        im.load()
    ImageOps.exif_transpose(im, in_place=True)  # the opened image is ours: no copy needed
    return im.convert("RGB") if im.mode not in ("RGB", "L") else im


def _jpeg(im: Image.Image, px: int, *, quality: int, last: bool = False) -> bytes:
    """A JPEG no larger than px × px that carries no metadata: no EXIF (GPS, camera serial), XMP,
    ICC profile or comment. Pillow writes `im.info["comment"]` (a JPEG COM segment, often a
    name or a note) unless told otherwise, so the info is dropped and the comment set empty.
    `last`: nothing else needs `im`, so it is shrunk in place."""
    small = im.copy() if max(im.size) > px and not last else im
    small.thumbnail((px, px))
    small.info = {}
    out = io.BytesIO()
    small.save(out, "JPEG", quality=quality, comment=b"", exif=b"")
    return out.getvalue()


def _webp(im: Image.Image, px: int) -> bytes:
    """A WebP no larger than px × px, without metadata (no EXIF, XMP or ICC profile), for srcset
    (evidence.thumbnails): about a third of a JPEG's bytes at the same look."""
    small = im.copy()
    small.thumbnail((px, px))
    small.info = {}
    out = io.BytesIO()
    small.save(out, thumbnails.FORMAT, quality=75, method=4)
    return out.getvalue()


def _read_file_exif(path: str, draft: Draft) -> None:
    with open(path, "rb") as handle:
        _read_exif(handle, draft)


def _read_pillow_exif(im: Image.Image, draft: Draft) -> bool:
    """EXIF from the opened image; False when Pillow finds none (ExifRead then reads the file)."""
    try:
        exif = im.getexif()
        if not exif:
            return False
        sub = exif.get_ifd(EXIF_IFD)
        gps = exif.get_ifd(GPS_IFD)
    except Exception:  # noqa: BLE001 - a damaged EXIF block: ExifRead may still read it
        return False
    draft.camera_make = cut(_value(exif.get(MAKE)), FACTS, "camera_make")
    draft.camera_model = cut(_value(exif.get(MODEL)), FACTS, "camera_model")
    when = _value(sub.get(DATETIME_ORIGINAL)) or _value(sub.get(DATETIME_DIGITIZED))
    note = sub.get(MAKER_NOTE)
    _set_date(draft, when, lambda: _reconyx_note(note if isinstance(note, bytes) else b""))
    if gps:
        point = _point(
            gps.get(2), gps.get(4), _value(gps.get(1)), _value(gps.get(3))
        )  # GPSLatitude, GPSLongitude, their N/S and E/W refs
        if point is not None:
            draft.position = point
    return True


def _read_exif(handle, draft: Draft) -> None:
    try:
        tags = exifread.process_file(handle, details=False)
    except Exception:  # noqa: BLE001 - ExifRead raises bare errors on odd files; EXIF is optional
        return
    if not tags:
        return
    draft.camera_make = cut(_text(tags.get("Image Make")), FACTS, "camera_make")
    draft.camera_model = cut(_text(tags.get("Image Model")), FACTS, "camera_model")
    when = _text(tags.get("EXIF DateTimeOriginal")) or _text(tags.get("EXIF DateTimeDigitized"))

    def from_note():
        handle.seek(0)
        return _reconyx_datetime(handle)

    _set_date(draft, when, from_note)
    point = _gps(tags)
    if point is not None:
        draft.position = point


def _set_date(draft: Draft, when: str, from_maker_note) -> None:
    captured = _parse_exif_datetime(when)
    if captured is None:
        captured = from_maker_note()
        if captured is not None:
            draft.details["date_source"] = "maker note (Reconyx)"
    elif when:
        draft.details["date_source"] = "EXIF DateTimeOriginal"
    if captured is not None:
        draft.captured_at = captured
        draft.dates.append(captured.date())


def _value(value) -> str:
    """A Pillow EXIF value as the text ExifRead would give (ASCII tags, NULs and blanks trimmed)."""
    if value is None:
        return ""
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    return str(value).strip().strip("\x00").strip()


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
    return _reconyx_note(bytes(note.values) if isinstance(note.values, list) else b"")


def _reconyx_note(raw: bytes) -> datetime.datetime | None:
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
    return _point(lat.values, lon.values, _text(tags.get("GPS GPSLatitudeRef")), _text(tags.get("GPS GPSLongitudeRef")))


def _point(lat, lon, lat_ref: str, lon_ref: str) -> Point | None:
    if lat is None or lon is None:
        return None
    try:
        y = _degrees(lat)
        x = _degrees(lon)
    except (TypeError, ValueError, ZeroDivisionError, IndexError):
        return None
    if lat_ref.upper().startswith("S"):
        y = -y
    if lon_ref.upper().startswith("W"):
        x = -x
    if not (-90 <= y <= 90 and -180 <= x <= 180) or (x == 0 and y == 0):
        return None  # an empty GPS block (Canon 40D) or nonsense (NaN from a zero denominator)
    return Point(x, y, srid=4326)


def _degrees(values) -> float:
    d, m, s = (float(v.num) / float(v.den) if hasattr(v, "den") else float(v) for v in values[:3])
    return d + m / 60 + s / 3600
