"""Keeping the public map true when protected areas change (issue 19): the one place that does it.

A tile shows an area's shape and its name, IUCN category and WDPA id (tile_render), and four layers
are made from those ahead of requests: the areas' overview boundaries and the cells of small areas
(map_cells), the stored low-zoom tiles (low_zoom_tiles) and the Redis tile cache (tile_cache); the
map also opens on a cached extent. Whoever writes an area must remake the first three and forget the
others, where the area was and where it is now, or the map keeps showing the old shape. (The
database itself deletes the overview of an area whose display boundary changed: map_cells makes
the overviews of every area without one, wherever it is.)

- The importer changes many areas at once in set-based SQL and names the boxes it touched
  (services.tiles_data_changed), which calls `remake_under`: for the browser's imports in a follow-up
  task on the heavy queue, queued once the import committed (tasks.refresh_protected_area_maps), so
  that the import's own time is the import's work; for the command line and other direct callers
  before the import returns.
- Every write through the ORM (the assessment package import in reports, `manage.py shell`,
  fixtures, any form to come) is seen by signals.py, which hands the area's box before the write
  and after it to `changed_on_commit`. Once the writer commits, the cached tiles under the boxes are
  forgotten at once (closer zooms are drawn live: right from the next request), and the cells and
  stored low zooms are remade on the heavy queue: at world scale a box's stored tiles take seconds
  (its zoom-0 tile draws the whole world), which a request should not wait for.
- QuerySet.update() and raw SQL send no signal: a writer using them for a field a tile shows
  (TILE_FIELDS) calls `changed_on_commit` with `boxes_of` its areas, before and after the write.
- Whatever is missed (a writer that forgot that, the broker down at commit, a worker gone) is put
  right by beat's sweep within ten minutes (services.remake_stale_maps): the database itself stamps
  `updated_at` on any write of a field a tile shows and keeps the box an area left when it is
  deleted or given a new boundary (migration 0012, VacatedAreaBox), whoever writes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.core.cache import cache
from django.db import connection, transaction

from . import low_zoom_tiles, map_cells, tile_cache
from .tile_cache import Box

EXTENT_KEY = "protected_areas:extent"
# What a tile draws of an area (tile_render: the layers' geometry and tags). A write of other fields
# (source, attributes, the import identity) leaves every tile as it is.
TILE_FIELDS = frozenset({"geom", "geom_display", "point", "name", "iucn_category", "wdpa_id"})


def boxes_of(area_ids: Iterable[int]) -> list[Box]:
    """The boxes (west, south, east, north) of these areas as drawn now: their display boundary, or
    their point when they have none (as the importer names what it touched)."""
    ids = [int(pk) for pk in area_ids if pk is not None]
    if not ids:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b) FROM ("
            " SELECT coalesce(geom_display, point)::box2d AS b FROM protected_areas_protectedarea"
            " WHERE id = ANY(%s)) t WHERE b IS NOT NULL",
            [ids],
        )
        return [tuple(row) for row in cursor.fetchall()]


def forget_cached(boxes: Sequence[Box]) -> int:
    """Forget the cached tiles under `boxes` (every zoom) and the map's extent; how many tiles were named."""
    cache.delete(EXTENT_KEY)
    return tile_cache.forget_boxes(boxes)


def remake_under(boxes: Sequence[Box]) -> int:
    """Remake the cells and stored low-zoom tiles under `boxes`, commit, then forget the cached tiles
    under them. Returns how many cached tiles were named."""
    boxes = sorted(set(boxes))
    if not boxes:
        cache.delete(EXTENT_KEY)
        return 0
    # The overviews first, committed on their own (map_cells.refresh_overviews): the cells and the
    # stored low zooms are drawn from them.
    map_cells.refresh_overviews()
    with transaction.atomic(), connection.cursor() as cursor:
        # PostgreSQL's JIT compiles the cell statements afresh each time (their estimated cost is
        # over its threshold): seconds of compiling for a statement that runs in less.
        cursor.execute("SET LOCAL jit TO off")
        low_zoom_tiles.one_writer_at_a_time()
        # The generalised layers first (cells, then the low-zoom tiles drawn from them), then the cache.
        if len(boxes) > tile_cache.FORGET_ALL_OVER:
            map_cells.rebuild()
            low_zoom_tiles.rebuild()
        else:
            map_cells.refresh(boxes)
            low_zoom_tiles.refresh(boxes)
    # After the commit: a tile drawn between forgetting and committing would keep the old cells. (A
    # tile being drawn across the forget is not kept either: tile_cache's claims.)
    return forget_cached(boxes)


def changed_on_commit(boxes: Iterable[Box]) -> None:
    """Areas under `boxes` were written in the current transaction (boxes where they were and where
    they are): once it commits, forget their cached tiles and queue the remaking of their cells and
    stored low zooms. Nothing happens if it rolls back. The writes of one transaction are remade by
    one task (a script saving a hundred areas queues one, not a hundred)."""
    boxes = set(boxes)
    if not boxes:
        return
    pending: _Pending | None = getattr(connection, "_map_boxes_pending", None)
    # Still waiting for this transaction's commit? (Django drops the callbacks of a rolled-back
    # transaction or savepoint from run_on_commit: then a new one is registered.)
    if pending is not None and any(entry[1] is pending for entry in connection.run_on_commit):
        pending.boxes |= boxes
        return
    pending = _Pending(boxes)
    connection._map_boxes_pending = pending  # type: ignore[attr-defined]
    # Robust: the write is committed by then; a broker or Redis outage must not turn it into an
    # error page (it is logged; the area's next write, or map_cells.rebuild and
    # low_zoom_tiles.rebuild, put the map right).
    transaction.on_commit(pending, robust=True)


class _Pending:
    """The boxes a transaction wrote, remade once it commits."""

    def __init__(self, boxes: set[Box]):
        self.boxes = boxes

    def __call__(self) -> None:
        _after_commit(sorted(self.boxes))


def _after_commit(boxes: list[Box]) -> None:
    forget_cached(boxes)
    from .tasks import remake_map_under_boxes

    remake_map_under_boxes.delay([list(box) for box in boxes])
