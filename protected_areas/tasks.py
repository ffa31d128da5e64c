from datetime import datetime

from celery import shared_task

from core.errors import TRANSIENT_DATABASE_ERRORS
from core.jobs import JobTask

from . import map_updates, services
from .import_wizard import preview_job_run
from .services import import_job_run, tiles_data_changed


# A national WDPA file imports in minutes. The hard limit stays under the broker's 30-minute
# visibility timeout, so a long import is never handed to a second worker while still running.
@shared_task(base=JobTask, soft_time_limit=25 * 60, time_limit=28 * 60)
def run_protected_area_import(job_id: int) -> str:
    return import_job_run(job_id).status


# The wizard's dry run: the same reading and writing as the import, rolled back at the end.
@shared_task(base=JobTask, soft_time_limit=25 * 60, time_limit=28 * 60)
def run_protected_area_import_preview(job_id: int) -> str:
    return preview_job_run(job_id).status


# After an import (services.maps_refresh_queue): cells, low-zoom tiles and the tile cache of what it
# changed. Safe to run twice or late: it recomputes from what is stored now, one run at a time
# (low_zoom_tiles.one_writer_at_a_time). So it is retried when the database goes away part-way and
# acknowledged only once done: a worker lost mid-way leaves it to another, not a stale map.
MAP_TASK_OPTIONS = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": TRANSIENT_DATABASE_ERRORS,
    "retry_backoff": 5,
    "retry_backoff_max": 120,
    "max_retries": 5,
}


@shared_task(soft_time_limit=25 * 60, time_limit=28 * 60, **MAP_TASK_OPTIONS)
def refresh_protected_area_maps(since: str) -> int:
    return tiles_data_changed(since=datetime.fromisoformat(since))


# The map under areas written outside the importer (map_updates): their cells and stored low zooms,
# seconds at world scale, after the writer committed. Idempotent too: retried and acknowledged late alike.
@shared_task(**MAP_TASK_OPTIONS)
def remake_map_under_boxes(boxes: list[list[float]]) -> int:
    return map_updates.remake_under([(west, south, east, north) for west, south, east, north in boxes])


# Beat, every ten minutes: the map under writes whose remaking was lost (services.remake_stale_maps).
@shared_task(soft_time_limit=25 * 60, time_limit=28 * 60, ignore_result=True, **MAP_TASK_OPTIONS)
def remake_stale_maps() -> int:
    return services.remake_stale_maps()
