"""Readers that turn the bytes of one evidence file into facts. Pure: no database, no storage.

Each reader raises `Unprocessable` with a stable code (see `error_codes`) and a message for the
uploader when the file is refused or broken; anything else escaping a reader is a bug. The message
is written in the active language: the pipeline makes it the uploader's while it reads their file.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from core.text import localized_number as number  # noqa: F401  (the readers' messages: one home with the pages')


class Unprocessable(Exception):
    """The file cannot become evidence: `rejected` for content that is not allowed at all,
    otherwise an allowed type that is broken, hostile or unreadable."""

    def __init__(self, code: str, message: str, *, rejected: bool = False):
        super().__init__(message)
        self.code = code
        self.message = message
        self.rejected = rejected


@dataclass
class Draft:
    """Facts found so far; `services` writes them to `EvidenceFacts` in one go."""

    kind: str = "unknown"
    mime_type: str = ""
    description: str = ""
    page_count: int | None = None
    text: str = ""
    captured_at: datetime.datetime | None = None
    camera_make: str = ""
    camera_model: str = ""
    width: int | None = None
    height: int | None = None
    position: Any = None  # GEOS Point, EPSG:4326
    geometry: Any = None  # GEOS GeometryCollection, EPSG:4326
    feature_count: int | None = None
    raster_stats: dict | None = None
    camera_trap: dict | None = None
    details: dict = field(default_factory=dict)
    thumbnail: bytes | None = None
    display: bytes | None = None
    # The thumbnail in evidence.thumbnails.WIDTHS, by width (WebP), for pages' srcset.
    variants: dict[int, bytes] = field(default_factory=dict)
    # The dates the evidence is about (EXIF capture, track times, detections), for the period check.
    dates: list[datetime.date] = field(default_factory=list)
