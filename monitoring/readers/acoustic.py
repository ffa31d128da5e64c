"""Acoustic detection tables: detections per species per recording hour.

Three layouts are read, told apart by their header (never by the file name):
- a **Raven selection table** (BirdNET's `.selection.table.txt`; TAB; `Begin Time (s)`,
  `End Time (s)`, `Common Name`, `Confidence`, and from BirdNET 2.4 on `Begin Path`,
  `File Offset (s)`, sometimes `Scientific Name`);
- a **BirdNET results CSV** (`start`, `end`, `scientific_name`, `confidence`, `filepath` in
  BirdNET ≤ 2.2; `Start (s)`, `End (s)`, `Scientific name`, `Confidence`, `File` from 2.4 on);
- **Audacity labels** (TAB, no header: start, end, "Scientific name, Common name", confidence).

The rules:
- a detection counts when its confidence is at least `min_confidence` (default 0: all rows);
- the taxon is the scientific name; a Raven table without one names species by their common name
  (reported once per file);
- one recording is read from one table only: BirdNET writes the same detections in several
  layouts, so a recording met again in another file is skipped and reported (preferring the CSV,
  then Audacity labels, which carry scientific names);
- recording hours: `duration_s` (the length of each recording, when given), else the span of the
  table (the end of its last detection window);
- the period is `params["year"]`, else a date in the recording's name (20200517, 2020-05-17), else
  the year the file was last modified, reported as such;
- rate = detections / recording hours with a Poisson 95 % interval; comparable from
  `min_recording_hours` (default 10) recording hours in the period on.
"""

from __future__ import annotations

import csv
import datetime
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..stats import rate_interval
from . import MapPoint, ReadResult, Value, too_large

MIN_RECORDING_HOURS = 10.0
DATE_IN_NAME = re.compile(r"(?<!\d)(19\d\d|20\d\d)-?(0[1-9]|1[0-2])-?(0[1-9]|[12]\d|3[01])(?!\d)")
PREFERENCE = {"birdnet-csv": 0, "audacity": 1, "raven": 2}

# Layout → {our field: the header names it may carry}.
RAVEN = {
    "start": ("Begin Time (s)",),
    "end": ("End Time (s)",),
    "confidence": ("Confidence",),
    "scientific": ("Scientific Name",),
    "common": ("Common Name",),
    "file": ("Begin Path", "Begin File"),
    "offset": ("File Offset (s)",),
}
BIRDNET_CSV = {
    "start": ("start", "Start (s)"),
    "end": ("end", "End (s)"),
    "confidence": ("confidence", "Confidence"),
    "scientific": ("scientific_name", "Scientific name"),
    "common": ("common_name", "Common name"),
    "file": ("filepath", "File"),
    "lat": ("lat",),
    "lon": ("lon",),
}
REQUIRED = {"raven": ("start", "end", "confidence"), "birdnet-csv": ("start", "end", "confidence", "scientific")}


@dataclass(frozen=True)
class Detection:
    recording: str
    start: float
    end: float
    taxon: str
    confidence: float


def looks_like(files: list[Path]) -> bool:
    return any(_layout(_first_line(f)) is not None for f in files)


def _first_line(path: Path) -> str:
    try:
        with open(path, encoding="utf-8-sig", errors="replace") as handle:
            return handle.readline(10_000).rstrip("\r\n")
    except OSError:
        return ""


def _layout(line: str) -> str | None:
    if "\t" in line and "Begin Time (s)" in line:
        return "raven"
    columns = {c.strip() for c in line.split(",")}
    if columns & {"scientific_name", "Scientific name"} and columns & {"confidence", "Confidence"}:
        return "birdnet-csv"
    parts = line.split("\t")
    if len(parts) == 4 and "," in parts[2]:
        try:
            float(parts[0]), float(parts[1]), float(parts[3])
            return "audacity"
        except ValueError:
            return None
    return None


def read_acoustic(files: list[Path], params: dict[str, Any]) -> ReadResult:
    result = ReadResult()
    min_confidence = float(params.get("min_confidence") or 0.0)
    duration_s = float(params["duration_s"]) if params.get("duration_s") else None
    min_hours = float(params.get("min_recording_hours") or MIN_RECORDING_HOURS)
    tables = []
    for path in files:
        if too_large(result, path):
            return result
        layout = _layout(_first_line(path))
        if layout is None:
            header = _first_line(path)[:300]
            result.problem(
                path,
                "The columns are not those of a detection table this platform reads (a Raven selection table, "
                f"a BirdNET results CSV or Audacity labels); found: {header or 'an empty file'}.",
                row=0,
                fatal=True,
            )
            continue
        tables.append((PREFERENCE[layout], path.name, layout, path))
    if result.failed:
        return result
    if not tables:
        result.problem("-", "No detection table was given.", fatal=True)
        return result
    detections: dict[str, list[Detection]] = {}
    source: dict[str, str] = {}
    lat_lon: dict[str, tuple[float, float]] = {}
    common_named: set[str] = set()
    for _rank, _name, layout, path in sorted(tables):
        try:
            rows = _read_table(path, layout, result, lat_lon, common_named)
        except csv.Error as exc:  # e.g. a field over csv.field_size_limit
            result.problem(path, f"The table cannot be read ({exc}).", fatal=True)
            return result
        by_recording: dict[str, list[Detection]] = defaultdict(list)
        for d in rows:
            by_recording[d.recording].append(d)
        for recording, found in by_recording.items():
            if recording in detections:
                result.problem(
                    path,
                    f"The recording '{recording}' was already read from '{source[recording]}'; "
                    "this file's detections of it are not counted again.",
                )
                continue
            found.sort(key=lambda d: (d.start, d.end, d.taxon))  # numerically, not as text
            detections[recording] = found
            source[recording] = path.name
    if result.failed:
        return result
    _values(result, detections, params, duration_s, min_confidence, min_hours, files)
    for recording, (lat, lon) in sorted(lat_lon.items()):
        if recording in detections and -90 <= lat <= 90 and -180 <= lon <= 180:
            result.points.append(MapPoint("deployment", lon, lat, label=recording))
    return result


def _recording_of(path: Path) -> str:
    return path.name.split(".")[0]


def _read_table(
    path: Path, layout: str, result: ReadResult, lat_lon: dict[str, tuple[float, float]], common_named: set[str]
) -> list[Detection]:
    out: list[Detection] = []
    with open(path, newline="", encoding="utf-8-sig", errors="replace") as handle:
        if layout == "audacity":
            for row_number, row in enumerate(csv.reader(handle, delimiter="\t"), start=1):
                if not row:
                    continue
                if len(row) != 4:
                    result.problem(path, f"Expected 4 columns, found {len(row)}.", row=row_number)
                    continue
                try:
                    start, end, confidence = float(row[0]), float(row[1]), float(row[3])
                except ValueError:
                    result.problem(path, "The start, end or confidence is not a number.", row=row_number)
                    continue
                taxon = row[2].split(",")[0].strip()
                out.append(Detection(_recording_of(path), start, end, taxon, confidence))
            return out
        reader = csv.reader(handle, delimiter="\t" if layout == "raven" else ",")
        header = [h.strip() for h in next(reader, [])]
        aliases = RAVEN if layout == "raven" else BIRDNET_CSV
        index = {key: header.index(name) for key, names in aliases.items() for name in names if name in header}
        missing = [aliases[key][0] for key in REQUIRED[layout] if key not in index]
        if layout == "raven" and "scientific" not in index and "common" not in index:
            missing.append("Common Name")
        for column in missing:
            result.problem(path, f"The column '{column}' is missing.", row=0, column=column, fatal=True)
        if missing:
            return out
        if layout == "raven" and "scientific" not in index:
            common_named.add(path.name)
            result.problem(path, "The table has no scientific names; its species are named by their common names.")

        def cell(row: list[str], key: str) -> str:
            n = index.get(key)
            return row[n].strip() if n is not None and n < len(row) else ""

        for row_number, row in enumerate(reader, start=1):
            if not row or not any(row):
                continue
            values: dict[str, float] = {}
            for key in ("start", "end", "confidence"):
                try:
                    values[key] = float(cell(row, key))
                except ValueError:
                    result.problem(
                        path, f"'{cell(row, key)}' is not a number.", row=row_number, column=header[index[key]]
                    )
                    break
            if len(values) < 3:
                continue
            taxon = cell(row, "scientific") or cell(row, "common")
            if not taxon:
                result.problem(path, "The detection names no species.", row=row_number)
                continue
            file_cell = cell(row, "file")
            recording = Path(file_cell.replace("\\", "/")).stem if file_cell else _recording_of(path)
            offset = cell(row, "offset")
            start, end = values["start"], values["end"]
            if offset:  # BirdNET 2.4 Raven tables: Begin Time runs over all files, the offset is per file
                try:
                    start, end = float(offset), float(offset) + (end - start)
                except ValueError:
                    pass
            if cell(row, "lat") and cell(row, "lon"):
                try:
                    lat_lon.setdefault(recording, (float(cell(row, "lat")), float(cell(row, "lon"))))
                except ValueError:
                    pass
            out.append(Detection(recording, start, end, taxon, values["confidence"]))
    return out


def _period(recording: str, params: dict[str, Any], files: list[Path], result: ReadResult) -> str:
    if params.get("year"):
        return str(int(params["year"]))
    match = DATE_IN_NAME.search(recording)
    if match:
        return match.group(1)
    newest = max(files, key=lambda f: f.stat().st_mtime)
    year = datetime.datetime.fromtimestamp(newest.stat().st_mtime, tz=datetime.UTC).year
    result.problem(
        recording,
        f"The recording's date is neither in its name nor given; its detections are filed under {year}, the "
        "year the file was last changed. Give the year (--year) to file them correctly.",
    )
    return str(year)


def _values(
    result: ReadResult,
    detections: dict[str, list[Detection]],
    params: dict[str, Any],
    duration_s: float | None,
    min_confidence: float,
    min_hours: float,
    files: list[Path],
) -> None:
    hours: dict[str, float] = defaultdict(float)
    counts: dict[tuple[str, str], int] = defaultdict(int)
    taxa: set[str] = set()
    total = kept = 0
    for recording, found in detections.items():
        period = _period(recording, params, files, result)
        span = duration_s if duration_s is not None else max((d.end for d in found), default=0.0)
        hours[period] += span / 3600
        for d in found:
            total += 1
            taxa.add(d.taxon)
            if d.confidence >= min_confidence:
                kept += 1
                counts[(period, d.taxon)] += 1
    for period in sorted(hours):
        effort = hours[period]
        if effort <= 0:
            continue
        for taxon in sorted(taxa):
            n = counts.get((period, taxon), 0)
            low, high = rate_interval(n, effort)
            result.values.append(
                Value(
                    "detections_per_hour",
                    period,
                    n / effort,
                    taxon=taxon,
                    effort=round(effort, 6),
                    effort_unit="recording-hours",
                    comparable=effort >= min_hours,
                    ci_low=low,
                    ci_high=high,
                    method="acoustic-detections",
                )
            )
    result.summary = {
        "recordings": len(detections),
        "detections": total,
        "detections_kept": kept,
        "min_confidence": min_confidence,
        "recording_hours": round(sum(hours.values()), 6),
        "species": len(taxa),
        "species_kept": len({t for (_p, t) in counts}),
    }
