"""Images in sizes fit for the screen (issue 17): the worker makes each image's thumbnail in a few
widths (WebP, no metadata) beside the JPEG thumbnail it always made; pages offer them with srcset,
so a phone on a slow link fetches a 160 px picture for a 96 px slot and a wide screen a sharper one.

One home for the variants' names and URLs. Files: `derived/<assessment>/<item>/w<width>-<v>.webp`
beside `thumb-<v>.jpg`, where `<v>` is the start of the file's SHA-256. The URL names the width and
`v` (`?w=480&v=…`), so it changes when the file does: such a URL may be kept by the person's browser
for a year (`private`: still behind the item's permission check, never in a shared cache).
"""

from __future__ import annotations

import posixpath

WIDTHS = (160, 480, 1024)
# What the pages' 96 px thumbnails use as `src` (browsers without srcset, and the first guess).
DEFAULT_WIDTH = 160
IMMUTABLE = "private, max-age=31536000, immutable"
FORMAT = "WEBP"
CONTENT_TYPE = "image/webp"


def version(thumbnail_name: str) -> str:
    """`<v>` of `…/thumb-<v>.jpg` ("" for a name of another shape)."""
    stem = posixpath.splitext(posixpath.basename(thumbnail_name))[0]
    return stem.removeprefix("thumb-") if stem.startswith("thumb-") else ""


def variant_name(thumbnail_name: str, width: int) -> str:
    return posixpath.join(posixpath.dirname(thumbnail_name), f"w{width}-{version(thumbnail_name)}.webp")


def variant_names(thumbnail_name: str) -> list[str]:
    return [variant_name(thumbnail_name, w) for w in WIDTHS] if version(thumbnail_name) else []


def sized_urls(url: str, thumbnail_name: str) -> tuple[str, str]:
    """(`src`, `srcset`) for the thumbnail at `url` (the permission-checked page URL)."""
    v = version(thumbnail_name)
    if not v:
        return url, ""
    srcset = ", ".join(f"{url}?w={w}&v={v} {w}w" for w in WIDTHS)
    return f"{url}?w={DEFAULT_WIDTH}&v={v}", srcset
