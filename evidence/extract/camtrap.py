"""Camera-trap packages: species × detections × deployment.

Two layouts are recognised in an unpacked archive (or a folder):
- Camtrap DP (https://camtrap-dp.tdwg.org): `deployments.csv` and `observations.csv`; a detection
  is one observation row of type "animal" (all rows when the column is absent).
- species folders as produced by camtrapR: `<Station>/<SPECIES>/<image>`; a detection is one
  image. Station positions come from a CSV with a `Station` column and either `latitude`/`longitude`
  or projected `utm_x`/`utm_y` with an `epsg` column.
"""

from __future__ import annotations

import csv
import datetime
import os
import re
from collections import defaultdict

from django.contrib.gis.gdal import CoordTransform, SpatialReference
from django.contrib.gis.gdal.error import GDALException
from django.contrib.gis.geos import GeometryCollection, Point
from django.utils.translation import gettext as _

from .. import error_codes
from ..choices import Kind
from . import Draft, Unprocessable

IMAGE_EXT = {".jpg", ".jpeg", ".png", ".tif", ".tiff"}
CAMTRAPR_NAME = re.compile(r"__(\d{4}-\d{2}-\d{2})__(\d{2})-(\d{2})-(\d{2})")
MAX_CSV_ROWS = 2_000_000


def detect(root: str, files: list[str]) -> str | None:
    names = {os.path.basename(f).lower() for f in files}
    if {"deployments.csv", "observations.csv"} <= names:
        return "camtrap-dp"
    if _species_images(files):
        return "species-folders"
    return None


def _species_images(files: list[str]) -> list[tuple[str, str, str]]:
    """(station, species, file) for images at …/<station>/<species>/<image>."""
    out = []
    for f in files:
        parts = f.replace("\\", "/").split("/")
        if len(parts) >= 3 and os.path.splitext(parts[-1])[1].lower() in IMAGE_EXT:
            out.append((parts[-3], parts[-2], f))
    # A species-folder study has images two levels down for most files.
    images = [f for f in files if os.path.splitext(f)[1].lower() in IMAGE_EXT]
    return out if images and len(out) >= max(1, len(images) // 2) else []


def read_package(root: str, files: list[str], layout: str, draft: Draft) -> None:
    draft.kind = Kind.CAMERA_TRAP
    if layout == "camtrap-dp":
        summary = _camtrap_dp(root, files)
    else:
        summary = _species_folders(root, files)
    points = [Point(d["longitude"], d["latitude"], srid=4326) for d in summary["deployments"] if "latitude" in d]
    if points:
        draft.geometry = GeometryCollection(*points, srid=4326)
    for key in ("first", "last"):
        if summary.get(key):
            draft.dates.append(datetime.date.fromisoformat(summary[key][:10]))
    draft.camera_trap = summary


def _find(files: list[str], name: str) -> str | None:
    matches = sorted((f for f in files if os.path.basename(f).lower() == name), key=len)
    return matches[0] if matches else None


def _rows(path: str):
    with open(path, newline="", encoding="utf-8-sig", errors="replace") as handle:
        for n, row in enumerate(csv.DictReader(handle)):
            if n >= MAX_CSV_ROWS:
                raise Unprocessable(
                    error_codes.CAMTRAP_INVALID, _("'%(name)s' has too many rows.") % {"name": os.path.basename(path)}
                )
            yield {(k or "").strip(): (v or "").strip() for k, v in row.items()}


def _float(value) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _summary(layout: str, counts, individuals, deployments: dict[str, dict], dates: list[str], images: int) -> dict:
    species = []
    for name in sorted(counts):
        by_dep = dict(sorted(counts[name].items()))
        species.append(
            {
                "name": name,
                "detections": sum(by_dep.values()),
                "individuals": sum(individuals[name].values()) if individuals else None,
                "by_deployment": by_dep,
            }
        )
    for dep_id, dep in deployments.items():
        dep["detections"] = sum(c.get(dep_id, 0) for c in counts.values())
    return {
        "format": layout,
        "species": species,
        "deployments": [{"id": k, **v} for k, v in sorted(deployments.items())],
        "detections": sum(s["detections"] for s in species),
        "images": images,
        "first": min(dates) if dates else None,
        "last": max(dates) if dates else None,
    }


def _camtrap_dp(root: str, files: list[str]) -> dict:
    # The layout is "camtrap-dp" because both files are there (detect_layout).
    dep_path = os.path.join(root, _find(files, "deployments.csv") or "")
    obs_path = os.path.join(root, _find(files, "observations.csv") or "")
    deployments: dict[str, dict] = {}
    for row in _rows(dep_path):
        dep_id = row.get("deploymentID")
        if not dep_id:
            raise Unprocessable(
                error_codes.CAMTRAP_INVALID, _("deployments.csv has no 'deploymentID' column or value.")
            )
        dep: dict = {"name": row.get("locationName") or row.get("locationID") or dep_id}
        lat, lon = _float(row.get("latitude")), _float(row.get("longitude"))
        if lat is not None and lon is not None and -90 <= lat <= 90 and -180 <= lon <= 180:
            dep.update(latitude=lat, longitude=lon)
        deployments[dep_id] = dep
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    individuals: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    dates = []
    for row in _rows(obs_path):
        if "deploymentID" not in row:
            raise Unprocessable(error_codes.CAMTRAP_INVALID, _("observations.csv has no 'deploymentID' column."))
        if row.get("observationType", "animal") not in ("animal", ""):
            continue
        name = row.get("scientificName") or "unidentified"
        dep_id = row["deploymentID"]
        if dep_id not in deployments:
            raise Unprocessable(
                error_codes.CAMTRAP_INVALID,
                _("observations.csv names deployment '%(deployment)s', which is not listed.") % {"deployment": dep_id},
            )
        counts[name][dep_id] += 1
        individuals[name][dep_id] += int(_float(row.get("count")) or 1)
        when = row.get("eventStart") or row.get("timestamp") or ""
        if re.match(r"\d{4}-\d{2}-\d{2}", when):
            dates.append(when[:19])
    media = _find(files, "media.csv")
    images = sum(1 for _ in _rows(os.path.join(root, media))) if media else 0
    return _summary("camtrap-dp", counts, individuals, deployments, dates, images)


def _species_folders(root: str, files: list[str]) -> dict:
    entries = _species_images(files)
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    dates = []
    stations = set()
    for station, species, f in entries:
        counts[species][station] += 1
        stations.add(station)
        match = CAMTRAPR_NAME.search(os.path.basename(f))
        if match:
            dates.append(f"{match.group(1)}T{match.group(2)}:{match.group(3)}:{match.group(4)}")
    deployments = {s: {"name": s} for s in stations}
    for f in files:
        if f.lower().endswith(".csv"):
            _station_positions(os.path.join(root, f), deployments)
    return _summary("species-folders", counts, None, deployments, dates, len(entries))


def _station_positions(path: str, deployments: dict[str, dict]) -> None:
    transforms: dict[int, CoordTransform] = {}
    for row in _rows(path):
        station = row.get("Station")
        if station is None:
            return  # not a station table
        if station not in deployments:
            continue
        lat, lon = _float(row.get("latitude")), _float(row.get("longitude"))
        if lat is None or lon is None:
            x, y, epsg = _float(row.get("utm_x")), _float(row.get("utm_y")), row.get("epsg")
            if x is None or y is None or not ((epsg or "").isascii() and (epsg or "").isdigit()):
                continue
            try:
                transform = transforms.setdefault(
                    int(epsg), CoordTransform(SpatialReference(int(epsg)), SpatialReference(4326))
                )
                point = Point(x, y, srid=int(epsg))
                point.transform(transform)
            except GDALException as exc:
                raise Unprocessable(
                    error_codes.CAMTRAP_INVALID,
                    _("Station '%(station)s': unknown EPSG %(epsg)s (%(error)s).")
                    % {"station": station, "epsg": epsg, "error": exc},
                )
            lon, lat = point.x, point.y
        if -90 <= lat <= 90 and -180 <= lon <= 180:
            deployments[station].update(latitude=round(lat, 7), longitude=round(lon, 7))
