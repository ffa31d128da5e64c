"""Evidence processing throughput: Celery workers against a plain Pillow loop, same images, same run.

Into a scratch database (dropped afterwards) it uploads --images JPEGs (the real GPS photos of
../shared/testdata, repeated; public items, so no display copy, as the issue's target defines)
through `evidence_upload` inside `processing_in_batches`, exactly as `import_evidence` does, so
the backlog is the one a bulk ingest leaves. Then it measures, from a cold queue:
- a plain loop in this process: read + SHA-256 + decode (draft, as the pipeline) + thumbnail +
  JPEG encode, no database (best of two passes before the workers, one after; their mean counts);
- the bulk path: one real `celery worker` (solo pool) draining the backlog from the one batch task
  `import_evidence` leaves queued (it asks for sibling tasks while its claims come back full):
  hash, type sniff, EXIF, thumbnail written to storage, location check in PostGIS, facts,
  duplicate check, search vector and audit rows; timed from the enqueue to the last item `ready`;
  CPU time per image of the worker processes and of their PostgreSQL backends is shown too;
- the same with two worker processes;
- with --per-item, also the single-upload path (one `process_evidence_item` task per item);
- the resident memory of the single worker, sampled over its run.

Targets: one worker ≥ 70% of the plain loop's images/s; two workers ≥ 1.7× one; flat memory.
The machine has 2 cores shared with PostgreSQL, Redis and this script; the load average is
printed because other work on the machine skews every figure.

    .venv/bin/python bench/bench_evidence.py [--images 300] [--per-item] [--keep]
"""

import argparse
import hashlib
import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TESTDATA = Path(os.environ.get("GREENLIST_TESTDATA", ROOT.parent / "shared" / "testdata"))
# The tests' role: it may create databases (cloned from the PostGIS template scripts/setup.sh makes).
PG = {"host": "127.0.0.1", "port": "5432", "user": "greenlist_test", "password": "greenlist"}
DB = "bench_evidence"
QUEUE = "bench-evidence"
REDIS = "redis://127.0.0.1:6379/13"


def scratch_database(name: str, drop_only: bool = False) -> None:
    import psycopg

    with psycopg.connect(dbname="postgres", autocommit=True, **PG) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE greenlist_template')


def environment(media: str) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"postgis://{PG['user']}:{PG['password']}@{PG['host']}:{PG['port']}/{DB}",
        REDIS_URL=REDIS,
        CELERY_TASK_DEFAULT_QUEUE=QUEUE,
        MEDIA_ROOT=media,
        DJANGO_SETTINGS_MODULE="greenlist.settings",
        LOG_LEVEL="WARNING",
        DEBUG="false",  # as in production: with DEBUG, Django keeps the last 9,000 queries in memory
    )
    return env


def plain_loop(paths: list[Path]) -> tuple[float, float]:
    """What any program must do for these images: read, hash, decode, thumbnail, encode.
    Returns images/s and CPU ms per image."""
    from PIL import Image, ImageOps

    start, cpu = time.perf_counter(), time.process_time()
    for path in paths:
        data = path.read_bytes()
        hashlib.sha256(data).hexdigest()
        with Image.open(io.BytesIO(data)) as im:
            im.draft("RGB", (640, 640))
            im.load()
            small = ImageOps.exif_transpose(im)
            small.thumbnail((320, 320))
            small.save(io.BytesIO(), "JPEG", quality=80)
    return len(paths) / (time.perf_counter() - start), 1000 * (time.process_time() - cpu) / len(paths)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def backend_pids() -> list[int]:
    """The PostgreSQL backends serving the workers (not this script)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return [row[0] for row in cursor.fetchall()]


def rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return 0
    return 0


def start_workers(n: int, env: dict, log_dir: str) -> list[subprocess.Popen]:
    from greenlist.celery import app

    procs, names = [], []
    for i in range(n):
        name = f"bench-{os.getpid()}-{i}-{time.monotonic_ns()}@localhost"
        log = open(Path(log_dir) / f"worker-{n}-{i}.log", "wb")  # noqa: SIM115
        procs.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "greenlist",
                    "worker",
                    "--pool=solo",
                    "--loglevel=WARNING",
                    # No -Q: every queue by kind named after QUEUE (CELERY_TASK_QUEUES, issue 19).
                    "-n",
                    name,
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
        names.append(name)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if len(app.control.ping(destination=names, timeout=0.5)) == n:
            return procs
    raise SystemExit("workers did not start")


def stop(procs):
    for p in procs:
        p.terminate()
    for p in procs:
        p.wait(timeout=30)


def run_workers(
    n: int, ids: list[int], assessment_id: int, env: dict, log_dir: str, *, per_item: bool = False
) -> tuple[float, list[int], float, float]:
    """Images/s, RSS samples of the first worker, and CPU ms per image of the workers and of
    their PostgreSQL backends."""
    from evidence.models import EvidenceFacts, EvidenceItem
    from evidence.tasks import process_evidence_item, request_batch
    from greenlist.celery import app

    EvidenceFacts.objects.filter(item_id__in=ids).delete()
    EvidenceItem.objects.filter(pk__in=ids).update(processing_status="pending", status_reason="", sha256="")
    app.control.purge()  # batch tasks left over by the previous run would start before the clock
    procs = start_workers(n, env, log_dir)
    samples, backends = [], {}
    try:
        cpu_before = sum(cpu_seconds(p.pid) for p in procs)
        start = time.perf_counter()
        if per_item:
            for pk in ids:
                process_evidence_item.delay(pk)
        else:
            # What import_evidence leaves queued: one batch task; it asks for siblings as it goes.
            request_batch(assessment_id, force=True)
        done = 0
        while done < len(ids):
            time.sleep(0.25)
            done = EvidenceItem.objects.filter(pk__in=ids, processing_status__in=["ready", "failed"]).count()
            samples.append(rss_kb(procs[0].pid))
            # The workers' PostgreSQL backends (they connect in this run) and their CPU so far.
            backends.update({pid: cpu_seconds(pid) or backends.get(pid, 0.0) for pid in backend_pids()})
        elapsed = time.perf_counter() - start
        worker_cpu = sum(cpu_seconds(p.pid) for p in procs) - cpu_before
        db_cpu = sum(backends.values())
        failed = EvidenceItem.objects.filter(pk__in=ids, processing_status="failed").count()
        if failed:
            raise SystemExit(f"{failed} items failed: see {log_dir}")
    finally:
        stop(procs)
    return len(ids) / elapsed, samples, 1000 * worker_cpu / len(ids), 1000 * db_cpu / len(ids)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--images", type=int, default=300)
    parser.add_argument("--per-item", action="store_true", help="Also time one task per item (single uploads).")
    parser.add_argument("--keep", action="store_true", help="Keep the scratch database.")
    args = parser.parse_args()

    media = tempfile.mkdtemp(prefix="bench-evidence-")
    env = environment(media)
    os.environ.update(
        {
            k: env[k]
            for k in (
                "DATABASE_URL",
                "REDIS_URL",
                "CELERY_TASK_DEFAULT_QUEUE",
                "MEDIA_ROOT",
                "DJANGO_SETTINGS_MODULE",
                "LOG_LEVEL",
                "DEBUG",
            )
        }
    )
    scratch_database(DB)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.files.base import ContentFile
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from accounts.tests.factories import Role, make_user
    from assessments.services import assessment_create
    from evidence.services import evidence_upload
    from evidence.tasks import processing_in_batches
    from greenlist.celery import app
    from protected_areas.tests.factories import ProtectedAreaFactory, square
    from standards.services import standard_load

    try:
        standard_load(ROOT / "standards" / "data" / "gls-v1.1.yaml")
        area = ProtectedAreaFactory(name="Arezzo bench", geom=square(11.87, 43.455, 0.03))
        manager = make_user(Role.SITE_MANAGER, email="bench@example.org", protected_area=area)
        assessment = assessment_create(protected_area=area, user=manager, year=2010)
        photos = sorted((TESTDATA / "img-exif-samples" / "gps").glob("*.jpg"))
        paths = [photos[i % len(photos)] for i in range(args.images)]
        contents = {p: p.read_bytes() for p in photos}
        ids = []
        with processing_in_batches(assessment.pk):
            for i, path in enumerate(paths):
                # Bytes after the JPEG's end marker make each file distinct (no duplicate links)
                # while decoding exactly as the original.
                data = contents[path] + f"bench-{i}".encode()
                item = evidence_upload(
                    assessment=assessment,
                    user=manager,
                    sensitivity="public",
                    file=ContentFile(data, name=f"{i:05d}-{path.name}"),
                )
                ids.append(item.pk)
        app.control.purge()  # the import enqueued batches; the runs below enqueue on their own clock

        # The loop runs right before and right after the workers: other work on the machine
        # moves every figure, so the workers are compared with the mean of the two. CPU time per
        # image does not depend on that load.
        load_before = os.getloadavg()
        loop_a, loop_cpu = max(plain_loop(paths) for _ in range(2))
        one, samples, one_cpu, one_db = run_workers(1, ids, assessment.pk, env, media)
        two, _, two_cpu, two_db = run_workers(2, ids, assessment.pk, env, media)
        loop_b, _ = plain_loop(paths)
        single = run_workers(1, ids, assessment.pk, env, media, per_item=True)[0] if args.per_item else None
        load_after = os.getloadavg()
        loop = (loop_a + loop_b) / 2
        n = len(samples)
        mem = [samples[int(n * f)] // 1024 for f in (0.1, 0.5, 0.99)] if n > 10 else [s // 1024 for s in samples]
        print(f"images: {len(ids)} (real GPS JPEGs, public items, 2 cores)")  # noqa: T201
        print(  # noqa: T201
            f"load average (1/5/15 min) before: {' / '.join(f'{x:.2f}' for x in load_before)}, "
            f"after: {' / '.join(f'{x:.2f}' for x in load_after)}"
        )
        print(  # noqa: T201
            f"plain Pillow loop (read+sha256+decode+thumbnail): {loop:7.1f} images/s "
            f"(before {loop_a:.1f}, after {loop_b:.1f}); {loop_cpu:.2f} ms CPU/image"
        )
        print(  # noqa: T201
            f"1 worker, bulk path (batch tasks):               {one:7.1f} images/s  "
            f"= {100 * one / loop:.0f}% of the loop (target ≥70%); "
            f"CPU/image {one_cpu:.2f} ms worker + {one_db:.2f} ms PostgreSQL"
        )
        print(  # noqa: T201
            f"2 workers, bulk path:                            {two:7.1f} images/s  "
            f"= {two / one:.2f}× one worker (target ≥1.7×); "
            f"CPU/image {two_cpu:.2f} ms workers + {two_db:.2f} ms PostgreSQL"
        )
        if single is not None:
            print(f"1 worker, one task per item (single uploads):    {single:7.1f} images/s")  # noqa: T201
        print(f"worker RSS at 10% / 50% / 99% of its run: {' / '.join(f'{m} MB' for m in mem)}")  # noqa: T201
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            scratch_database(DB, drop_only=True)


if __name__ == "__main__":
    main()
