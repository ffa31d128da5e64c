"""Camtrap DP 1.0 packages (https://camtrap-dp.tdwg.org): detection rate and naive occupancy per
taxon per year.

The package is read with the csv module against the Camtrap DP 1.0 field names: the table schemas
a package names are URLs, and the platform fetches nothing while it reads a user's file. Resources
other than deployments, media and observations (such as an `individuals` table) are ignored.

The rules, stated once (docs/monitoring.md repeats them):
- **Effort**: a deployment's trap-nights are its end − start in days (the timestamps keep their UTC
  offsets), split over the calendar years of the deployment's own local time.
- **Independent events**: an event is one (deployment, eventID, taxon) among observations of type
  `animal`. Where an event has event-level observations, only those count (they are the
  classification of the whole sequence); media-level observations count only for events without
  any. Media-level rows without an eventID are grouped per deployment and taxon: a new event
  starts when more than 30 minutes passed since the previous image of that taxon there.
- **Year** of an event: its eventStart in the deployment's local time. An observation more than an
  hour outside its deployment's start and end is reported and not counted (dates out of order).
- **Detection rate** = events / trap-nights × 100, with a Poisson 95 % interval (monitoring.stats).
- **Naive occupancy** = deployments with at least one event of the taxon that year / deployments
  active that year, with a Wilson 95 % interval; not corrected for imperfect detection.
- A year is **comparable** with others only when its effort reaches `min_trap_nights` (default
  100) for rates and `min_deployments` (default 5) for occupancy, and when its cameras stood at
  the same sites as in other years: a trend across different sites (a rotating design, the TDWG
  example's 2020 and 2021) mixes the sites' differences into the years'. A site is a deployment's
  locationID, else its locationName, else its coordinates to 4 decimals; two years share their
  sites when at least `MIN_SHARED_SITES` of the sites of either are shared (Jaccard index). The
  years sharing their sites with the most other years are the reference; the others are not
  comparable (reason "sites"), and nor is the reference when no other year shares its sites.
  Deployments without any site information are left out of this check.
"""

from __future__ import annotations

import csv
import datetime
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from ..stats import rate_interval, wilson_interval
from . import MapPoint, ReadResult, Value, too_large
from .files import find

MIN_TRAP_NIGHTS = 100.0
MIN_DEPLOYMENTS = 5
INDEPENDENCE = datetime.timedelta(minutes=30)
# Two years' camera sites are "the same" when their Jaccard index reaches this (a camera lost in
# one year of ten sites leaves 0.9; a rotation to new sites gives 0).
MIN_SHARED_SITES = 0.75
DESCRIPTOR_MAX_BYTES = 5_000_000
# An observation this far outside its deployment's start and end (clock drift, a camera set a few
# minutes early) is still counted; further out, it is reported and left out of the rates.
SLACK = datetime.timedelta(hours=1)
DEPLOYMENT_COLUMNS = ("deploymentID", "deploymentStart", "deploymentEnd")
OBSERVATION_COLUMNS = ("deploymentID", "eventStart", "observationLevel", "observationType", "scientificName")


class _Deployment:
    __slots__ = ("id", "start", "end", "label", "lat", "lon", "site")

    def __init__(self, id: str, start: datetime.datetime, end: datetime.datetime, label: str, site: str = ""):
        self.id, self.start, self.end, self.label, self.site = id, start, end, label, site
        self.lat: float | None = None
        self.lon: float | None = None

    def nights_per_year(self) -> dict[int, float]:
        out: dict[int, float] = {}
        tz = self.start.tzinfo
        start, end = self.start, self.end.astimezone(tz)
        while start < end:
            next_year = datetime.datetime(start.year + 1, 1, 1, tzinfo=tz)
            stop = min(end, next_year)
            out[start.year] = out.get(start.year, 0.0) + (stop - start).total_seconds() / 86400
            start = stop
        return out


def looks_like(files: list[Path]) -> bool:
    names = {f.name.lower() for f in files}
    if {"deployments.csv", "observations.csv"} <= names:
        return True
    package = find(files, "datapackage.json")
    if package is not None and package.stat().st_size <= DESCRIPTOR_MAX_BYTES:
        try:
            profile = str(json.loads(package.read_text("utf-8")).get("profile", ""))
        except (ValueError, UnicodeDecodeError, AttributeError):
            return False
        return "camtrap-dp" in profile
    return False


def read_camtrap(files: list[Path], params: dict[str, Any]) -> ReadResult:
    result = ReadResult()
    min_nights = float(params.get("min_trap_nights") or MIN_TRAP_NIGHTS)
    min_deployments = int(params.get("min_deployments") or MIN_DEPLOYMENTS)
    paths = _resource_paths(files, result)
    for name in ("deployments", "observations"):
        if paths.get(name) is None:
            result.problem(f"{name}.csv", f"The package has no {name} table ({name}.csv).", fatal=True)
    if result.failed:
        return result
    if any(too_large(result, p) for p in paths.values() if p is not None):
        return result
    deployment_path, observation_path = paths["deployments"], paths["observations"]
    assert deployment_path is not None and observation_path is not None  # checked above
    try:
        deployments = _deployments(deployment_path, result)
        if result.failed:
            return result
        events, counts = _events(observation_path, deployments, result)
    except csv.Error as exc:  # e.g. a field over csv.field_size_limit: the file is no table we read
        result.problem(
            "observations.csv" if "deployments" in locals() else "deployments.csv",
            f"The table cannot be read as CSV ({exc}).",
            fatal=True,
        )
        return result
    if result.failed:
        return result
    _values(result, deployments, events, min_nights, min_deployments)
    for d in deployments.values():
        if d.lat is not None and d.lon is not None:
            result.points.append(MapPoint("deployment", d.lon, d.lat, year=d.start.year, label=d.label))
    years = sorted({y for d in deployments.values() for y in d.nights_per_year()})
    result.summary = {
        "deployments": len(deployments),
        "deployment_days": round(sum((d.end - d.start).total_seconds() for d in deployments.values()) / 86400, 2),
        "years": years,
        "deployments_per_year": {
            str(y): sum(1 for d in deployments.values() if y in d.nights_per_year()) for y in years
        },
        "observations": counts,
        "events": sum(len(keys) for by_year in events.values() for keys in by_year.values()),
        "taxa": sorted({taxon for (_d, taxon) in events}),
        "rule": "independent events: event-level observations where present, else media-level grouped by eventID "
        "(30 minutes without eventID)",
    }
    return result


def _resource_paths(files: list[Path], result: ReadResult) -> dict[str, Path | None]:
    """The tables, by the paths datapackage.json gives, else by their usual names."""
    paths: dict[str, Path | None] = {name: find(files, f"{name}.csv") for name in ("deployments", "observations")}
    package = find(files, "datapackage.json")
    if package is None:
        result.problem("datapackage.json", "The package has no datapackage.json; the tables were read by their names.")
        return paths
    if package.stat().st_size > DESCRIPTOR_MAX_BYTES:
        result.problem(package, "datapackage.json is larger than 5 MB; it was not read.", fatal=True)
        return paths
    try:
        descriptor = json.loads(package.read_text("utf-8"))
        resources = descriptor.get("resources", [])
    except (ValueError, UnicodeDecodeError, AttributeError) as exc:
        result.problem(package, f"datapackage.json is not valid JSON ({exc}); the tables were read by their names.")
        return paths
    for resource in resources if isinstance(resources, list) else []:
        if not isinstance(resource, dict) or resource.get("name") not in paths:
            continue  # an extra resource (e.g. "individuals") is not part of Camtrap DP: ignored
        path = resource.get("path")
        if isinstance(path, str) and not path.startswith(("http://", "https://")):
            local = (package.parent / path).resolve()
            if local.is_relative_to(package.parent.resolve()) and local.is_file():
                paths[resource["name"]] = local
    return paths


def _timestamp(text: str) -> datetime.datetime | None:
    try:
        value = datetime.datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=datetime.UTC)


def _header(path: Path, reader: Any, required: tuple[str, ...], result: ReadResult) -> dict[str, int] | None:
    header = next(reader, None)
    if header is None:
        result.problem(path, "The table is empty.", fatal=True)
        return None
    index = {name.strip().lstrip("\ufeff"): n for n, name in enumerate(header)}
    missing = [c for c in required if c not in index]
    for column in missing:
        result.problem(path, f"The required column '{column}' is missing.", row=0, column=column, fatal=True)
    return None if missing else index


def _deployments(path: Path, result: ReadResult) -> dict[str, _Deployment]:
    out: dict[str, _Deployment] = {}
    with open(path, newline="", encoding="utf-8-sig", errors="replace") as handle:
        reader = csv.reader(handle)
        index = _header(path, reader, DEPLOYMENT_COLUMNS, result)
        if index is None:
            return out
        get = _getter(index)
        for row_number, row in enumerate(reader, start=1):
            did = get(row, "deploymentID")
            start, end = _timestamp(get(row, "deploymentStart")), _timestamp(get(row, "deploymentEnd"))
            if not did:
                result.problem(path, "The deployment has no deploymentID.", row=row_number, column="deploymentID")
                continue
            if did in out:
                result.problem(path, f"The deploymentID '{did}' is repeated.", row=row_number, column="deploymentID")
                continue
            bad = "deploymentStart" if start is None else "deploymentEnd" if end is None else None
            if bad:
                result.problem(path, f"'{get(row, bad)}' is not a date and time.", row=row_number, column=bad)
                continue
            assert start is not None and end is not None
            if end <= start:
                result.problem(
                    path,
                    f"The deployment ends ({get(row, 'deploymentEnd')}) before it starts "
                    f"({get(row, 'deploymentStart')}); it is left out.",
                    row=row_number,
                    column="deploymentEnd",
                )
                continue
            site = get(row, "locationID") or get(row, "locationName")
            deployment = _Deployment(did, start, end, get(row, "locationName") or get(row, "locationID") or did, site)
            try:
                lat, lon = float(get(row, "latitude")), float(get(row, "longitude"))
            except ValueError:
                lat = lon = float("nan")
            if -90 <= lat <= 90 and -180 <= lon <= 180:
                deployment.lat, deployment.lon = lat, lon
                deployment.site = site or f"{lat:.4f},{lon:.4f}"
            out[did] = deployment
    if not out:
        result.problem(path, "No usable deployment: nothing can be computed.", fatal=True)
    return out


def _getter(index: dict[str, int]):
    def get(row: list[str], column: str) -> str:
        n = index.get(column)
        return row[n].strip() if n is not None and n < len(row) else ""

    return get


def _events(
    path: Path, deployments: dict[str, _Deployment], result: ReadResult
) -> tuple[dict[tuple[str, str], dict[int, set[Any]]], dict[str, int]]:
    """{(deploymentID, taxon): {year: {event keys}}} and the observation counts."""
    event_level: dict[tuple[str, str], set[str]] = defaultdict(set)  # (dep, eventID) -> taxa
    event_years: dict[tuple[str, str], int] = {}
    has_event_rows: set[tuple[str, str]] = set()
    media_level: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)  # (dep, eventID) -> taxon -> year
    loose: dict[tuple[str, str], list[datetime.datetime]] = defaultdict(list)  # (dep, taxon) -> times
    counts = {"rows": 0, "event_level": 0, "media_level": 0, "animal": 0, "skipped": 0}
    with open(path, newline="", encoding="utf-8-sig", errors="replace") as handle:
        reader = csv.reader(handle)
        index = _header(path, reader, OBSERVATION_COLUMNS, result)
        if index is None:
            return {}, counts
        get = _getter(index)
        has_event_id = "eventID" in index
        for row_number, row in enumerate(reader, start=1):
            counts["rows"] += 1
            did = get(row, "deploymentID")
            deployment = deployments.get(did)
            level = get(row, "observationLevel")
            counts["event_level" if level == "event" else "media_level"] += 1
            if deployment is None:
                counts["skipped"] += 1
                result.problem(
                    path,
                    f"The observation points at the deployment '{did}', which is not in the deployments table "
                    "(or was left out); it is not counted.",
                    row=row_number,
                    column="deploymentID",
                )
                continue
            eid = get(row, "eventID") if has_event_id else ""
            if level == "event" and eid:
                has_event_rows.add((did, eid))
            if get(row, "observationType") != "animal":
                continue
            taxon = get(row, "scientificName")
            if not taxon:
                counts["skipped"] += 1
                continue
            when = _timestamp(get(row, "eventStart"))
            if when is None:
                counts["skipped"] += 1
                result.problem(
                    path, f"'{get(row, 'eventStart')}' is not a date and time.", row=row_number, column="eventStart"
                )
                continue
            if not deployment.start - SLACK <= when <= deployment.end + SLACK:
                counts["skipped"] += 1
                result.problem(
                    path,
                    f"The observation ({get(row, 'eventStart')}) falls outside its deployment "
                    f"({deployment.start.isoformat()} to {deployment.end.isoformat()}); it is not counted.",
                    row=row_number,
                    column="eventStart",
                )
                continue
            counts["animal"] += 1
            local = when.astimezone(deployment.start.tzinfo)
            if not eid:
                loose[(did, taxon)].append(local)
            elif level == "event":
                event_level[(did, eid)].add(taxon)
                event_years.setdefault((did, eid), local.year)
            else:
                media_level[(did, eid)].setdefault(taxon, local.year)
    events: dict[tuple[str, str], dict[int, set[Any]]] = defaultdict(lambda: defaultdict(set))
    for key, taxa in event_level.items():
        for taxon in taxa:
            events[(key[0], taxon)][event_years[key]].add(key[1])
    for key, by_taxon in media_level.items():
        if key in has_event_rows:
            continue
        for taxon, year in by_taxon.items():
            events[(key[0], taxon)][year].add(key[1])
    for (did, taxon), times in loose.items():
        times.sort()
        previous: datetime.datetime | None = None
        for t in times:
            if previous is None or t - previous > INDEPENDENCE:
                events[(did, taxon)][t.year].add(("t", t.isoformat()))
            previous = t
    return events, counts


def _values(
    result: ReadResult,
    deployments: dict[str, _Deployment],
    events: dict[tuple[str, str], dict[int, set[Any]]],
    min_nights: float,
    min_deployments: int,
) -> None:
    nights: dict[int, float] = defaultdict(float)
    active: dict[int, int] = defaultdict(int)
    for d in deployments.values():
        for year, n in d.nights_per_year().items():
            nights[year] += n
            active[year] += 1
    taxa = sorted({taxon for (_d, taxon) in events})
    other_sites = years_at_other_sites(deployments)
    for year in sorted(nights):
        effort = nights[year]
        moved = year in other_sites
        for taxon in taxa:
            count = 0
            occupied = 0
            for did in deployments:
                n = len(events.get((did, taxon), {}).get(year, ()))
                count += n
                occupied += 1 if n else 0
            low, high = rate_interval(count, effort, 100.0)
            result.values.append(
                Value(
                    "detection_rate",
                    str(year),
                    count / effort * 100,
                    taxon=taxon,
                    effort=round(effort, 4),
                    effort_unit="trap-nights",
                    comparable=effort >= min_nights and not moved,
                    reason="sites" if moved else "",
                    ci_low=low,
                    ci_high=high,
                    method="camtrap-events",
                )
            )
            olow, ohigh = wilson_interval(occupied, active[year])
            result.values.append(
                Value(
                    "naive_occupancy",
                    str(year),
                    occupied / active[year],
                    taxon=taxon,
                    effort=active[year],
                    effort_unit="deployments",
                    comparable=active[year] >= min_deployments and not moved,
                    reason="sites" if moved else "",
                    ci_low=olow,
                    ci_high=ohigh,
                    method="naive-occupancy",
                )
            )


def years_at_other_sites(deployments: dict[str, _Deployment]) -> set[int]:
    """The years whose camera sites are not those of the reference years (module docstring)."""
    sites: dict[int, set[str]] = defaultdict(set)
    for d in deployments.values():
        if d.site:
            for year in d.nights_per_year():
                sites[year].add(d.site)
    if len(sites) < 2:
        return set()

    def same(a: int, b: int) -> bool:
        return len(sites[a] & sites[b]) / len(sites[a] | sites[b]) >= MIN_SHARED_SITES

    years = sorted(sites)
    matches = {y: {o for o in years if same(y, o)} for y in years}  # each year matches itself
    # The reference: the year sharing its sites with the most years (then the most sites, then the earliest).
    reference = max(years, key=lambda y: (len(matches[y]), len(sites[y]), -y))
    if len(matches[reference]) < 2:
        return set(years)  # no two years at the same sites: none is comparable with another
    return set(years) - matches[reference]
