"""A site created by an assessment package import is on the public map (protected_areas.map_updates):
its tile, cached before without it, shows it from the next request, and the stored low zooms once the
heavy queue's worker remade them. Real PostgreSQL, Redis and Celery worker."""

import json
import time

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from protected_areas import low_zoom_tiles, tile_cache, tile_render
from protected_areas.models import LowZoomTile
from protected_areas.services import tiles_data_changed
from protected_areas.tests.factories import square
from reports.package import build_package, package_bytes

pytestmark = pytest.mark.django_db(transaction=True)


def _tile(z):
    return (z, *tile_cache.tile_range((114.05, 18.05, 114.05, 18.05), z)[:2])


def test_a_site_created_by_a_package_import_is_on_the_map(
    assessment, admin_user, client, celery_worker_process, tmp_path
):
    tiles_data_changed()  # Redis outlives the test database: a new map data version
    package = build_package(assessment)
    package["protected_area"].update(
        key="wdpa:777001",
        wdpa_id=777001,
        wdpa_pid="777001",
        name="Imported Reserve",
        geometry=json.loads(square(114.0, 18.0).json),
    )
    path = tmp_path / "package.json"
    path.write_bytes(package_bytes(package))
    urls = {z: reverse("protected_areas:tile", args=_tile(z)) for z in (5, 8, 12)}
    assert all(b"Imported Reserve" not in client.get(url).content for url in urls.values())
    since = timezone.now()

    call_command("import_assessment", str(path))

    assert b"Imported Reserve" in client.get(urls[8]).content
    assert b"Imported Reserve" in client.get(urls[12]).content
    deadline = time.monotonic() + 90
    while not LowZoomTile.objects.filter(z=0, x=0, y=0, made_at__gt=since).exists():
        assert time.monotonic() < deadline, "the worker did not remake the low-zoom tiles"
        time.sleep(0.1)
    assert low_zoom_tiles.stored(*_tile(5)) == tile_render.render(*_tile(5))
    assert b"Imported Reserve" in client.get(urls[5]).content
