"""Writes about protected areas: importing boundaries from files, and the site teams.

The entry points live here: `import_protected_areas` (command line, demo data, benchmarks, tests),
the browser's import jobs (`import_job_start`, `import_job_run`), the map under every area an
import changed (map_updates), and site-team changes. How a file is read and written is the `importer` package
(files, columns, reader, writer and their SQL); this module runs its parts in order.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

from django.contrib.gis.gdal import GDALException
from django.core.cache import cache
from django.core.files import File
from django.db import connection, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts import rules
from accounts.choices import Role
from accounts.models import RoleAssignment, User
from accounts.services import role_grant, role_revoke
from audit.services import audit_record
from core.errors import DomainError, NotAllowed
from core.jobs import JobDone, Progress, job_create, job_run
from core.models import Job

from . import error_codes, map_updates, tile_cache
from .importer import writer
from .importer.columns import resolve_mapping
from .importer.files import OpenedFile, open_file
from .importer.reader import ReadAhead
from .importer.summary import ImportSummary
from .map_updates import EXTENT_KEY
from .models import ProtectedArea


def tiles_data_changed(since: datetime | None = None) -> int:
    """Remake the map under every area an import added or changed since `since` (the database's
    clock when it started): the cells, stored low zooms and cached tiles covering the area's box now
    and before (its previous boundary version), at every zoom (map_updates.remake_under). Without
    `since`, every cached tile is forgotten (a new cache generation). Returns how many tiles were named."""
    if since is None:
        cache.delete(EXTENT_KEY)
        tile_cache.forget_all()
        return 0
    return map_updates.remake_under(_touched_boxes(since))


def _touched_boxes(since: datetime) -> list[tuple[float, float, float, float]]:
    with connection.cursor() as cursor:
        cursor.execute(_TOUCHED_BOXES_SQL, {"since": since, "limit": tile_cache.FORGET_ALL_OVER * 2 + 1})
        return [tuple(row) for row in cursor.fetchall()]


def _forget_cached_tiles(since: datetime, changed: int) -> None:
    """Forget the cached tiles of what an import changed, before its maps' follow-up runs: closer
    zooms are drawn live from the areas, so they are right from the next request (lower ones, drawn
    from the cells, are forgotten again by the follow-up)."""
    if changed > tile_cache.FORGET_ALL_OVER:
        tile_cache.forget_all()  # what forget_boxes would do with their boxes, without reading them
    else:
        tile_cache.forget_boxes(_touched_boxes(since))


# Each changed area's box now, and the box of its boundary before this import (the newest boundary
# version older than `since`); a new area has no earlier version.
_TOUCHED_BOXES_SQL = """
WITH touched AS (
    SELECT id, coalesce(geom_display, point)::box2d AS now_box
    FROM protected_areas_protectedarea WHERE updated_at >= %(since)s
), boxes AS (
    SELECT now_box AS b FROM touched
    UNION ALL
    SELECT before.b FROM touched t CROSS JOIN LATERAL (
        SELECT coalesce(v.geom, v.point)::box2d AS b FROM protected_areas_boundaryversion v
        WHERE v.protected_area_id = t.id AND v.created_at < %(since)s ORDER BY v.version DESC LIMIT 1
    ) before
)
SELECT DISTINCT ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b) FROM boxes WHERE b IS NOT NULL LIMIT %(limit)s
"""


# The map's own check (beat: tasks.remake_stale_maps). An area written in the last STALE_MAP_WINDOW
# whose stored tile at the closest stored zoom was made before the write lost its remaking (the broker
# down when the writer committed, a worker gone past its retries): everything written since the
# oldest such write is remade, the boxes of its previous boundaries too, as after an import; likewise
# every place an area left (deleted, or given a new boundary) after its tiles there were made. The
# database records both whoever writes (migration 0012: `updated_at` stamped by QuerySet.update()
# and raw SQL too; VacatedAreaBox).
STALE_MAP_WINDOW = timedelta(days=1)


def remake_stale_maps(*, window: timedelta = STALE_MAP_WINDOW) -> int:
    """Remake the map under writes whose remaking was lost; how many cached tiles were named."""
    from .models import VacatedAreaBox

    start = database_now() - window
    VacatedAreaBox.objects.filter(vacated_at__lt=start).delete()
    made = _stored_tiles_made()
    if not made:
        return 0  # never made: every low zoom is drawn live, from the areas as they are
    named = 0
    # Each place left is looked at once: remade here if its tiles were made before the area left it.
    vacated = list(VacatedAreaBox.objects.values_list("id", "west", "south", "east", "north", "vacated_at"))
    left = [(w, s, e, n) for _id, w, s, e, n, at in vacated if _made_before(made, (w, s, e, n), at)]
    if left:
        named += map_updates.remake_under(left)
    VacatedAreaBox.objects.filter(id__in=[row[0] for row in vacated]).delete()
    oldest = _oldest_unmapped_write(start, made)
    if oldest is not None:
        named += tiles_data_changed(since=oldest)
    return named


def _stored_tiles_made() -> dict[tuple[int, int], datetime]:
    """When each stored tile of the closest stored zoom was made."""
    from .low_zoom_tiles import STORED_MAX_ZOOM
    from .models import LowZoomTile

    rows = LowZoomTile.objects.filter(z=STORED_MAX_ZOOM).values_list("x", "y", "made_at")
    return {(x, y): at for x, y, at in rows}


def _made_before(made: dict[tuple[int, int], datetime], box: tuple[float, float, float, float], at: datetime) -> bool:
    """Whether a stored tile under `box` (at the closest stored zoom) is missing or older than `at`."""
    from .low_zoom_tiles import STORED_MAX_ZOOM

    x0, y0, x1, y1 = tile_cache.tile_range(box, STORED_MAX_ZOOM)
    return any(made.get((x, y)) is None or made[(x, y)] < at for x in range(x0, x1 + 1) for y in range(y0, y1 + 1))


def _oldest_unmapped_write(since: datetime, made: dict[tuple[int, int], datetime]) -> datetime | None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b), updated_at FROM ("
            " SELECT coalesce(geom_display, point)::box2d AS b, updated_at FROM protected_areas_protectedarea"
            " WHERE updated_at > %s) t WHERE b IS NOT NULL ORDER BY updated_at",
            [since],
        )
        for west, south, east, north, written in cursor:
            if _made_before(made, (west, south, east, north), written):
                oldest: datetime = written
                return oldest
    return None


def database_now() -> datetime:
    # now(), the transaction's start, which the import's own writes stamp: outside a transaction (the
    # worker) it is this moment; inside one (tests) it takes in everything written in it.
    with connection.cursor() as cursor:
        cursor.execute("SELECT now()")
        now: datetime = cursor.fetchone()[0]
    return now


def import_protected_areas(
    path: str | Path,
    *,
    layer: str | None = None,
    field_map: dict[str, str] | None = None,
    source: str | None = None,
    progress: Callable[[int, int | None], None] | None = None,
    skip_keys: frozenset[str] = frozenset(),
    refresh_maps: bool = True,
    opened: OpenedFile | None = None,
) -> ImportSummary:
    """Import (upsert) the protected areas in a GeoJSON, GeoPackage, Shapefile (plain or zipped), KML
    file or Esri File Geodatabase (folder or zipped), or a .zip of such .zip files read as one file
    in parts (the WDPA's shapefile download; importer.files). Features that cannot be used
    are rejected with a reason; the rest import. Raises DomainError only when the file itself cannot
    be read (or the field mapping does not fit it).

    `source` names the data set: it prefixes the identities of non-WDPA records
    (`<source>:<key>`) and is recorded with each boundary; it defaults to the file name.

    With `refresh_maps` the maps (cells, low-zoom tiles, tile cache) are brought up to date before
    this returns; without it only the cached tiles are forgotten, and the caller has the rest done
    (`summary.maps_changed_since`): the browser's imports queue `maps_refresh_queue` for the heavy
    worker, so the import's own time is the import's work (validation, repair, history, upsert) and
    the low zooms follow within a minute or so.

    `opened` is `path` already opened by the caller (the wizard's preview, which has read its columns
    and layers from it), which keeps it open: a file in parts is then not unpacked a second time.
    """
    path = Path(path)
    started = database_now()
    source = source or path.stem
    with ExitStack() as closing:
        if opened is None:
            opened = closing.enter_context(open_file(path))
        chosen = opened.layer(layer)
        mapping = resolve_mapping(chosen.fields, field_map, source)
        mapping.skip = frozenset(skip_keys)
        summary = ImportSummary(layer=chosen.name)
        try:
            summary.total = chosen.records
        except GDALException:
            summary.total = None
        if summary.total is not None and summary.total < 0:
            summary.total = None
        done = 0

        def written(last: int) -> None:
            nonlocal done
            done = last
            if progress:
                progress(done, summary.total)

        # The reader thread reads and normalises the next batches while PostGIS writes these.
        batches = ReadAhead(chosen.parts, mapping, streams=writer.writer_count())
        try:
            writer.write_batches(batches, summary, source, written)
        except GDALException as exc:
            # The file broke part-way (truncated download): what was read is saved; say where it stopped.
            raise DomainError(
                error_codes.IMPORT_FILE_UNREADABLE,
                _(
                    "Could not read %(name)s to the end (%(error)s); %(created)s areas created and %(updated)s "
                    "updated before that."
                )
                % {"name": path.name, "error": exc, "created": summary.created, "updated": summary.updated},
            )
        finally:
            batches.close()
    if progress:
        progress(summary.total or done, summary.total)
    if summary.created or summary.updated:
        if refresh_maps:
            tiles_data_changed(since=started)
        else:
            summary.maps_changed_since = started
            _forget_cached_tiles(started, summary.created + summary.updated)
    return summary


def maps_refresh_queue(since: datetime) -> None:
    """Have the heavy worker bring the maps up to date with what was imported since `since`, once the
    caller's transaction commits (a rolled-back import changed nothing)."""

    def send() -> None:
        from .tasks import refresh_protected_area_maps

        refresh_protected_area_maps.delay(since.isoformat())

    transaction.on_commit(send, robust=True)


def summary_json(summary: ImportSummary) -> str:
    return json.dumps(summary.as_dict(), ensure_ascii=False)


# --- imports from the browser ---------------------------------------------------------------------

IMPORT_JOB_KIND = "protected_area_import"


def import_job_start(
    *,
    user: User,
    upload: File[Any],
    layer: str = "",
    field_map: dict[str, str] | None = None,
    source: str = "",
    skip_keys: list[str] | None = None,
    adopt: dict[str, str] | None = None,
) -> Job:
    """Store the uploaded file and queue its import; the page polls the returned Job."""
    if not rules.can_import_protected_areas(user):
        raise NotAllowed(error_codes.NOT_STAFF, _("Only IUCN staff can import protected areas."))
    name = Path(upload.name or "upload").name
    with transaction.atomic():
        job = job_create(
            kind=IMPORT_JOB_KIND,
            user=user,
            params={
                "file_name": name,
                "layer": layer or None,
                "field_map": field_map or {},
                # The stored copy may be renamed; identities and history use the name staff uploaded.
                "source": source or Path(name).stem,
                # The wizard's choices for likely duplicates (protected_areas.import_wizard).
                "skip_keys": list(skip_keys or []),
                "adopt": dict(adopt or {}),
            },
            input_file=upload,
            input_name=name,
        )
        audit_record(actor=user, action="protected_areas.import_queued", target=job, data={"file": name})
    return job


def import_job_run(job_id: int) -> Job:
    """Run a queued import (in a worker) through the job runner (core.jobs), which keeps the Job's
    progress, result or error current."""
    return job_run(
        job_id,
        kind=IMPORT_JOB_KIND,
        work=_import_work,
        # Translated into the job's language when the import fails (core.jobs).
        unexpected=gettext_noop("The import stopped on an unexpected error ({error}). Nothing after it was saved."),
        on_done=lambda job: audit_record(
            actor=None,
            action="protected_areas.imported",
            target=job,
            data={k: v for k, v in job.result.items() if k != "errors"},
        ),
        on_failed=lambda job: audit_record(
            actor=None, action="protected_areas.import_failed", target=job, data={"error": job.error}
        ),
    )


def _import_work(job: Job, progress: Progress) -> JobDone:
    params = job.params
    adopted = adopt_identities(params.get("adopt") or {}, by_job=job)
    # core.jobs runs this in the language the person was reading (why a feature was rejected is worded,
    # and kept, in it); the importer's threads take it from this one.
    with job.input_file.open("rb") as handle, _local_copy(handle, params["file_name"]) as path:
        summary = import_protected_areas(
            path,
            layer=params.get("layer"),
            field_map=params.get("field_map") or None,
            source=params.get("source"),
            progress=progress,
            skip_keys=frozenset(params.get("skip_keys") or ()),
            refresh_maps=False,
        )
    if summary.maps_changed_since is not None:
        maps_refresh_queue(summary.maps_changed_since)
    result = summary.as_dict()
    if adopted:
        result["adopted"] = adopted
    return JobDone(result=result)


def adopt_identities(adopt: dict[str, str], *, by_job: Job) -> int:
    """Staff chose "update the existing area" for a likely duplicate: the existing area takes the
    incoming record's identity, so the import updates it (its boundary history keeps the old one)
    instead of creating a second area. `adopt` maps an existing area's id to the incoming key; an
    identity another area holds already is left alone (that area is the one to update)."""
    done = 0
    for area_id, key in adopt.items():
        if ProtectedArea.objects.filter(key=key).exists():
            continue
        old = ProtectedArea.objects.filter(pk=int(area_id)).values_list("key", flat=True).first()
        if old is None:
            continue
        ProtectedArea.objects.filter(pk=int(area_id)).update(key=key)
        audit_record(
            actor=None,
            action="protected_areas.identity_adopted",
            target=by_job,
            data={"area": int(area_id), "from": old, "to": key},
        )
        done += 1
    return done


@contextmanager
def _local_copy(handle: IO[bytes], file_name: str) -> Iterator[Path]:
    """GDAL reads paths: use the stored file directly when it is on disk, else copy it (S3)."""
    try:
        path = handle.name if Path(handle.name).is_file() else None
    except (AttributeError, TypeError):
        path = None
    if path:
        yield Path(path)
        return
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / Path(file_name).name
        with target.open("wb") as out:
            shutil.copyfileobj(handle, out, 1024 * 1024)
        yield target


# --- site teams -----------------------------------------------------------------------------------


def site_manager_add(*, area: ProtectedArea, email: str, by: User) -> RoleAssignment:
    """Make an existing user a site manager of `area` (staff only)."""
    if not rules.can_manage_site_teams(by):
        raise NotAllowed(error_codes.NOT_STAFF, _("Only IUCN staff can change site teams."))
    user = User.objects.filter(email__iexact=(email or "").strip(), is_active=True).first()
    if user is None:
        raise DomainError(
            error_codes.USER_UNKNOWN,
            _("No active account uses %(email)s. Invite the person first (Invitations).") % {"email": email},
            field="email",
        )
    return role_grant(user=user, role=Role.SITE_MANAGER, protected_area=area, granted_by=by)


def site_manager_remove(*, area: ProtectedArea, assignment_id: int, by: User) -> RoleAssignment:
    if not rules.can_manage_site_teams(by):
        raise NotAllowed(error_codes.NOT_STAFF, _("Only IUCN staff can change site teams."))
    assignment = (
        RoleAssignment.objects.filter(pk=assignment_id, protected_area=area, role=Role.SITE_MANAGER)
        .select_related("user")
        .first()
    )
    if assignment is None:
        raise DomainError(error_codes.USER_UNKNOWN, _("This person is not on the site team."))
    return role_revoke(assignment=assignment, revoked_by=by)
