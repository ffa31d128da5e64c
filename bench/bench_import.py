"""Import throughput: our importer against `ogr2ogr -f PostgreSQL`, same file, same PostGIS, same run.

Builds a GeoPackage in the legacy WDPA schema with --features polygons (default 10,000) cut from the
real samples in ../shared/testdata (UAE, US parks, Yosemite, Viet Nam), each moved to its own place
(kept in var/bench-import/ for the next run: building it takes longer than importing it), and loads
it into a scratch database that is dropped afterwards. Each of --rounds rounds starts from empty
tables and times ogr2ogr, our first import and our re-import of the unchanged file, interleaved
(ogr2ogr first in odd rounds, last in even ones) so that a busy machine slows both alike; the
ratios are of the medians. Memory is the importing process's resident high-water mark during an
import (reset before each, /proc/self/clear_refs), beside its size before the import.

Imports run as the browser's do (`refresh_maps=False`): the import's own work (validation, repair,
areas, history, upsert) is timed, then the maps' follow-up that the import queues for the heavy
worker (map cells, low-zoom tiles, tile cache: `services.tiles_data_changed`) is run here, in this
process, and timed on its own; the sum is printed against ogr2ogr too.

Targets (issue 19): first import <= 1.0x ogr2ogr (at 10,000 and at 100,000 features), re-import of
the unchanged file <= 0.5x ogr2ogr, memory flat (the same peak at 10,000 and 100,000 features).

    .venv/bin/python bench/bench_import.py [--features 10000] [--rounds 3] [--keep]
"""

import argparse
import json
import os
import statistics
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


CACHE = ROOT / "var" / "bench-import"
FILE_VERSION = 1  # bump when build_file changes what it writes


def cached_file(count: int) -> Path:
    """The benchmark file of `count` features, built once and kept under var/ (ignored by git)."""
    path = CACHE / f"bench-{count}-v{FILE_VERSION}.gpkg"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=CACHE) as tmp:
            build_file(count, Path(tmp)).rename(path)
    return path


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


def vertex_count() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT sum(ST_NPoints(geom)) FROM protected_areas_protectedarea")
        return int(cursor.fetchone()[0] or 0)


def empty_tables() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE protected_areas_protectedarea, protected_areas_boundaryversion RESTART IDENTITY CASCADE"
        )
        cursor.execute("DROP TABLE IF EXISTS bench_ogr2ogr")
        cursor.execute("VACUUM ANALYZE protected_areas_protectedarea")


def settle() -> str:
    """Let the writes of the run before finish before the next run is timed: the file system's dirty
    pages written out, and a PostgreSQL checkpoint. Without it each run paid for the one before: 800 MB
    written by ogr2ogr at 100,000 features were still being flushed, and its WAL checkpointed, during
    the import that followed it (the import was 1.1-1.2x slower after ogr2ogr than after itself).
    CHECKPOINT needs a superuser or pg_checkpoint: the tests' role is neither, so it is asked as the
    administrator where PostgreSQL trusts local connections (as on a developer machine); how it went is
    returned, for the report."""
    import psycopg

    os.sync()
    for user in (PG["user"], "postgres"):
        try:
            with psycopg.connect(
                dbname="postgres",
                autocommit=True,
                host=PG["host"],
                port=PG["port"],
                user=user,
                password=PG["password"] if user == PG["user"] else None,
            ) as conn:
                conn.execute("CHECKPOINT")
            return f"checkpoint and sync before each timed run (as {user})"
        except psycopg.Error:
            continue
    return "sync only before each timed run (no role here may CHECKPOINT)"


def rss_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def measured(fn):
    """(seconds, result, peak resident MB while fn ran), timed once the writes before it are done (settle)."""
    settle()
    try:
        Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current RSS
    except OSError:
        pass
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result, rss_mb("VmHWM")


class CpuMeter:
    """CPU seconds a run used: this process's (all its threads) and its children's (ogr2ogr), plus every
    PostgreSQL backend connected to the scratch database meanwhile (read from /proc, sampled every 20 ms:
    PostgreSQL runs on this machine). Unlike wall time, hardly moved by what else the machine does.

    The sampling runs in a process of its own (`--sample-backends`): as a thread of this process it took
    the interpreter lock every 20 ms from the import it measured (ogr2ogr, another process, was not
    slowed), which made the first import about 0.2 s slower at 10,000 features. Its own CPU is counted
    in neither run."""

    def __init__(self, dbname: str) -> None:
        self.dbname = dbname

    def __enter__(self):
        import resource

        self._sampler = subprocess.Popen(
            [sys.executable, __file__, "--sample-backends", self.dbname],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._sampler.stdout is not None
        self._sampler.stdout.readline()  # "ready": backends already connected (Django's own) count from here
        self._self = resource.getrusage(resource.RUSAGE_SELF)
        self._children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return self

    def __exit__(self, *exc) -> None:
        import resource

        own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        out, _err = self._sampler.communicate("stop\n")  # waited for after the reading above: not counted
        self.client = (
            own.ru_utime
            - self._self.ru_utime
            + own.ru_stime
            - self._self.ru_stime
            + children.ru_utime
            - self._children.ru_utime
            + children.ru_stime
            - self._children.ru_stime
        )
        self.server = json.loads(out)["server"]


def _process_cpu(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def sample_backends(dbname: str) -> None:
    """CpuMeter's sampler: prints "ready" once it has seen the backends already connected, samples
    until a line arrives on stdin, then prints the CPU seconds the database's backends used meanwhile."""
    import select

    import psycopg

    backends: dict[int, tuple[float, float]] = {}  # pid -> (first seen, last seen) CPU seconds
    with psycopg.connect(dbname=dbname, autocommit=True, **PG) as conn:
        me = conn.info.backend_pid
        first_sample = True
        while True:
            rows = conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> %s", [dbname, me]
            ).fetchall()
            for (pid,) in rows:
                cpu = _process_cpu(pid)
                if cpu is not None:
                    backends[pid] = (backends.get(pid, (cpu, cpu))[0], cpu)
            if first_sample:
                first_sample = False
                print("ready", flush=True)
            if select.select([sys.stdin], [], [], 0.02)[0]:
                break
    print(json.dumps({"server": sum(last - first for first, last in backends.values())}), flush=True)


def run_ogr2ogr(path: Path, dbname: str) -> None:
    pg = f"PG:host={PG['host']} port={PG['port']} user={PG['user']} password={PG['password']} dbname={dbname}"
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


def verdict(ok: bool) -> str:
    return "OK" if ok else "MISSED"


def main() -> None:
    if "MALLOC_ARENA_MAX" not in os.environ:
        # Measured as the workers run (Dockerfile, scripts/run.sh): glibc reads it when a process starts.
        os.execve(sys.executable, [sys.executable, *sys.argv], {**os.environ, "MALLOC_ARENA_MAX": "2"})
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--features", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3, help="Interleaved rounds; the ratios are of the medians.")
    parser.add_argument("--cpu-runs", type=int, default=2, help="Runs of each, after the rounds, for CPU.")
    parser.add_argument("--keep", action="store_true", help="Keep the scratch database.")
    args = parser.parse_args()
    started = time.perf_counter()
    path = cached_file(args.features)
    print(
        f"file: {path.stat().st_size / 1e6:.1f} MB GeoPackage, {args.features} polygons "
        f"(ready in {time.perf_counter() - started:.1f} s)"
    )
    dbname = f"bench_pa_import_{os.getpid()}"
    scratch_database(dbname)
    try:
        setup_django(dbname)
        from protected_areas.services import import_protected_areas, tiles_data_changed

        def maps_follow_up(summary) -> float:
            """The heavy worker's follow-up of an import (protected_areas.tasks.refresh_protected_area_maps)."""
            if summary.maps_changed_since is None:
                return 0.0
            return measured(lambda: tiles_data_changed(since=summary.maps_changed_since))[0]

        times: dict[str, list[float]] = {"import": [], "reimport": [], "ogr2ogr": [], "maps": [], "remaps": []}
        cpu: dict[str, list[tuple[float, float]]] = {"import": [], "ogr2ogr": []}

        def metered(name, fn) -> None:
            settle()
            with CpuMeter(dbname) as meter:
                fn()
            cpu[name].append((meter.client, meter.server))

        peaks: list[float] = []
        baseline = rss_mb("VmRSS")
        first = again = None
        for round_no in range(args.rounds):
            empty_tables()
            if round_no % 2 == 0:
                times["ogr2ogr"].append(measured(lambda: run_ogr2ogr(path, dbname))[0])
            t, first, peak = measured(lambda: import_protected_areas(path, refresh_maps=False))
            times["import"].append(t)
            peaks.append(peak)
            times["maps"].append(maps_follow_up(first))
            t, again, peak = measured(lambda: import_protected_areas(path, refresh_maps=False))
            times["reimport"].append(t)
            peaks.append(peak)
            times["remaps"].append(maps_follow_up(again))
            if round_no % 2 == 1:
                times["ogr2ogr"].append(measured(lambda: run_ogr2ogr(path, dbname))[0])
            print(
                f"round {round_no + 1}: import {times['import'][-1]:.2f} s (then maps {times['maps'][-1]:.2f} s), "
                f"re-import {times['reimport'][-1]:.2f} s (then maps {times['remaps'][-1]:.2f} s), "
                f"ogr2ogr {times['ogr2ogr'][-1]:.2f} s (load average {os.getloadavg()[0]:.1f})",
                flush=True,
            )
        # CPU from runs of their own after the timed rounds: the sampler, a process beside the run, takes
        # CPU itself, which slows an import that keeps both cores busy and not ogr2ogr (it waits on its
        # COPY more than it computes), so no timed run is metered.
        for _run in range(args.cpu_runs):
            empty_tables()
            metered("ogr2ogr", lambda: run_ogr2ogr(path, dbname))
            empty_tables()
            metered("import", lambda: import_protected_areas(path, refresh_maps=False))
        vertices = vertex_count()
        med = {name: statistics.median(values) for name, values in times.items()}
        assert first is not None and again is not None
        print(
            f"import:    {med['import']:7.2f} s median ({args.features / med['import']:,.0f} features/s, "
            f"{vertices:,} vertices) created={first.created} repaired={first.repaired} rejected={first.rejected}"
        )
        print(
            f"maps:      {med['maps']:7.2f} s median  (the follow-up the import queues: cells, low-zoom tiles, "
            f"tile cache; not in the import's time)"
        )
        print(
            f"re-import: {med['reimport']:7.2f} s median  unchanged={again.unchanged} updated={again.updated} "
            f"(maps follow-up {med['remaps']:.2f} s)"
        )
        print(f"ogr2ogr:   {med['ogr2ogr']:7.2f} s median  (plain load: no repair, no areas, no history)")
        for name in ("import", "ogr2ogr") if args.cpu_runs > 0 else ():
            client = statistics.median(c for c, _s in cpu[name])
            server = statistics.median(s for _c, s in cpu[name])
            print(
                f"CPU, {name + ':':8} {client + server:5.2f} s median (client {client:.2f} s, "
                f"PostgreSQL {server:.2f} s; less moved by the machine's other work than the times; "
                f"{args.cpu_runs} untimed runs)"
            )
        first_ratio = med["import"] / med["ogr2ogr"]
        again_ratio = med["reimport"] / med["ogr2ogr"]
        print(
            f"first import / ogr2ogr at {args.features:,}: {first_ratio:.2f}x  "
            f"(target <= 1.0x: {verdict(first_ratio <= 1.0)})"
        )
        print(
            f"first import + its maps follow-up / ogr2ogr at {args.features:,}: "
            f"{(med['import'] + med['maps']) / med['ogr2ogr']:.2f}x  (no target: the follow-up runs on the heavy "
            "worker)"
        )
        print(
            f"re-import / ogr2ogr at {args.features:,}: {again_ratio:.2f}x  "
            f"(target <= 0.5x: {verdict(again_ratio <= 0.5)})"
        )
        print(
            f"peak memory at {args.features:,}: {max(peaks):.0f} MB resident during an import "
            f"({baseline:.0f} MB before the first; MALLOC_ARENA_MAX={os.environ['MALLOC_ARENA_MAX']}; target: flat, "
            "the same at 10,000 and 100,000)"
        )
        print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
        print(f"between runs: {settle()}")
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_database(dbname)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--sample-backends"]:
        sample_backends(sys.argv[2])
    else:
        main()
