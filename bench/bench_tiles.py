"""Vector tile latency: cold and cached tiles at zoom 4 and 10 with --areas protected areas loaded,
next to the raw PostGIS ST_AsMVT query for the same tile.

Seeds a scratch database with the real sample boundaries (../shared/testdata) and copies them to
--areas places (half spread over the world, half packed into Europe, as in WDPA, where a z4 tile
over Germany holds tens of thousands of sites). The scratch database is dropped afterwards.

Targets: cached tile under 10 ms; cold tile under 2x the raw query. Zooms up to 6 are drawn from the
pre-simplified Web Mercator overview column; for them the bench also times the same tile drawn from
the display boundary ("display SQL ms", how those tiles were made before).

    .venv/bin/python bench/bench_tiles.py [--areas 100000] [--keep]
"""

import argparse
import math
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_import import SAMPLES, TESTDATA, drop_database, scratch_database, setup_django  # noqa: E402

FIELD_MAP = {
    "pad-uae/pad-united-arab-emirates.shp": None,
    "ne-parks-us/ne_10m_parks_and_protected_lands_area.geojson": {"name": "unit_name", "key": "unit_code"},
    "wdpa-mapme-samples/wdpa_laos.gpkg": None,
    "padus-yosemite/padus_yosemite.geojson": {"name": "Unit_Nm", "key": "OBJECTID"},
}


def tile_for(lon: float, lat: float, z: int) -> tuple[int, int, int]:
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return z, x, y


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
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.42)")
        cursor.execute(
            f"""
            WITH seeds AS (
                SELECT row_number() OVER (ORDER BY id) - 1 AS rn, *, ST_Centroid(geom) AS c
                FROM protected_areas_protectedarea WHERE geom IS NOT NULL
            ), n AS (SELECT count(*) AS total FROM seeds),
            places AS (
                SELECT i,
                    CASE WHEN i %% 2 = 0 THEN -170 + random() * 340 ELSE 0 + random() * 20 END AS lon,
                    CASE WHEN i %% 2 = 0 THEN -50 + random() * 115 ELSE 42 + random() * 14 END AS lat
                FROM generate_series(1, %(count)s) i
            )
            INSERT INTO protected_areas_protectedarea (key, name, geom, geom_display, {cols})
            SELECT 'bench:' || p.i, 'Bench area ' || p.i,
                ST_Translate(s.geom, p.lon - ST_X(s.c), p.lat - ST_Y(s.c)),
                ST_Translate(s.geom_display, p.lon - ST_X(s.c), p.lat - ST_Y(s.c)), {scols}
            FROM places p, n JOIN seeds s ON true
            WHERE s.rn = p.i %% n.total
            """,
            {"count": count},
        )
        cursor.execute("ANALYZE protected_areas_protectedarea")


def median_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--areas", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--zooms", default="4,10", help="Comma-separated zoom levels (tiles over Germany).")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    dbname = f"bench_pa_tiles_{os.getpid()}"
    scratch_database(dbname)
    try:
        setup_django(dbname)
        from django.test import Client
        from django.urls import reverse

        from protected_areas.models import OVERVIEW_MAX_ZOOM
        from protected_areas.selectors import tile_raw
        from protected_areas.services import tiles_data_changed
        from protected_areas.tile_render import EXTENT, TILE_SQL

        started = time.perf_counter()
        seed(args.areas)
        print(f"seeded {args.areas:,} areas in {time.perf_counter() - started:.1f} s")
        client = Client(HTTP_HOST="127.0.0.1")
        print(
            f"{'tile':<14}{'in tile':>10}{'bytes':>11}{'raw SQL ms':>12}{'cold ms':>10}{'cached ms':>11}"
            f"{'display SQL ms':>16}  targets"
        )
        for z in [int(z) for z in args.zooms.split(",")]:
            zxy = tile_for(10.5, 48.5, z)
            url = reverse("protected_areas:tile", args=zxy)
            raw = median_ms(lambda zxy=zxy: tile_raw(*zxy), args.repeat)

            def cold(url=url):
                tiles_data_changed()  # a new data version: the cache has nothing for it
                started = time.perf_counter()
                assert client.get(url).status_code == 200
                return (time.perf_counter() - started) * 1000

            cold_ms = statistics.median(cold() for _ in range(args.repeat))
            body = client.get(url).content
            cached_ms = median_ms(lambda url=url: client.get(url), args.repeat * 5)
            from django.db import connection

            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM protected_areas_protectedarea "
                    "WHERE geom_display && ST_Transform(ST_TileEnvelope(%s, %s, %s), 4326)",
                    zxy,
                )
                features = cursor.fetchone()[0]
            display_ms = float("nan")
            if z <= OVERVIEW_MAX_ZOOM:

                def display(zxy=zxy):
                    with connection.cursor() as cursor:
                        params = {"z": zxy[0], "x": zxy[1], "y": zxy[2], "pixel": 360 / 2 ** zxy[0] / 256}
                        params |= {"extent": EXTENT, "buffer": EXTENT // 64}
                        cursor.execute(TILE_SQL, params)
                        cursor.fetchone()

                display_ms = median_ms(display, args.repeat)
            ok_cached = "OK" if cached_ms < 10 else "MISSED"
            ok_cold = "OK" if cold_ms < 2 * raw else "MISSED"
            print(
                f"{'/'.join(map(str, zxy)):<14}{features:>10,}{len(body):>11,}{raw:>12.1f}{cold_ms:>10.1f}"
                f"{cached_ms:>11.2f}{display_ms:>16.1f}  cached<10ms {ok_cached}, cold<2x raw {ok_cold}"
            )
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_database(dbname)


if __name__ == "__main__":
    main()
