"""Monitoring datasets: adding them (site team, staff, the import command), processing them by a
worker, processing them again.

Processing reads the dataset's files with the reader of its kind (monitoring.readers) and writes
what it found in one transaction: the old values and points go, the new ones come, the dataset
becomes ready. A reading with a fatal problem fails the dataset with its problems and no values, so
nothing half-computed is ever shown as a result; the files stay, to be processed again.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.conf import settings
from django.contrib.gis.geos import Point
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.types import Person
from audit.services import audit_record
from core.errors import Conflict, DomainError, NotAllowed
from core.limits import max_length

from . import error_codes, rules, workflow
from .choices import DatasetKind, DatasetStatus, NotComparable
from .models import MonitoringDataset, MonitoringFile, MonitoringPoint, MonitoringValue
from .readers import Boundary, Problem, ReadResult, acoustic, camtrap, dwca
from .readers.files import expand

log = logging.getLogger(__name__)

MAX_FILES = 200
# What each kind may hold: the file names' endings allowed (anything else is refused, or skipped
# when it comes inside a folder given to the import command, e.g. a Camtrap DP package's images).
ALLOWED_SUFFIXES: dict[str, frozenset[str]] = {
    DatasetKind.CAMTRAP: frozenset({".json", ".csv", ".zip"}),
    DatasetKind.OCCURRENCES: frozenset({".zip", ".txt", ".xml", ".csv", ".tsv"}),
    DatasetKind.ACOUSTIC: frozenset({".txt", ".csv", ".zip"}),
    DatasetKind.FOREST: frozenset({".tif", ".tiff"}),
}
# The parameters each kind reads, with their bounds (min, max).
PARAMS: dict[str, dict[str, tuple[float, float]]] = {
    DatasetKind.CAMTRAP: {"min_trap_nights": (0, 1e7), "min_deployments": (1, 1e6)},
    DatasetKind.OCCURRENCES: {"min_records": (1, 1e9)},
    DatasetKind.ACOUSTIC: {
        "min_confidence": (0, 1),
        "duration_s": (1, 1e8),
        "year": (1900, 2100),
        "min_recording_hours": (0, 1e7),
    },
    DatasetKind.FOREST: {"canopy_threshold": (0, 100), "buffer_km": (0, 100)},
}


# --- checking what people send -------------------------------------------------------------------


def clean_title(text: str) -> str:
    text = (text or "").strip()
    limit = max_length(MonitoringDataset, "title")
    if not text:
        raise DomainError(error_codes.MONITORING_TITLE_INVALID, _("Give the dataset a title."), field="title")
    if len(text) > limit:
        raise DomainError(
            error_codes.MONITORING_TITLE_INVALID,
            _("The title is over %(limit)d characters.") % {"limit": limit},
            field="title",
        )
    return text


def clean_kind(kind: str) -> str:
    if kind not in DatasetKind.values:
        raise DomainError(
            error_codes.MONITORING_KIND_UNKNOWN,
            _("Unknown kind “%(kind)s”; the kinds are: %(kinds)s.")
            % {"kind": kind, "kinds": ", ".join(DatasetKind.values)},
            field="kind",
        )
    return kind


def clean_params(kind: str, params: dict[str, Any] | None) -> dict[str, Any]:
    """The parameters the kind reads, as numbers within their bounds; anything else is refused."""
    allowed = PARAMS[kind]
    out: dict[str, Any] = {}
    for name, raw in (params or {}).items():
        if raw is None or raw == "":
            continue
        if name not in allowed:
            raise DomainError(
                error_codes.MONITORING_PARAM_INVALID,
                _("“%(name)s” is not a parameter of this kind of dataset (it reads: %(names)s).")
                % {"name": name, "names": ", ".join(allowed)},
                field=name,
            )
        low, high = allowed[name]
        try:
            value = float(raw)
        except (TypeError, ValueError):
            value = float("nan")
        if not low <= value <= high:
            raise DomainError(
                error_codes.MONITORING_PARAM_INVALID,
                _("“%(name)s” must be a number from %(low)g to %(high)g.") % {"name": name, "low": low, "high": high},
                field=name,
            )
        out[name] = int(value) if name in {"year", "min_deployments", "min_records"} else value
    return out


def guess_kind(paths: Iterable[Path]) -> str | None:
    """The kind, from the files' content (names inside archives, headers), or None."""
    names: list[Path] = []
    for path in paths:
        if path.is_dir():
            names.extend(p for p in path.rglob("*") if p.is_file())
        elif zipfile.is_zipfile(path):
            try:
                with zipfile.ZipFile(path) as archive:
                    inside = {PurePosixPath(n).name.lower() for n in archive.namelist()[:50_000]}
            except (zipfile.BadZipFile, OSError):
                return None
            if {"deployments.csv", "observations.csv"} <= inside:
                return DatasetKind.CAMTRAP
            if "meta.xml" in inside:
                return DatasetKind.OCCURRENCES
        else:
            names.append(path)
    if not names:
        return None
    if camtrap.looks_like(names):
        return DatasetKind.CAMTRAP
    if dwca.looks_like(names):
        return DatasetKind.OCCURRENCES
    if any(_is_geotiff(p) for p in names):
        return DatasetKind.FOREST
    if acoustic.looks_like(names):
        return DatasetKind.ACOUSTIC
    return None


def _is_geotiff(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            head = handle.read(4)
    except OSError:
        return False
    return head in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")


# --- adding a dataset ----------------------------------------------------------------------------


def add_dataset(
    *,
    area: Any,
    title: str,
    files: Sequence[tuple[str, IO[bytes]]],
    by: User | None,
    kind: str = "",
    params: dict[str, Any] | None = None,
    sensitive: bool = False,
    process: bool = True,
) -> MonitoringDataset:
    """Store the files as a new dataset of `area` and (after commit) send it to a worker.

    `files`: (name, binary file) pairs; a name may hold folders ("media/a.csv"). `by` None is a
    command run on the server (its operator is trusted like staff)."""
    if by is not None and not rules.can_add_monitoring(by, area):
        raise NotAllowed(
            error_codes.MONITORING_ROLE, _("Only the site team of this area and IUCN staff add monitoring data.")
        )
    title = clean_title(title)
    if not files:
        raise DomainError(error_codes.MONITORING_NO_FILES, _("Add at least one file."), field="files")
    if len(files) > MAX_FILES:
        raise DomainError(
            error_codes.MONITORING_TOO_MANY_FILES,
            _("At most %(n)d files make one dataset.") % {"n": MAX_FILES},
            field="files",
        )
    twice = repeated_name([name for name, _handle in files])
    if twice:
        raise DomainError(
            error_codes.MONITORING_FILE_NAME_REPEATED,
            _(
                "Two files are both named “%(name)s”: one would replace the other. Rename one, or add "
                "them in a zip that keeps their folders."
            )
            % {"name": twice},
            field="files",
        )
    limit = settings.EVIDENCE_MAX_UPLOAD_MB * 1024 * 1024
    with tempfile.TemporaryDirectory(prefix="monitoring-add-") as tmp:
        local: list[tuple[str, Path]] = []
        for n, (name, handle) in enumerate(files):
            safe = _safe_name(name)
            target = Path(tmp) / str(n) / safe
            target.parent.mkdir(parents=True, exist_ok=True)
            size = _copy_limited(handle, target, limit)
            if size is None:
                raise DomainError(
                    error_codes.MONITORING_FILE_TOO_LARGE,
                    _("“%(name)s” is larger than %(mb)d MB.") % {"name": safe, "mb": settings.EVIDENCE_MAX_UPLOAD_MB},
                    field="files",
                )
            local.append((safe, target))
        if not kind:
            kind = guess_kind([p for _n, p in local]) or ""
            if not kind:
                raise DomainError(
                    error_codes.MONITORING_KIND_UNGUESSABLE,
                    _(
                        "The kind of data could not be told from the files; say which it is "
                        "(camera traps, forest loss, occurrences or acoustic)."
                    ),
                    field="kind",
                )
        kind = clean_kind(kind)
        params = clean_params(kind, params)
        for safe, _path in local:
            if PurePosixPath(safe).suffix.lower() not in ALLOWED_SUFFIXES[kind]:
                raise DomainError(
                    error_codes.MONITORING_FILE_TYPE,
                    _("“%(name)s” is not a file a %(kind)s dataset holds (allowed: %(allowed)s).")
                    % {"name": safe, "kind": kind, "allowed": ", ".join(sorted(ALLOWED_SUFFIXES[kind]))},
                    field="files",
                )
        with transaction.atomic():
            dataset = MonitoringDataset.objects.create(
                area=area, kind=kind, title=title, params=params, sensitive=sensitive, created_by=by
            )
            for safe, path in local:
                _store(dataset, safe, path)
            audit_record(actor=by, action="monitoring_dataset.add", target=dataset, data={"kind": kind})
            if process:
                transaction.on_commit(lambda: send_to_worker(dataset.pk), robust=True)
    return dataset


def _safe_name(name: str) -> str:
    """A relative POSIX path with no '..', no absolute part and no empty part."""
    parts = [p for p in PurePosixPath(name.replace("\\", "/")).parts if p not in ("", ".", "..", "/")]
    parts = [p.replace(":", "_")[-120:] for p in parts][-5:]
    return "/".join(parts) or "file"


def repeated_name(names: Iterable[str]) -> str | None:
    """The first name that two files share once made safe (they would be read from one place)."""
    seen: set[str] = set()
    for name in names:
        safe = _safe_name(name)
        if safe in seen:
            return safe
        seen.add(safe)
    return None


def _copy_limited(handle: IO[bytes], target: Path, limit: int) -> int | None:
    size = 0
    with open(target, "wb") as out:
        while chunk := handle.read(1024 * 1024):
            size += len(chunk)
            if size > limit:
                return None
            out.write(chunk)
    return size


def _store(dataset: MonitoringDataset, name: str, path: Path) -> MonitoringFile:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
    row = MonitoringFile(dataset=dataset, original_name=name[:300], size=path.stat().st_size, sha256=digest.hexdigest())
    with open(path, "rb") as handle:
        row.file.save(PurePosixPath(name).name, File(handle), save=False)
    row.save()
    return row


def send_to_worker(dataset_id: int) -> None:
    from .tasks import process_monitoring_dataset

    process_monitoring_dataset.delay(dataset_id)


@transaction.atomic
def request_processing(
    dataset: MonitoringDataset, *, by: Person, params: dict[str, Any] | None = None
) -> MonitoringDataset:
    """Process the dataset again (with new parameters when given). While the worker reads, the
    dataset is "processing" and shows no values; the new ones replace the old in one transaction.
    The dataset is locked, checked and moved to "processing" at once: of two requests at the same
    moment, the second waits for the first and is refused (409), so one worker reads the files."""
    if not rules.can_add_monitoring(by, dataset.area):
        raise NotAllowed(
            error_codes.MONITORING_ROLE, _("Only the site team of this area and IUCN staff process monitoring data.")
        )
    locked = MonitoringDataset.objects.select_for_update().get(pk=dataset.pk)
    restart = locked.status == DatasetStatus.PROCESSING
    if restart and not (rules.can_restart_processing(by) and _stuck(locked)):
        raise Conflict(error_codes.MONITORING_BUSY, _("The dataset is being processed; wait for the result."))
    if params is not None:
        locked.params = clean_params(locked.kind, params)
    locked.attempts, locked.processing_since = 0, timezone.now()
    locked.save(update_fields=["params", "attempts", "processing_since"])
    if not restart:
        locked = workflow.transition(locked, DatasetStatus.PROCESSING, by=by)
    audit_record(
        actor=by,
        action="monitoring_dataset.reprocess",
        target=locked,
        data={"params": locked.params, "restarted": restart},
    )
    transaction.on_commit(lambda: send_to_worker(locked.pk), robust=True)
    return locked


def _stuck(dataset: MonitoringDataset) -> bool:
    """Processing for longer than any task may run: no worker is reading it any more."""
    since = dataset.processing_since or dataset.created_at
    return timezone.now() - since > datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)


# --- processing (the worker) ---------------------------------------------------------------------

# Workers that may start reading a dataset without finishing before it fails (each start past the
# last one was a worker killed while reading: the message is redelivered, acks late). A retry after a
# transient database error counts as a start too.
MAX_ATTEMPTS = 3


def boundary_history(area: Any) -> list[Boundary]:
    """The area's boundary versions, each valid from the year it was recorded until the next one
    (the oldest also for every year before: the platform knows no earlier boundary)."""
    versions = list(
        area.boundary_versions.with_boundary().order_by("version").values_list("id", "boundary_geom", "created_at")
    )
    if not versions and getattr(area, "geom", None) is not None:
        return [Boundary(None, area.geom)]
    out: list[Boundary] = []
    for n, (pk, geom, created) in enumerate(versions):
        first = None if n == 0 else created.year
        nxt = versions[n + 1][2].year - 1 if n + 1 < len(versions) else None
        out.append(Boundary(pk, geom, first, nxt))
    return out


def _reader(kind: str) -> Callable[[list[Path], dict[str, Any], Any], ReadResult]:
    if kind == DatasetKind.CAMTRAP:
        return lambda files, params, _area: camtrap.read_camtrap(files, params)
    if kind == DatasetKind.OCCURRENCES:
        return lambda files, params, _area: dwca.read_occurrences(files, params)
    if kind == DatasetKind.ACOUSTIC:
        return lambda files, params, _area: acoustic.read_acoustic(files, params)
    from .readers import forest

    return lambda files, params, area: forest.read_forest_paths(files, params, boundary_history(area))


def process_dataset(dataset_id: int) -> MonitoringDataset:
    """Read the dataset's files and replace its values in one transaction (the worker's task)."""
    dataset = MonitoringDataset.objects.select_related("area").get(pk=dataset_id)
    if dataset.status != DatasetStatus.PROCESSING:
        dataset = workflow.transition(dataset, DatasetStatus.PROCESSING)
    with transaction.atomic():  # counted before reading: a worker killed while reading leaves its count
        started = MonitoringDataset.objects.select_for_update().get(pk=dataset_id)
        started.attempts += 1
        started.processing_since = timezone.now()
        started.save(update_fields=["attempts", "processing_since"])
    if started.attempts > MAX_ATTEMPTS:
        message = (
            f"The worker stopped while reading these files ({MAX_ATTEMPTS} times): they are not read again. "
            "Check their size and format, then process the dataset again."
        )
        log.error("monitoring dataset %s: %s", dataset_id, message)
        return _save(dataset, ReadResult(problems=[Problem("-", message, fatal=True)]))
    twice = repeated_name(dataset.files.values_list("original_name", flat=True))  # stored before names were checked
    if twice:
        message = f"Two files are both named '{twice}': one would replace the other. Add the dataset again, renamed."
        return _save(dataset, ReadResult(problems=[Problem(twice, message, fatal=True)]))
    try:
        with tempfile.TemporaryDirectory(prefix="monitoring-") as tmp:
            local = _materialise(dataset, Path(tmp) / "in")
            files, problems = expand(local, Path(tmp) / "unpacked")
            if problems:
                result = ReadResult(problems=problems)
            else:
                result = _reader(dataset.kind)(files, dict(dataset.params), dataset.area)
    except Exception:  # a bug in a reader must not leave the dataset "processing" for ever
        log.exception("monitoring dataset %s: the reader failed", dataset_id)
        result = ReadResult(
            problems=[Problem("-", "The files could not be read (an error in the platform).", fatal=True)]
        )
    return _save(dataset, result)


def _materialise(dataset: MonitoringDataset, root: Path) -> list[Path]:
    """The dataset's stored files copied to a scratch folder under their original relative names
    (so a package's own paths, like datapackage.json's, resolve), one folder per top-level name."""
    tops: dict[str, Path] = {}
    for row in dataset.files.all():
        target = root / _safe_name(row.original_name)
        target.parent.mkdir(parents=True, exist_ok=True)
        with row.file.open("rb") as src, open(target, "wb") as out:
            shutil.copyfileobj(src, out, 1024 * 1024)
        top = PurePosixPath(_safe_name(row.original_name)).parts[0]
        tops[top] = root / top
    return [tops[k] for k in sorted(tops)]


def _default_reason(kind: str) -> str:
    return NotComparable.COVERAGE if kind == DatasetKind.FOREST else NotComparable.EFFORT


@transaction.atomic
def _save(dataset: MonitoringDataset, result: ReadResult) -> MonitoringDataset:
    locked = MonitoringDataset.objects.select_for_update().get(pk=dataset.pk)
    MonitoringValue.objects.filter(dataset=locked).delete()
    MonitoringPoint.objects.filter(dataset=locked).delete()
    locked.problems = [p.as_dict() | {"fatal": p.fatal} for p in result.problems]
    locked.summary = dict(result.summary)
    if result.dropped_problems:
        locked.summary["problems_not_listed"] = result.dropped_problems
    locked.processed_at = timezone.now()
    locked.attempts, locked.processing_since = 0, None
    if not result.failed:
        MonitoringValue.objects.bulk_create(
            (
                MonitoringValue(
                    dataset=locked,
                    metric=v.metric,
                    taxon=v.taxon[:300] if v.taxon else None,
                    zone=v.zone,
                    period=v.period,
                    period_start=v.period_start,
                    value=v.value,
                    effort=v.effort,
                    effort_unit=v.effort_unit,
                    comparable=v.comparable,
                    not_comparable_reason="" if v.comparable else v.reason or _default_reason(locked.kind),
                    ci_low=v.ci_low,
                    ci_high=v.ci_high,
                    boundary_id=v.boundary_id,
                    method=v.method[:40],
                )
                for v in result.values
            ),
            batch_size=5000,
        )
        MonitoringPoint.objects.bulk_create(
            (
                MonitoringPoint(
                    dataset=locked,
                    kind=p.kind,
                    geom=Point(p.lon, p.lat, srid=4326),
                    taxon=p.taxon[:300] if p.taxon else None,
                    year=p.year,
                    label=p.label[:300],
                )
                for p in result.points
            ),
            batch_size=5000,
        )
    locked.save(update_fields=["problems", "summary", "processed_at", "attempts", "processing_since"])
    target = DatasetStatus.FAILED if result.failed else DatasetStatus.READY
    note = "; ".join(p.message for p in result.problems if p.fatal)
    return workflow.transition(locked, target, note=note)
