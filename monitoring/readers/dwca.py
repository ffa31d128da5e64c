"""Darwin Core Archives of species occurrences (GBIF downloads and the like): record counts and
species richness per year, and the records' places for the map.

The archive is read by `python-dwca-reader` (meta.xml driven: the core's delimiter, quoting, header
lines and term → column mapping come from the archive's own descriptor), from the folder the
service unpacked under the platform's zip limits; extension files (verbatim, multimedia) are not
read. The rules:
- a record is a core row whose rowType is Occurrence, not marked `occurrenceStatus` absent;
- its year is dwc:year, else the year of dwc:eventDate (ISO 8601; an interval counts its start);
- its taxon is GBIF's interpreted dwc:species where present, else dwc:scientificName; species
  richness is the number of distinct taxa recorded that year;
- record_count is given area-wide and per taxon; a year is comparable only when it holds at least
  `min_records` (default 50) records: occurrence data carry no sampling effort, so a thin year says
  more about who collected than about the species;
- a record without usable coordinates is counted but not mapped, and reported (file, row, column).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path
from typing import Any

from dwca.exceptions import InvalidArchive, NotADataFile
from dwca.read import DwCAReader

from . import MapPoint, ReadResult, Value, too_large
from .files import find

DWC = "http://rs.tdwg.org/dwc/terms/"
OCCURRENCE = DWC + "Occurrence"
MIN_RECORDS = 50
META_MAX_BYTES = 5_000_000
YEAR = re.compile(r"^\s*(\d{4})")


def looks_like(files: list[Path]) -> bool:
    meta = find(files, "meta.xml")
    if meta is None or meta.stat().st_size > META_MAX_BYTES:
        return False
    try:
        return "rs.tdwg.org/dwc/text" in meta.read_text("utf-8", errors="replace")
    except OSError:
        return False


def read_occurrences(files: list[Path], params: dict[str, Any]) -> ReadResult:
    result = ReadResult()
    min_records = int(params.get("min_records") or MIN_RECORDS)
    meta = find(files, "meta.xml")
    if meta is None:
        result.problem("meta.xml", "The archive has no meta.xml: it is not a Darwin Core Archive.", fatal=True)
        return result
    root = meta.parent
    if meta.stat().st_size > META_MAX_BYTES:
        result.problem(meta, "meta.xml is larger than 5 MB; it was not read.", fatal=True)
        return result
    try:
        with DwCAReader(str(root), skip_metadata=True) as probe:
            if probe.descriptor is None:
                raise InvalidArchive("meta.xml could not be read")
            core = probe.descriptor.core
            ignore = [e.file_location for e in probe.descriptor.extensions]
            core_type, core_file = core.type, core.file_location
        if core_type != OCCURRENCE:
            result.problem(meta, f"The archive's core is '{core_type}', not occurrences; it is not read.", fatal=True)
            return result
        core_path = (root / core_file).resolve()
        if not core_path.is_relative_to(root.resolve()) or not core_path.is_file():
            result.problem(core_file, "The occurrence file named in meta.xml is missing.", fatal=True)
            return result
        if too_large(result, core_path):
            return result
        with DwCAReader(str(root), extensions_to_ignore=ignore, skip_metadata=True) as archive:
            _read_rows(archive, core_path.name, result, min_records)
    except (InvalidArchive, NotADataFile, ET.ParseError, KeyError, ValueError, OSError, UnicodeDecodeError) as exc:
        result.problem(meta, f"The archive cannot be read: {exc}", fatal=True)
    return result


def _read_rows(archive: DwCAReader, name: str, result: ReadResult, min_records: int) -> None:
    records: dict[int, int] = defaultdict(int)
    per_taxon: dict[tuple[int, str], int] = defaultdict(int)
    without_year = without_coordinates = absent = 0
    total = 0
    for row_number, row in enumerate(archive, start=1):
        data = row.data
        total += 1
        if (data.get(DWC + "occurrenceStatus") or "").strip().lower() == "absent":
            absent += 1
            continue
        year = _year(data)
        if year is None:
            without_year += 1
            result.problem(
                name,
                "The record has no year (dwc:year or dwc:eventDate); it is not counted.",
                row=row_number,
                column="eventDate",
            )
            continue
        taxon = (data.get(DWC + "species") or data.get(DWC + "scientificName") or "").strip() or None
        records[year] += 1
        if taxon:
            per_taxon[(year, taxon)] += 1
        lat, lon = _coordinates(data)
        if lat is None or lon is None:
            without_coordinates += 1
            result.problem(
                name,
                "The record has no usable coordinates; it is counted but not mapped.",
                row=row_number,
                column="decimalLatitude",
            )
        else:
            result.points.append(MapPoint("record", lon, lat, taxon=taxon, year=year))
    if total == 0:
        result.problem(name, "The archive holds no records.", fatal=True)
        return
    if result.points == [] and without_coordinates:
        result.problem(name, "No record has coordinates: the dataset has no map.")
    for year in sorted(records):
        n = records[year]
        comparable = n >= min_records
        taxa = sorted(t for (y, t) in per_taxon if y == year)
        result.values.append(
            Value(
                "record_count",
                str(year),
                n,
                effort=n,
                effort_unit="records",
                comparable=comparable,
                method="dwca-records",
            )
        )
        result.values.append(
            Value(
                "species_richness",
                str(year),
                len(taxa),
                effort=n,
                effort_unit="records",
                comparable=comparable,
                method="dwca-richness",
            )
        )
        for taxon in taxa:
            result.values.append(
                Value(
                    "record_count",
                    str(year),
                    per_taxon[(year, taxon)],
                    taxon=taxon,
                    effort=n,
                    effort_unit="records",
                    comparable=comparable,
                    method="dwca-records",
                )
            )
    result.summary = {
        "records": total,
        "records_per_year": {str(y): records[y] for y in sorted(records)},
        "taxa": len({t for (_y, t) in per_taxon}),
        "without_year": without_year,
        "without_coordinates": without_coordinates,
        "absent": absent,
        "min_records": min_records,
    }


def _year(data: dict[str, str]) -> int | None:
    for term in ("year", "eventDate"):
        match = YEAR.match(data.get(DWC + term) or "")
        if match and 1500 <= int(match.group(1)) <= 2100:
            return int(match.group(1))
    return None


def _coordinates(data: dict[str, str]) -> tuple[float | None, float | None]:
    try:
        lat = float(data.get(DWC + "decimalLatitude") or "nan")
        lon = float(data.get(DWC + "decimalLongitude") or "nan")
    except ValueError:
        return None, None
    if -90 <= lat <= 90 and -180 <= lon <= 180 and not (lat == 0 and lon == 0):
        return lat, lon
    return None, None
