"""Maps at world scale (issue 19): every zoom from 0 to 14, cold and cached tiles, p95 per zoom band,
over a random sample of tiles weighted to where areas are dense, and the largest tile's bytes.

The database holds the real sample boundaries (../shared/testdata) copied, in one INSERT ... SELECT,
scaled to WDPA's sizes (most under a kilometre or two across, a few percent over 150 km), to
--areas places weighted like WDPA: 40 % packed into Europe, 15 % into the eastern United States,
10 % into South-East Asia and the rest spread over the world. Tiles are sampled at random areas'
centres, so dense regions are sampled more, as map users do.

Targets: cold tile p95 under 300 ms, cached tile p95 under 5 ms, every tile under 500 KB.

    .venv/bin/python bench/bench_world_tiles.py                       # small, for `make bench`
    .venv/bin/python bench/bench_world_tiles.py --areas 300000 --keep # build and keep the big database
    .venv/bin/python bench/bench_world_tiles.py --areas 300000 --reuse # measure again on it
    # measure on a copy (createdb -T bench_world_tiles_300000 bench_world_tiles_D), another Redis db:
    REDIS_URL=redis://127.0.0.1:6379/4 .venv/bin/python bench/bench_world_tiles.py --database bench_world_tiles_D
"""

import argparse
import gzip
import math
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_import import PG, SAMPLES, TESTDATA, drop_database, scratch_database, setup_django  # noqa: E402
from bench_tiles import FIELD_MAP  # noqa: E402

BANDS = [(0, 4), (5, 8), (9, 11), (12, 14)]
COLD_TARGET_MS = 300
CACHED_TARGET_MS = 5
BYTES_TARGET = 500_000
# (share, west, south, east, north): where the copies go.
REGIONS = [
    (0.40, -10, 36, 30, 70),  # Europe: a z4 tile over Germany holds tens of thousands of sites
    (0.15, -95, 30, -70, 48),  # eastern United States
    (0.10, 95, -8, 125, 22),  # South-East Asia
    (0.35, -170, -50, 170, 70),  # everywhere
]


def seed(count: int) -> None:
    from django.db import connection

    from protected_areas.models import ProtectedArea
    from protected_areas.services import import_protected_areas

    for rel in SAMPLES:
        import_protected_areas(TESTDATA / rel, field_map=FIELD_MAP[rel], source=Path(rel).stem)
    columns = [
        f.column
        for f in ProtectedArea._meta.concrete_fields
        if f.column not in {"id", "key", "name", "geom", "geom_display", "point"} and not f.generated
    ]
    cols = ", ".join(columns)
    scols = ", ".join(f"s.{c}" for c in columns)
    # Cumulative shares pick a region per copy; one random draw each for the place inside it.
    cases, lo = [], 0.0
    for share, west, south, east, north in REGIONS:
        hi = lo + share
        cases.append((lo, hi, west, south, east, north))
        lo = hi
    lon = " ".join(f"WHEN r < {hi} THEN {w} + random() * {e - w}" for _lo, hi, w, _s, e, _n in cases)
    lat = " ".join(f"WHEN r < {hi} THEN {s} + random() * {n - s}" for _lo, hi, _w, s, _e, n in cases)
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.19)")
        cursor.execute(
            f"""
            WITH seeds AS (
                SELECT row_number() OVER (ORDER BY id) - 1 AS rn, *, ST_Centroid(geom) AS c
                FROM protected_areas_protectedarea WHERE geom IS NOT NULL
            ), n AS (SELECT count(*) AS total FROM seeds),
            draws AS (SELECT i, random() AS r FROM generate_series(1, %(count)s) i),
            places AS (
                SELECT i, CASE {lon} ELSE 0 END AS lon, CASE {lat} ELSE 0 END AS lat FROM draws
            )
            INSERT INTO protected_areas_protectedarea (key, name, geom, geom_display, {cols})
            SELECT 'bench:' || p.i, 'Bench area ' || p.i,
                ST_Translate(ST_Scale(ST_Translate(s.geom, -ST_X(s.c), -ST_Y(s.c)), f.f, f.f), p.lon, p.lat),
                ST_Translate(ST_Scale(ST_Translate(s.geom_display, -ST_X(s.c), -ST_Y(s.c)), f.f, f.f), p.lon, p.lat),
                {scols}
            FROM places p, n JOIN seeds s ON true
            CROSS JOIN LATERAL (
                -- Sizes as in WDPA: most sites under a kilometre or two across, a few percent over 150 km.
                SELECT power(10, -2.5 + 2.8 * power(random(), 3))
                    / greatest(ST_XMax(s.geom) - ST_XMin(s.geom), ST_YMax(s.geom) - ST_YMin(s.geom)) AS f
            ) f
            WHERE s.rn = p.i %% n.total
            """,
            {"count": count},
        )
        cursor.execute("ANALYZE protected_areas_protectedarea")


def database_exists(name: str) -> bool:
    import psycopg

    with psycopg.connect(dbname="postgres", autocommit=True, **PG) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def sample_tiles(per_zoom: int, rng: random.Random) -> list[tuple[int, int, int]]:
    """`per_zoom` distinct tiles per zoom, each at a random area's centre (dense places more often)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_X(c), ST_Y(c) FROM (SELECT ST_PointOnSurface(coalesce(geom_display, point)) AS c "
            "FROM protected_areas_protectedarea ORDER BY random() LIMIT %s) t",
            [per_zoom * 30],
        )
        centres = cursor.fetchall()
    rng.shuffle(centres)
    tiles: list[tuple[int, int, int]] = []
    for z in range(15):
        chosen = dict.fromkeys(tile_for(lon, lat, z) for lon, lat in centres)
        tiles += list(chosen)[:per_zoom]
    return tiles


def tile_for(lon: float, lat: float, z: int) -> tuple[int, int, int]:
    n = 2**z
    lat = max(min(lat, 85.0), -85.0)
    x = min(int((lon + 180) / 360 * n), n - 1)
    y = min(int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n), n - 1)
    return z, x, y


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--areas", type=int, default=20_000)
    parser.add_argument("--per-zoom", type=int, default=8, help="Tiles sampled per zoom level.")
    parser.add_argument("--keep", action="store_true", help="Keep the database for --reuse.")
    parser.add_argument("--reuse", action="store_true", help="Measure on the database a --keep run left.")
    parser.add_argument("--cells", action="store_true", help="With --reuse: rebuild the low-zoom cells first.")
    parser.add_argument(
        "--database", help="Measure on this existing database (a --keep run's, or a copy of one); implies --reuse."
    )
    args = parser.parse_args()
    if args.database:
        if not database_exists(args.database):
            parser.error(f"no database {args.database}")
        args.reuse = True
    dbname = args.database or f"bench_world_tiles_{args.areas}"
    reuse = args.reuse and database_exists(dbname)
    if not reuse:
        scratch_database(dbname)
    try:
        setup_django(dbname)
        from django.db import connection
        from django.test import Client
        from django.urls import reverse

        if reuse:
            print(f"reusing {dbname}")
        else:
            started = time.perf_counter()
            seed(args.areas)
            print(f"built {args.areas:,} areas in {time.perf_counter() - started:.0f} s (set-based INSERT ... SELECT)")
        from protected_areas import low_zoom_tiles, map_cells
        from protected_areas.models import LowZoomTile, MapCell

        # The seed's copies bypass the importer (whose own cells and tiles cover the samples only): rebuild.
        if not reuse or args.cells or not MapCell.objects.exists():
            started = time.perf_counter()
            map_cells.rebuild()
            print(f"low-zoom cells (map_cells.rebuild) in {time.perf_counter() - started:.0f} s")
        if not reuse or args.cells or LowZoomTile.objects.count() < len(low_zoom_tiles.every_tile()):
            started = time.perf_counter()
            made = low_zoom_tiles.rebuild()
            print(
                f"{made} tiles of zooms 0-{low_zoom_tiles.STORED_MAX_ZOOM} made (low_zoom_tiles.rebuild) in "
                f"{time.perf_counter() - started:.0f} s, load average {os.getloadavg()[0]:.1f}"
            )
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM protected_areas_protectedarea")
            print(f"{cursor.fetchone()[0]:,} areas in {dbname}; load average {os.getloadavg()[0]:.1f}")
        from protected_areas.selectors import tile_cache_forget

        # As a browser asks: tiles gzipped (the bytes target is the tile itself, unpacked).
        client = Client(HTTP_HOST="127.0.0.1", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
        rows = []
        for z, x, y in sample_tiles(args.per_zoom, random.Random(19)):
            url = reverse("protected_areas:tile", args=[z, x, y])
            tile_cache_forget(z, x, y)
            started = time.perf_counter()
            response = client.get(url)
            cold = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, (url, response.status_code)
            started, cpu = time.perf_counter(), time.process_time()
            again = client.get(url)
            cached, cached_cpu = (time.perf_counter() - started) * 1000, (time.process_time() - cpu) * 1000
            assert again.content == response.content
            size = len(gzip.decompress(response.content)) if response.get("Content-Encoding") == "gzip" else 0
            rows.append((z, cold, cached, size, f"{z}/{x}/{y}", cached_cpu, len(response.content)))
        print(
            f"{'zooms':<8}{'tiles':>6}{'cold p95 ms':>13}{'cached p95 ms':>15}{'max bytes':>12}"
            f"{'(gzipped)':>11}{'cached CPU p95 ms':>19}  targets"
        )
        for lo, hi in BANDS:
            band = [r for r in rows if lo <= r[0] <= hi]
            cold95, cached95 = p95([r[1] for r in band]), p95([r[2] for r in band])
            biggest = max(r[3] for r in band)
            verdict = ", ".join(
                [
                    f"cold<{COLD_TARGET_MS}ms {'OK' if cold95 < COLD_TARGET_MS else 'MISSED'}",
                    f"cached<{CACHED_TARGET_MS}ms {'OK' if cached95 < CACHED_TARGET_MS else 'MISSED'}",
                    f"bytes<500KB {'OK' if biggest < BYTES_TARGET else 'MISSED'}",
                ]
            )
            gzipped, cpu95 = max(r[6] for r in band), p95([r[5] for r in band])
            print(
                f"z{lo}-{hi:<5}{len(band):>6}{cold95:>13.1f}{cached95:>15.2f}{biggest:>12,}{gzipped:>11,}"
                f"{cpu95:>19.2f}  {verdict}"
            )
        slowest = sorted(rows, key=lambda r: -r[1])[:5]
        print("slowest cold tiles: " + ", ".join(f"{r[4]} {r[1]:.0f} ms {r[3]:,} B" for r in slowest))
        with connection.cursor() as cursor:
            cursor.execute("SELECT z, x, y, length(data) FROM protected_areas_lowzoomtile ORDER BY 4 DESC LIMIT 1")
            z, x, y, size = cursor.fetchone() or (0, 0, 0, 0)
        print(
            f"largest of all {len(low_zoom_tiles.every_tile()):,} stored tiles of zooms 0-"
            f"{low_zoom_tiles.STORED_MAX_ZOOM}: {z}/{x}/{y} {size:,} bytes "
            f"(bytes<500KB {'OK' if size < BYTES_TARGET else 'MISSED'})"
        )
        print(
            f"load average after: {os.getloadavg()[0]:.1f} "
            "(cached CPU: this process's CPU time per cached tile, what a free core would take)"
        )
    finally:
        from django.db import connections

        connections.close_all()
        if not (args.keep or args.reuse):
            drop_database(dbname)


if __name__ == "__main__":
    main()
