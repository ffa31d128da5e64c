"""Readers: pure functions from a dataset's files to tidy values, map points and problems.

No database and no storage: the service (`monitoring.services`) hands each reader local paths and
the dataset's parameters, and writes what comes back in one transaction. Every reader returns a
`ReadResult`; a problem that stops the whole reading (no deployments table, an unreadable archive)
is a `Problem` with `fatal=True`, and the dataset then fails with nothing written. Problems of
single rows are kept beside the values (the row is skipped, the rest is counted).

The readers, one per kind (`DatasetKind`):
- camtrap: `monitoring.readers.camtrap.read_camtrap(paths, params)`
- occurrences: `monitoring.readers.dwca.read_occurrences(paths, params)`
- acoustic: `monitoring.readers.acoustic.read_acoustic(paths, params)`
- forest: `monitoring.readers.forest.read_forest(paths, params, boundaries)`, where `boundaries`
  is a list of `Boundary` (the area's boundary history, each version with the years it is valid
  for; see `monitoring.services.boundary_history`).
"""

from __future__ import annotations

import csv
import datetime
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Files larger than this are not read at all (a table of 1 million observations is ~200 MB).
MAX_TABLE_BYTES = 1024 * 1024 * 1024
# At most this many problems of single rows are kept; the summary counts the rest.
MAX_PROBLEMS = 200
# The longest CSV field the readers accept (a long remark or a JSON column; the csv module's default
# is 128 kB); a longer one makes the table unreadable (a csv.Error the reader reports). The csv module
# keeps one limit per process, so it is set here, once, for every reader (this package is imported
# before any of them): the web process (kind guessing) and the worker then read alike, whichever
# reader came first (it is no longer a side effect of importing one reader).
CSV_FIELD_MAX = 1024 * 1024
csv.field_size_limit(CSV_FIELD_MAX)


@dataclass(frozen=True)
class Value:
    """One tidy value (becomes a `MonitoringValue`)."""

    metric: str
    period: str  # "2020" or "2020-05"
    value: float
    taxon: str | None = None
    zone: str = "inside"
    effort: float | None = None
    effort_unit: str = ""
    comparable: bool = True
    reason: str = ""  # why not comparable (a `NotComparable` value); empty: the service says "effort"
    ci_low: float | None = None
    ci_high: float | None = None
    method: str = ""
    boundary_id: int | None = None  # the BoundaryVersion the value was computed in

    @property
    def period_start(self) -> datetime.date:
        year, _, month = self.period.partition("-")
        return datetime.date(int(year), int(month or 1), 1)


@dataclass(frozen=True)
class MapPoint:
    """A place for the map (becomes a `MonitoringPoint`), WGS 84."""

    kind: str  # deployment | record | loss
    lon: float
    lat: float
    taxon: str | None = None
    year: int | None = None
    label: str = ""


@dataclass(frozen=True)
class Problem:
    """One problem, as precise as the reader can be: file, row (1 = first data row, the header
    being row 0), column; `fatal` when the dataset cannot be read at all."""

    file: str
    message: str
    row: int | None = None
    column: str | None = None
    fatal: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "row": self.row, "column": self.column, "message": self.message}


@dataclass(frozen=True)
class Boundary:
    """A boundary version of the area, valid for the years first_year..last_year (None: open)."""

    id: int | None
    geom: Any  # GEOS MultiPolygon, EPSG:4326
    first_year: int | None = None
    last_year: int | None = None

    def covers(self, year: int) -> bool:
        return (self.first_year is None or year >= self.first_year) and (
            self.last_year is None or year <= self.last_year
        )


@dataclass
class ReadResult:
    values: list[Value] = field(default_factory=list)
    points: list[MapPoint] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    dropped_problems: int = 0

    @property
    def failed(self) -> bool:
        return any(p.fatal for p in self.problems)

    def problem(
        self, file: str | Path, message: str, *, row: int | None = None, column: str | None = None, fatal: bool = False
    ) -> None:
        name = Path(file).name if not isinstance(file, str) or "/" in file else file
        if not fatal and len(self.problems) >= MAX_PROBLEMS:
            self.dropped_problems += 1
            return
        self.problems.append(Problem(str(name), message, row=row, column=column, fatal=fatal))


def too_large(result: ReadResult, path: Path) -> bool:
    """Refuse (as a fatal problem) a file over the size every reader accepts."""
    if path.stat().st_size > MAX_TABLE_BYTES:
        result.problem(
            path, f"The file is larger than {MAX_TABLE_BYTES // (1024 * 1024):,} MB; it was not read.", fatal=True
        )
        return True
    return False
