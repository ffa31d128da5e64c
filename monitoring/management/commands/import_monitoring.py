"""Bulk loads of monitoring data: every PATH (a file, a folder or a zip) becomes part of a dataset of
the area, through the same service (and so the same checks) as an upload, then is processed by a
worker.

Without --kind each PATH's kind is told from its content and the PATHs of one kind make one
dataset; with --kind all PATHs make one dataset. With --json the last line is one JSON object:
{"series": [{"kind", "metric", "taxon", "period", "value", "effort", "effort_unit", ...}],
 "errors": [{"path", "file", "row", "column", "message", "fatal"}], "datasets": [...]}.
"""

from __future__ import annotations

import json
import os
import time
from contextlib import ExitStack
from pathlib import Path
from typing import IO, Any

from django.core.management.base import BaseCommand, CommandError

from core.errors import DomainError
from monitoring import error_codes
from monitoring.choices import DatasetKind, DatasetStatus
from monitoring.models import MonitoringDataset
from monitoring.selectors import series_rows
from monitoring.services import ALLOWED_SUFFIXES, add_dataset, guess_kind, process_dataset
from protected_areas.models import ProtectedArea

FINAL = {DatasetStatus.READY, DatasetStatus.FAILED}
# How long --wait lets the message sit unclaimed before the command reads the dataset itself (a
# machine with no worker running still gets its answer; a worker that takes the message later
# only writes the same values again).
UNCLAIMED_SECONDS = 30


class Command(BaseCommand):
    help = "Add monitoring data (camera traps, forest loss, occurrences, acoustic detections) to an area."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument("--area", required=True, help="The area's key (e.g. wdpa:478140) or WDPA id.")
        parser.add_argument("--kind", choices=DatasetKind.values, help="Default: told from each PATH's content.")
        parser.add_argument("--min-confidence", type=float, help="Acoustic: detections below it are not counted.")
        parser.add_argument("--year", type=int, help="Acoustic: the year of recordings whose names carry no date.")
        parser.add_argument("--duration-s", type=float, help="Acoustic: the length of each recording in seconds.")
        parser.add_argument("--canopy-threshold", type=float, help="Forest: percent canopy in 2000 (default 30).")
        parser.add_argument("--buffer-km", type=float, help="Forest: width of the buffer ring (default 10).")
        parser.add_argument("--title", help="The dataset's title (default: the first PATH's name).")
        parser.add_argument("--sensitive", action="store_true", help="Generalise the locations everywhere.")
        parser.add_argument("--wait", action="store_true", help="Wait for the worker's result.")
        parser.add_argument("--timeout", type=int, default=3600, help="Seconds --wait waits at most.")
        parser.add_argument("--json", action="store_true", help="End with one JSON line of series and errors.")

    def handle(self, *args, paths, area, kind, wait, timeout, json: bool, **options):
        target = _area(area)
        errors: list[dict[str, Any]] = []
        groups: dict[str, list[Path]] = {}
        for raw in paths:
            path = Path(raw)
            if not path.exists():
                raise CommandError(f"{raw}: no such file or folder.")
            found = kind or guess_kind([path])
            if found is None:
                errors.append(_error(raw, "The kind of data could not be told from the content; give --kind."))
                continue
            groups.setdefault(found, []).append(path)
        if found_unavailable := [k for k in groups if k == DatasetKind.FOREST and not _forest_available()]:
            for k in found_unavailable:
                errors.append(_error(", ".join(map(str, groups.pop(k))), "The forest kind is not available yet."))
        datasets: list[MonitoringDataset] = []
        for group_kind, group in groups.items():
            try:
                datasets.append(self._add(target, group_kind, group, options))
            except DomainError as exc:
                errors.append(_error(", ".join(map(str, group)), exc.message))
        if wait and datasets:
            datasets = [self._wait(d, timeout) for d in datasets]
        series: list[dict[str, Any]] = []
        for dataset in datasets:
            dataset.refresh_from_db()
            series += series_rows(dataset)
            errors += [{"path": dataset.title, **p} for p in dataset.problems]
            if options["verbosity"]:
                self.stderr.write(
                    f"Dataset {dataset.pk} ({dataset.kind}): {dataset.status}, "
                    f"{dataset.values.count()} values, {len(dataset.problems)} problems."
                )
        if json:
            self.stdout.write(
                _dumps(
                    {
                        "series": series,
                        "errors": errors,
                        "datasets": [{"id": d.pk, "kind": d.kind, "status": d.status} for d in datasets],
                    }
                )
            )
        elif errors and options["verbosity"]:
            for e in errors:
                where = ", ".join(str(e[k]) for k in ("file", "row", "column") if e.get(k) not in (None, ""))
                self.stderr.write(f"{where or e.get('path')}: {e['message']}")
        if any(e.get("fatal", True) for e in errors) or any(d.status == DatasetStatus.FAILED for d in datasets):
            raise SystemExit(1)

    def _add(self, area: ProtectedArea, kind: str, paths: list[Path], options: dict[str, Any]) -> MonitoringDataset:
        by_kind: dict[str, dict[str, Any]] = {
            DatasetKind.ACOUSTIC: {
                "min_confidence": options["min_confidence"],
                "year": options["year"],
                "duration_s": options["duration_s"],
            },
            DatasetKind.FOREST: {"canopy_threshold": options["canopy_threshold"], "buffer_km": options["buffer_km"]},
        }
        params = by_kind.get(kind, {})
        files = _files(paths, kind)
        if not files:
            raise DomainError(error_codes.MONITORING_NO_FILES, f"No {kind} files under the given paths.")
        with ExitStack() as stack:
            handles: list[tuple[str, IO[bytes]]] = [
                (name, stack.enter_context(open(path, "rb"))) for name, path in files
            ]
            return add_dataset(
                area=area,
                title=options["title"] or paths[0].name,
                files=handles,
                by=None,
                kind=kind,
                params={k: v for k, v in params.items() if v is not None},
                sensitive=options["sensitive"],
            )

    def _wait(self, dataset: MonitoringDataset, timeout: int) -> MonitoringDataset:
        start = time.monotonic()
        while True:
            dataset.refresh_from_db()
            if dataset.status in FINAL:
                return dataset
            waited = time.monotonic() - start
            if dataset.status == DatasetStatus.RECEIVED and waited > UNCLAIMED_SECONDS:
                self.stderr.write(f"No worker took dataset {dataset.pk} in {UNCLAIMED_SECONDS} s; processing it here.")
                return process_dataset(dataset.pk)
            if waited > timeout:
                self.stderr.write(f"Gave up waiting after {timeout} s; dataset {dataset.pk} is {dataset.status}.")
                return dataset
            time.sleep(0.5)


def _area(key: str) -> ProtectedArea:
    found = ProtectedArea.objects.filter(key=key).first()
    if found is None and key.isdigit():
        found = ProtectedArea.objects.filter(wdpa_id=int(key)).order_by("key").first()
    if found is None:
        raise CommandError(f"No protected area with key {key}.")
    return found


def _forest_available() -> bool:
    try:
        from monitoring.readers import forest  # noqa: F401  (lane E's reader)
    except ImportError:
        return False
    return True


def _files(paths: list[Path], kind: str) -> list[tuple[str, Path]]:
    """(stored name, path) of every file of the kind under the paths; a folder's files keep their
    path below the folder's own name (so a package's relative paths still resolve)."""
    allowed = ALLOWED_SUFFIXES[kind]
    out: list[tuple[str, Path]] = []
    for path in paths:
        if path.is_file():
            out.append((path.name, path))
            continue
        for root, dirs, names in os.walk(path):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(names):
                full = Path(root) / name
                if name.startswith(".") or full.suffix.lower() not in allowed or full.is_symlink():
                    continue  # e.g. a Camtrap DP package's images: not read for the series
                out.append((f"{path.name}/{full.relative_to(path).as_posix()}", full))
    return out


def _error(path: str, message: str) -> dict[str, Any]:
    return {"path": path, "file": None, "row": None, "column": None, "message": message, "fatal": True}


def _dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, default=str)
