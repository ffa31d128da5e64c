"""The map follows areas written outside the importer (map_updates, signals): a boundary moved, a name
changed or an area deleted through the ORM shows on the public map's tiles, fetched over HTTP, at
close zooms from the next request and at the stored low zooms once the heavy queue's worker remade
them; a tile elsewhere stays cached. Real PostgreSQL, Redis and Celery worker; committed transactions."""

import gzip
from contextlib import contextmanager

import pytest
from celery.signals import after_task_publish
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from protected_areas import low_zoom_tiles, tile_cache, tile_render
from protected_areas.models import LowZoomTile, MapCell, ProtectedArea
from protected_areas.tests.factories import ProtectedAreaFactory, square

pytestmark = pytest.mark.django_db(transaction=True)

LAOS = (102.5, 18.0)
LAOS_EAST = (114.0, 18.0)  # another tile at zoom 5 and closer, the same at zoom 2
BAVARIA = (11.5, 48.5)


def tile_at(lon, lat, z):
    return (z, *tile_cache.tile_range((lon, lat, lon, lat), z)[:2])


def fetch(client, tile, **headers):
    return client.get(reverse("protected_areas:tile", args=tile), **headers)


@contextmanager
def remakes_queued():
    """The ids of the map remakes (tasks.remake_map_under_boxes) the writes in the block queued once
    they committed."""
    from protected_areas.tasks import remake_map_under_boxes

    queued = []

    def note(sender=None, headers=None, **_kwargs):
        if sender == remake_map_under_boxes.name:
            queued.append(headers["id"])

    after_task_publish.connect(note, weak=False)
    try:
        yield queued
    finally:
        after_task_publish.disconnect(note)


def remade_by_the_worker(remakes, since, timeout=90):
    """Wait until the worker has run these remakes to their end, then check the stored low zooms were
    remade after `since` (every box is under the zoom-0 tile). To their end, not to their commit: a
    remake forgets the cached tiles under its boxes after committing, so a tile cached between the two
    (Bavaria's, which the fixture's remake covers) would be forgotten under the test's feet."""
    from protected_areas.tasks import remake_map_under_boxes

    assert remakes, "the write queued no remaking of the map"
    for task_id in remakes:
        remake_map_under_boxes.AsyncResult(task_id).get(timeout=timeout)
    assert LowZoomTile.objects.filter(z=0, x=0, y=0, made_at__gt=since).exists(), "the low zooms were not remade"


def stored_as_drawn_now(tile):
    """The stored low-zoom tile is what the data in the database draws now."""
    return low_zoom_tiles.stored(*tile) == tile_render.render(*tile)


def cell_points(level):
    return sorted((p.transform(4326, clone=True).x, p.transform(4326, clone=True).y) for p in _cells(level))


def _cells(level):
    return MapCell.objects.filter(level=level).values_list("point", flat=True)


@pytest.fixture
def laos_and_bavaria(celery_worker_process):
    """Two areas written through the ORM in one transaction (one remake), the map made for them by the worker."""
    since = timezone.now()
    with remakes_queued() as remakes, transaction.atomic():
        laos = ProtectedAreaFactory(name="Nam Et", geom=square(*LAOS), geom_display=square(*LAOS))
        bavaria = ProtectedAreaFactory(name="Ammersee", geom=square(*BAVARIA), geom_display=square(*BAVARIA))
    remade_by_the_worker(remakes, since)
    return laos, bavaria


def bavaria_still_cached(client, first):
    """Bavaria's tile was not touched: served from the cache (no query), the browser's copy still good."""
    tile = tile_at(*BAVARIA, 8)
    assert tile_cache.is_cached(*tile)
    with CaptureQueriesContext(connection) as queries:
        again = fetch(client, tile, HTTP_IF_NONE_MATCH=first["ETag"])
    return again.status_code == 304 and len(queries) == 0


def test_an_area_created_through_the_orm_is_on_the_map(client, laos_and_bavaria):
    for z in (2, 5, 8, 12):
        assert b"Nam Et" in fetch(client, tile_at(*LAOS, z)).content or z == 2
    # Too small to outline at zoom 2: a cell point, in the stored tile the worker made.
    assert stored_as_drawn_now(tile_at(*LAOS, 2)) and b"area_cells" in fetch(client, tile_at(*LAOS, 2)).content
    assert [round(x) for x, _y in cell_points(2)] == [12, 103]


def test_an_area_moved_through_the_orm_moves_on_the_map(client, laos_and_bavaria):
    laos, _bavaria = laos_and_bavaria
    before = {z: fetch(client, tile_at(*LAOS, z)) for z in (2, 5, 8)}
    bavaria_first = fetch(client, tile_at(*BAVARIA, 8))
    assert b"Nam Et" in before[8].content and b"Nam Et" not in fetch(client, tile_at(*LAOS_EAST, 8)).content
    since = timezone.now()

    with remakes_queued() as remakes:
        laos.geom = laos.geom_display = square(*LAOS_EAST)
        laos.save()

    # Closer zooms are drawn live: right from the next request, where it was and where it is.
    assert b"Nam Et" not in fetch(client, tile_at(*LAOS, 8)).content
    assert b"Nam Et" in fetch(client, tile_at(*LAOS_EAST, 8)).content
    # The stored low zooms and their cells, once the heavy queue's worker remade them.
    remade_by_the_worker(remakes, since)
    for z in (2, 5):
        assert stored_as_drawn_now(tile_at(*LAOS, z)) and stored_as_drawn_now(tile_at(*LAOS_EAST, z))
    assert b"Nam Et" not in fetch(client, tile_at(*LAOS, 5)).content
    assert b"Nam Et" in fetch(client, tile_at(*LAOS_EAST, 5)).content
    assert fetch(client, tile_at(*LAOS, 2)).content != before[2].content
    assert [round(x) for x, _y in cell_points(2)] == [12, 114]
    assert bavaria_still_cached(client, bavaria_first)


def test_an_area_renamed_through_the_orm_shows_its_new_name(client, laos_and_bavaria):
    laos, _bavaria = laos_and_bavaria
    assert b"Nam Et" in fetch(client, tile_at(*LAOS, 8)).content
    bavaria_first = fetch(client, tile_at(*BAVARIA, 8))

    laos.name = "Nam Et Phou Louey"
    laos.iucn_category = "II"
    laos.save(update_fields=["name", "iucn_category"])

    for z in (6, 8, 12):
        assert b"Nam Et Phou Louey" in fetch(client, tile_at(*LAOS, z)).content
    assert bavaria_still_cached(client, bavaria_first)


def test_an_area_deleted_leaves_the_map(client, laos_and_bavaria):
    laos, _bavaria = laos_and_bavaria
    assert b"Nam Et" in fetch(client, tile_at(*LAOS, 8)).content
    bavaria_first = fetch(client, tile_at(*BAVARIA, 8))
    since = timezone.now()

    with remakes_queued() as remakes:
        laos.delete()

    assert b"Nam Et" not in fetch(client, tile_at(*LAOS, 8)).content
    remade_by_the_worker(remakes, since)
    assert stored_as_drawn_now(tile_at(*LAOS, 2)) and [round(x) for x, _y in cell_points(2)] == [12]
    assert b"Nam Et" not in fetch(client, tile_at(*LAOS, 5)).content
    assert bavaria_still_cached(client, bavaria_first)


def test_a_write_of_nothing_a_tile_shows_keeps_the_tiles():
    # No worker: nothing is queued, and nothing is forgotten.
    laos = ProtectedAreaFactory(name="Nam Et", geom=square(*LAOS), geom_display=square(*LAOS))
    tile = tile_at(*LAOS, 8)
    tile_cache.get_or_make(*tile, lambda: tile_render.render(*tile))
    laos.source = "a national file"
    laos.attributes = {"note": "kept"}
    laos.save(update_fields=["source", "attributes"])
    ProtectedArea.objects.filter(pk=laos.pk).update(key="wdpa:adopted")  # the import identity: not drawn
    assert tile_cache.is_cached(*tile)
    laos.save()  # a full save writes the drawn fields too: forgotten
    assert not tile_cache.is_cached(*tile)


def test_a_rolled_back_write_changes_nothing():
    laos = ProtectedAreaFactory(name="Nam Et", geom=square(*LAOS), geom_display=square(*LAOS))
    tile = tile_at(*LAOS, 8)
    tile_cache.get_or_make(*tile, lambda: tile_render.render(*tile))
    with pytest.raises(RuntimeError), transaction.atomic():
        laos.name = "Never saved"
        laos.save()
        raise RuntimeError
    assert tile_cache.is_cached(*tile)


def test_a_tile_drawn_while_an_area_moves_is_not_kept(client):
    # The race: a request reads the area where it was, the move commits and forgets the tile, then the
    # request stores what it drew. It is served to that request only.
    laos = ProtectedAreaFactory(name="Nam Et", geom=square(*LAOS), geom_display=square(*LAOS))
    tile = tile_at(*LAOS, 8)

    def drawn_across_the_move():
        drawing = tile_render.render(*tile)
        laos.geom = laos.geom_display = square(*LAOS_EAST)
        laos.save()  # committed: the tile is forgotten now
        return drawing

    _etag, served = tile_cache.get_or_make(*tile, drawn_across_the_move)
    assert b"Nam Et" in gzip.decompress(served)
    assert not tile_cache.is_cached(*tile)
    assert b"Nam Et" not in fetch(client, tile).content


def test_the_map_tasks_survive_a_database_restart_and_a_lost_worker():
    # Both recompute from what is stored (idempotent): a dropped connection retries them, and a worker
    # killed half-way leaves the message to another (acknowledged late), rather than a stale map.
    from django.db import OperationalError

    from protected_areas.tasks import refresh_protected_area_maps, remake_map_under_boxes

    for task in (refresh_protected_area_maps, remake_map_under_boxes):
        assert OperationalError in task.autoretry_for and task.max_retries == 5
        assert task.acks_late and task.reject_on_worker_lost


def test_the_sweep_remakes_the_map_of_a_write_whose_remaking_was_lost(client):
    # given the stored low zooms made, then an area written whose remaking never ran (as when the broker
    # was down at the moment the writer committed: the task is queued here, but no worker takes it)
    from protected_areas import services

    low_zoom_tiles.rebuild()
    assert services.remake_stale_maps() == 0  # nothing to put right
    area = ProtectedAreaFactory(name="Nam Et", geom=square(*LAOS), geom_display=square(*LAOS))
    tile = tile_at(*LAOS, 5)
    assert not stored_as_drawn_now(tile)

    # when beat's sweep runs
    services.remake_stale_maps()

    # then the stored tiles and cells show the area, and a second sweep finds nothing left
    assert stored_as_drawn_now(tile) and stored_as_drawn_now(tile_at(*LAOS, 2))
    assert b"Nam Et" in fetch(client, tile).content
    made = LowZoomTile.objects.get(z=5, x=tile[1], y=tile[2]).made_at
    services.remake_stale_maps()
    assert LowZoomTile.objects.get(z=5, x=tile[1], y=tile[2]).made_at == made
    # an old write is past the sweep's window: it is not looked at again
    ProtectedArea.objects.filter(pk=area.pk).update(updated_at=timezone.now() - services.STALE_MAP_WINDOW * 2)
    LowZoomTile.objects.update(made_at=timezone.now() - services.STALE_MAP_WINDOW * 3)
    services.remake_stale_maps()
    assert LowZoomTile.objects.get(z=5, x=tile[1], y=tile[2]).made_at < timezone.now() - services.STALE_MAP_WINDOW


def test_the_sweep_sees_writes_that_send_no_signal(client):
    # given the stored low zooms made with an area on them
    from protected_areas import services
    from protected_areas.models import VacatedAreaBox

    area = ProtectedAreaFactory(name="Nam Et", geom=square(*LAOS), geom_display=square(*LAOS))
    low_zoom_tiles.rebuild()
    here, there = tile_at(*LAOS, 5), tile_at(*LAOS_EAST, 5)
    assert b"Nam Et" in fetch(client, here).content

    # when it is moved by QuerySet.update (no signal, no auto_now): the database stamps the write
    written = ProtectedArea.objects.get(pk=area.pk).updated_at
    ProtectedArea.objects.filter(pk=area.pk).update(geom=square(*LAOS_EAST), geom_display=square(*LAOS_EAST))
    assert ProtectedArea.objects.get(pk=area.pk).updated_at > written
    assert not stored_as_drawn_now(there)
    services.remake_stale_maps()
    # then the sweep remade both places (the database kept the box it left: the area has no history)
    assert stored_as_drawn_now(here) and stored_as_drawn_now(there)
    assert not VacatedAreaBox.objects.exists()
    assert b"Nam Et" in fetch(client, there).content and b"Nam Et" not in fetch(client, here).content

    # when it is deleted in raw SQL: its box is kept by the database, and the sweep takes it off the map
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM protected_areas_protectedarea WHERE id = %s", [area.pk])
    assert VacatedAreaBox.objects.count() == 1 and not stored_as_drawn_now(there)
    services.remake_stale_maps()
    assert stored_as_drawn_now(there) and b"Nam Et" not in fetch(client, there).content
    assert not VacatedAreaBox.objects.exists()


def test_a_write_of_nothing_a_tile_shows_is_not_stamped():
    area = ProtectedAreaFactory(name="Nam Et", geom=square(*LAOS), geom_display=square(*LAOS))
    written = ProtectedArea.objects.get(pk=area.pk).updated_at
    ProtectedArea.objects.filter(pk=area.pk).update(source="another release", name="Nam Et")
    assert ProtectedArea.objects.get(pk=area.pk).updated_at == written
    ProtectedArea.objects.filter(pk=area.pk).update(name="Nam Et Phou Louey")
    assert ProtectedArea.objects.get(pk=area.pk).updated_at > written
