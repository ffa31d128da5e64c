"""Monitoring processing speed (issue 18): a synthesised 10-year camera-trap study and a forest-loss
raster pair, each read by the real readers in this process (what one worker runs), against the
issue's target of one minute each.

    .venv/bin/python bench/bench_monitoring.py          # small: 20 deployments, 100,000 observations, 1,000 km²
    .venv/bin/python bench/bench_monitoring.py --full   # the issue's sizes: 200 deployments,
                                                        # 1,000,000 observations, 10,000 km² at 30 m

The camera-trap package is a Camtrap DP 1.0 layout (datapackage.json, deployments.csv,
observations.csv) with media-level observations grouped by eventID; the rasters are Hansen-like
Byte GeoTIFFs (lossyear 0–20, treecover2000 0–100) at 0.00025° (~28 m) around an irregular
boundary of the stated area, plus its 10 km buffer ring. Peak memory is printed too (the forest
reader reads row blocks, so it must stay far below the rasters' size times the bands).
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import math
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
TARGET_S = 60.0
PIXEL_DEG = 0.00025


def _django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "greenlist.settings_test")
    import django

    django.setup()


# --- camera traps ---------------------------------------------------------------------------------

TAXA = [
    "Panthera pardus",
    "Panthera tigris",
    "Sus scrofa",
    "Cervus nippon",
    "Capreolus pygargus",
    "Meles leucurus",
    "Lepus mandshuricus",
    "Martes zibellina",
    "Vulpes vulpes",
    "Ursus thibetanus",
]


def make_camtrap(folder: Path, deployments: int, observations: int, years: int = 10) -> list[Path]:
    rng = np.random.default_rng(18)
    tz = datetime.timezone(datetime.timedelta(hours=10))
    per_year = max(1, deployments // years)
    rows = []
    for i in range(deployments):
        year = 2015 + min(years - 1, i // per_year)
        start = datetime.datetime(year, 3, 1, 12, tzinfo=tz) + datetime.timedelta(days=int(rng.integers(0, 120)))
        end = start + datetime.timedelta(days=float(rng.uniform(30, 120)))
        rows.append((f"d{i:04d}", start, end, 43.0 + rng.uniform(0, 0.5), 131.0 + rng.uniform(0, 0.5)))
    with (folder / "deployments.csv").open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(
            ["deploymentID", "locationID", "locationName", "latitude", "longitude", "deploymentStart", "deploymentEnd"]
        )
        for did, start, end, lat, lon in rows:
            w.writerow(
                [did, f"loc-{did}", f"Station {did}", f"{lat:.5f}", f"{lon:.5f}", start.isoformat(), end.isoformat()]
            )
    # Observations: media-level rows, a few images per event (eventID), each event inside its deployment.
    per_event = 4
    events = observations // per_event
    which = rng.integers(0, deployments, events)
    offsets = rng.uniform(0, 1, events)
    taxa = rng.integers(0, len(TAXA), events)
    with (folder / "observations.csv").open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["observationID", "deploymentID", "mediaID", "eventID", "eventStart", "eventEnd",
                    "observationLevel", "observationType", "scientificName", "count"])  # fmt: skip
        n = 0
        for e in range(events):
            did, start, end, _lat, _lon = rows[which[e]]
            at = start + (end - start) * float(offsets[e])
            stamp = at.isoformat()
            for _k in range(per_event):
                n += 1
                w.writerow([f"o{n}", did, f"m{n}", f"e{e}", stamp, stamp, "media", "animal", TAXA[taxa[e]], 1])
    package = {
        "profile": "https://raw.githubusercontent.com/tdwg/camtrap-dp/1.0.2/camtrap-dp-profile.json",
        "name": "bench-study",
        "resources": [
            {"name": "deployments", "path": "deployments.csv", "profile": "tabular-data-resource"},
            {"name": "observations", "path": "observations.csv", "profile": "tabular-data-resource"},
        ],
    }
    (folder / "datapackage.json").write_text(json.dumps(package))
    return [folder / "datapackage.json", folder / "deployments.csv", folder / "observations.csv"]


def bench_camtrap(deployments: int, observations: int) -> tuple[float, str]:
    from monitoring.readers.camtrap import read_camtrap

    with tempfile.TemporaryDirectory(prefix="bench-camtrap-") as tmp:
        t0 = time.perf_counter()
        files = make_camtrap(Path(tmp), deployments, observations)
        made = time.perf_counter() - t0
        t0 = time.perf_counter()
        result = read_camtrap(files, {})
        took = time.perf_counter() - t0
    fatal = [p.message for p in result.problems if p.fatal]
    note = (
        f"{len(result.values):,} values, {result.summary.get('events', 0):,} events, "
        f"{len(result.problems)} problems; synthesised in {made:.1f} s"
    )
    if fatal:
        note += f"; FAILED: {fatal[0]}"
    return took, note


# --- forest loss ----------------------------------------------------------------------------------


def boundary(area_km2: float, vertices: int = 2000):
    """An irregular polygon of about `area_km2` near the equator (a wobbly circle)."""
    from django.contrib.gis.geos import MultiPolygon, Polygon

    radius_deg = math.sqrt(area_km2 / math.pi) / 111.32
    angles = np.linspace(0, 2 * math.pi, vertices, endpoint=False)
    wobble = 1 + 0.08 * np.sin(angles * 7) + 0.04 * np.sin(angles * 23)
    xs = 20.0 + radius_deg * wobble * np.cos(angles)
    ys = 0.5 + radius_deg * wobble * np.sin(angles)
    ring = [*zip(xs.tolist(), ys.tolist(), strict=True)]
    ring.append(ring[0])
    return MultiPolygon(Polygon(ring), srid=4326), radius_deg


def make_rasters(folder: Path, area_km2: float, buffer_km: float) -> tuple[Path, Path, object, int]:
    from django.contrib.gis.gdal import GDALRaster

    geom, radius_deg = boundary(area_km2)
    half = radius_deg * 1.15 + buffer_km / 111.32 + 0.01
    size = int(math.ceil(2 * half / PIXEL_DEG))
    rng = np.random.default_rng(2001)
    cover = rng.integers(0, 101, size=(size, size), dtype=np.uint8)
    loss = np.where(rng.random((size, size)) < 0.03, rng.integers(1, 21, size=(size, size)), 0).astype(np.uint8)
    paths = []
    for name, data in (
        ("Hansen_GFC-2020-v1.8_lossyear_bench.tif", loss),
        ("Hansen_GFC-2020-v1.8_treecover2000_bench.tif", cover),
    ):
        path = folder / name
        GDALRaster(
            {
                "driver": "GTiff",
                "name": str(path),
                "srid": 4326,
                "width": size,
                "height": size,
                "datatype": 1,
                "origin": (20.0 - half, 0.5 + half),
                "scale": (PIXEL_DEG, -PIXEL_DEG),
                "bands": [{"data": data, "nodata_value": 255}],
            }
        )
        paths.append(path)
    del cover, loss
    return paths[0], paths[1], geom, size


def bench_forest(area_km2: float, buffer_km: float = 10) -> tuple[float, str]:
    from monitoring.readers import Boundary
    from monitoring.readers.forest import read_forest

    with tempfile.TemporaryDirectory(prefix="bench-forest-") as tmp:
        t0 = time.perf_counter()
        loss, cover, geom, size = make_rasters(Path(tmp), area_km2, buffer_km)
        made = time.perf_counter() - t0
        tracemalloc.start()  # numpy's buffers are traced: the reader's own peak, not the synthesis's
        t0 = time.perf_counter()
        result = read_forest(loss, cover, [Boundary(1, geom)], buffer_km=buffer_km)
        took = time.perf_counter() - t0
        peak = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
    inside = result.summary["boundaries"][0]["zones"]["inside"] if not result.problems else {}
    km2 = inside.get("area_ha", 0) / 100
    note = (
        f"raster {size:,} × {size:,} px ({size * size / 1e6:.1f} M px per band), inside {km2:,.0f} km², "
        f"{len(result.values)} values; reader's peak memory {peak:,.0f} MB "
        f"(one band is {size * size / 1e6:,.0f} MB); synthesised in {made:.1f} s"
    )
    if result.problems:
        note += f"; FAILED: {result.problems[0].message}"
    return took, note


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--full", action="store_true", help="the issue's sizes (200 deployments, 1 M observations, 10,000 km²)"
    )
    args = parser.parse_args()
    _django()
    deployments, observations, area = (200, 1_000_000, 10_000.0) if args.full else (20, 100_000, 1_000.0)
    print(f"Monitoring processing, one process (target: each under {TARGET_S:.0f} s at the issue's sizes; --full)")
    ok = True
    took, note = bench_camtrap(deployments, observations)
    ok &= took < TARGET_S and "FAILED" not in note
    label = f"camera traps: {deployments} deployments, {observations:,} observations, 10 years:"
    print(f"  {label:<70} {took:6.1f} s  (target < {TARGET_S:.0f} s)  {note}")
    took, note = bench_forest(area)
    ok &= took < TARGET_S and "FAILED" not in note
    label = f"forest loss: {area:,.0f} km² + 10 km ring at ~28 m:"
    print(f"  {label:<70} {took:6.1f} s  (target < {TARGET_S:.0f} s)  {note}")
    print("  " + ("OK" if ok else "OVER TARGET"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
