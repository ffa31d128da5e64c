"""Zooms 0 to STORED_MAX_ZOOM made when areas are written, not per request (issue 19).

A tile of those zooms draws a country or more: at world scale (300,000 areas) PostGIS reads
thousands of overview boundaries and tens of thousands of cells for it, which took 0.2-2 s cold, over
the 300 ms a map may wait. There are only 1,365 such tiles (most of them sea), so the importer makes
them, in about 80 s for all of them at 300,000 areas: `refresh(boxes)` remakes the
tiles covering the boxes of the areas an import changed (where they were and where they are, as
tile_cache forgets them), `rebuild()` all of them after bulk loads. Requests read one row
(selectors.tile_raw); a tile never made (a database nothing was imported into yet) is drawn live.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection, transaction
from django.utils import timezone

from . import map_cells, tile_render
from .models import LowZoomTile
from .tile_cache import Box, tile_range

STORED_MAX_ZOOM = 5
# One import remakes the tiles at a time: a second waits, then draws from what the first committed
# (two interleaved could otherwise store a tile drawn before the other's areas were visible).
_LOCK_KEY = 19_0004

Tile = tuple[int, int, int]


def stored(z: int, x: int, y: int) -> bytes | None:
    """The stored tile (b"" when nothing is there), or None when it was never made."""
    data = LowZoomTile.objects.filter(z=z, x=x, y=y).values_list("data", flat=True).first()
    return None if data is None else bytes(data)


def covering(boxes: Iterable[Box]) -> list[Tile]:
    """The stored zooms' tiles whose drawing (with its buffer) meets any of `boxes`."""
    tiles: set[Tile] = set()
    for box in boxes:
        for z in range(STORED_MAX_ZOOM + 1):
            x0, y0, x1, y1 = tile_range(box, z)
            tiles.update((z, x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1))
    return sorted(tiles)


def one_writer_at_a_time() -> None:
    """Wait, inside the caller's transaction, until no other transaction is remaking the generalised
    layers (cells and these tiles). Taken before the cells change: two imports whose cell rewrites
    overlapped would insert the same cells (a unique violation after the first commits)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])


def _make(tiles: Iterable[Tile]) -> int:
    made = 0
    with transaction.atomic(), connection.cursor() as cursor:
        one_writer_at_a_time()  # re-entrant: already held when called through tiles_data_changed
        now = timezone.now()
        for z, x, y in tiles:
            cursor.execute(
                "INSERT INTO protected_areas_lowzoomtile (z, x, y, data, made_at) VALUES (%s, %s, %s, %s, %s) "
                "ON CONFLICT (z, x, y) DO UPDATE SET data = EXCLUDED.data, made_at = EXCLUDED.made_at",
                [z, x, y, tile_render.render(z, x, y, made_ahead=True), now],
            )
            made += 1
    return made


def refresh(boxes: Sequence[Box]) -> int:
    """Remake the stored tiles covering `boxes` (west, south, east, north in degrees); how many.
    The caller has made the overviews (map_updates.remake_under)."""
    return _make(covering(boxes)) if boxes else 0


def every_tile() -> list[Tile]:
    return [(z, x, y) for z in range(STORED_MAX_ZOOM + 1) for x in range(2**z) for y in range(2**z)]


def rebuild() -> int:
    """Remake every stored tile (after loads that bypass the importer: benchmarks, restores)."""
    map_cells.refresh_overviews()
    return _make(every_tile())
