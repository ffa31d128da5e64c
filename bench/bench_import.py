"""Import throughput: our importer against `ogr2ogr -f PostgreSQL`, same file, same PostGIS, same run.

Builds a GeoPackage in the legacy WDPA schema with --features polygons (default 10,000) cut from the
real samples in ../shared/testdata (UAE, US parks, Yosemite, Viet Nam), each moved to its own place,
into a scratch database that is dropped afterwards. Prints first import, re-import (all unchanged)
and ogr2ogr times, and the peak memory of the importer.

Target: first import at most 2x ogr2ogr's time.

    .venv/bin/python bench/bench_import.py [--features 10000] [--keep]
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TESTDATA = Path(os.environ.get("GREENLIST_TESTDATA", ROOT.parent / "shared" / "testdata"))
SAMPLES = [
    "pad-uae/pad-united-arab-emirates.shp",
    "ne-parks-us/ne_10m_parks_and_protected_lands_area.geojson",
    "wdpa-mapme-samples/wdpa_laos.gpkg",
    "padus-yosemite/padus_yosemite.geojson",
]
# The tests' role: it may create databases (cloned from the PostGIS template scripts/setup.sh makes).
PG = {"host": "127.0.0.1", "port": "5432", "user": "greenlist_test", "password": "greenlist"}


def scratch_database(name: str) -> None:
    import psycopg

    with psycopg.connect(dbname="postgres", autocommit=True, **PG) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE greenlist_template')


def drop_database(name: str) -> None:
    import psycopg

    with psycopg.connect(dbname="postgres", autocommit=True, **PG) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def setup_django(dbname: str) -> None:
    os.environ["DATABASE_URL"] = f"postgis://{PG['user']}:{PG['password']}@{PG['host']}:{PG['port']}/{dbname}"
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/13")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "greenlist.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def sample_geometries():
    """(WKT-free) GeoJSON geometries of every real sample polygon, with the sample's extent centre."""
    from django.contrib.gis.gdal import DataSource

    for rel in SAMPLES:
        layer = DataSource(str(TESTDATA / rel))[0]
        for feature in layer:
            geom = feature.geom
            geom.transform(4326)
            centroid = geom.centroid
            yield json.loads(geom.json), (centroid.x, centroid.y)


def shift(coords, dx, dy):
    if isinstance(coords[0], (int, float)):
        return [coords[0] + dx, coords[1] + dy]
    return [shift(c, dx, dy) for c in coords]


def build_file(count: int, out_dir: Path) -> Path:
    samples = list(sample_geometries())
    geojson = out_dir / "bench.geojson"
    with geojson.open("w", encoding="utf-8") as out:
        out.write('{"type": "FeatureCollection", "features": [\n')
        for i in range(count):
            geometry, (cx, cy) = samples[i % len(samples)]
            # A grid of places over the land-ish latitudes, one per feature.
            lon = -170 + (i % 340) * 1.0
            lat = -50 + ((i // 340) % 110) * 1.0
            moved = {"type": geometry["type"], "coordinates": shift(geometry["coordinates"], lon - cx, lat - cy)}
            props = {
                "WDPAID": 1_000_000 + i,
                "WDPA_PID": str(1_000_000 + i),
                "PA_DEF": "1",
                "NAME": f"Bench area {i}",
                "ORIG_NAME": f"Khu bảo tồn {i}",
                "DESIG": "Khu Bảo tồn thiên nhiên",
                "DESIG_ENG": "Nature Reserve",
                "DESIG_TYPE": "National",
                "IUCN_CAT": ["IV", "II", "Not Reported"][i % 3],
                "MARINE": "0",
                "REP_AREA": 100.0 + i,
                "STATUS": "Designated",
                "STATUS_YR": 2000 + i % 20,
                "GOV_TYPE": "Federal or national ministry or agency",
                "OWN_TYPE": "State",
                "MANG_AUTH": "Forest Protection Department",
                "MANG_PLAN": "Not Reported",
                "PARENT_ISO": "VNM",
                "ISO3": "VNM;LAO" if i % 7 == 0 else "VNM",
            }
            sep = ",\n" if i else ""
            out.write(sep + json.dumps({"type": "Feature", "properties": props, "geometry": moved}))
        out.write("\n]}\n")
    gpkg = out_dir / "bench.gpkg"
    subprocess.run(["ogr2ogr", "-f", "GPKG", "-nln", "bench", str(gpkg), str(geojson)], check=True)
    geojson.unlink()
    return gpkg


def vertex_count(path: Path) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT sum(ST_NPoints(geom)) FROM protected_areas_protectedarea")
        return int(cursor.fetchone()[0] or 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--features", type=int, default=10_000)
    parser.add_argument("--keep", action="store_true", help="Keep the scratch database.")
    args = parser.parse_args()
    dbname = f"bench_pa_import_{os.getpid()}"
    scratch_database(dbname)
    try:
        setup_django(dbname)
        from protected_areas.services import import_protected_areas

        with tempfile.TemporaryDirectory() as tmp:
            started = time.perf_counter()
            path = build_file(args.features, Path(tmp))
            print(
                f"file: {path.stat().st_size / 1e6:.1f} MB GeoPackage, {args.features} polygons "
                f"(built in {time.perf_counter() - started:.1f} s)"
            )

            started = time.perf_counter()
            first = import_protected_areas(path)
            t_import = time.perf_counter() - started
            started = time.perf_counter()
            again = import_protected_areas(path)
            t_reimport = time.perf_counter() - started
            peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

            pg = f"PG:host={PG['host']} port={PG['port']} user={PG['user']} password={PG['password']} dbname={dbname}"
            started = time.perf_counter()
            subprocess.run(
                [
                    "ogr2ogr",
                    "-f",
                    "PostgreSQL",
                    pg,
                    str(path),
                    "-nln",
                    "bench_ogr2ogr",
                    "-overwrite",
                    "-nlt",
                    "PROMOTE_TO_MULTI",
                    "-lco",
                    "GEOMETRY_NAME=geom",
                    "-lco",
                    "SPATIAL_INDEX=GIST",
                    "-t_srs",
                    "EPSG:4326",
                ],
                check=True,
            )
            t_ogr = time.perf_counter() - started
            vertices = vertex_count(path)

        print(
            f"import:    {t_import:7.2f} s  ({args.features / t_import:,.0f} features/s, {vertices:,} vertices) "
            f"created={first.created} repaired={first.repaired} rejected={first.rejected}"
        )
        print(f"re-import: {t_reimport:7.2f} s  unchanged={again.unchanged} updated={again.updated}")
        print(f"ogr2ogr:   {t_ogr:7.2f} s  (plain load: no repair, no areas, no history)")
        ratio = t_import / t_ogr
        print(f"ratio import/ogr2ogr: {ratio:.2f}x  (target <= 2x: {'OK' if ratio <= 2 else 'MISSED'})")
        print(f"peak memory (max RSS of this process): {peak_mb:.0f} MB")
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_database(dbname)


if __name__ == "__main__":
    main()
