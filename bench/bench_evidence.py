"""Evidence processing throughput: Celery workers against a plain Pillow loop, same images, same run.

Into a scratch database (dropped afterwards) it uploads --images JPEGs (the real GPS photos of
../shared/testdata, repeated) through `evidence_upload`, then measures:
- a plain loop in this process: read + SHA-256 + decode (draft) + thumbnail, no database;
- one real `celery worker` (solo pool) doing the whole pipeline (hash, type sniff, EXIF, thumbnail,
  display copy skipped (public items), location check in PostGIS, facts + audit rows);
- two worker processes;
- the resident memory of the single worker, sampled over its run.

Targets: one worker ≥ 70% of the plain loop's images/s; two workers ≥ 1.7× one; flat memory.

    .venv/bin/python bench/bench_evidence.py [--images 300] [--keep]
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
PG = {"host": "127.0.0.1", "port": "5432", "user": "greenlist", "password": "greenlist"}
DB = "bench_evidence"
QUEUE = "bench-evidence"
REDIS = "redis://127.0.0.1:6379/13"


def scratch_database(name: str, drop_only: bool = False) -> None:
    import psycopg

    with psycopg.connect(dbname="postgres", autocommit=True, **PG) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{name}"')


def environment(media: str) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"postgis://{PG['user']}:{PG['password']}@{PG['host']}:{PG['port']}/{DB}",
        REDIS_URL=REDIS,
        CELERY_TASK_DEFAULT_QUEUE=QUEUE,
        MEDIA_ROOT=media,
        DJANGO_SETTINGS_MODULE="greenlist.settings",
        LOG_LEVEL="WARNING",
    )
    return env


def plain_loop(paths: list[Path]) -> float:
    """What any program must do for these images: read, hash, decode, thumbnail, encode."""
    from PIL import Image, ImageOps

    start = time.perf_counter()
    for path in paths:
        data = path.read_bytes()
        hashlib.sha256(data).hexdigest()
        with Image.open(io.BytesIO(data)) as im:
            im.draft("RGB", (640, 640))
            im.load()
            small = ImageOps.exif_transpose(im)
            small.thumbnail((320, 320))
            small.save(io.BytesIO(), "JPEG", quality=80)
    return len(paths) / (time.perf_counter() - start)


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
                    "-Q",
                    QUEUE,
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


def run_workers(n: int, ids: list[int], env: dict, log_dir: str) -> tuple[float, list[int]]:
    from evidence.models import EvidenceItem
    from evidence_processing.models import EvidenceFacts
    from evidence_processing.tasks import process_evidence_item

    EvidenceFacts.objects.filter(item_id__in=ids).delete()
    EvidenceItem.objects.filter(pk__in=ids).update(processing_status="pending", status_reason="", sha256="")
    procs = start_workers(n, env, log_dir)
    samples = []
    try:
        start = time.perf_counter()
        for pk in ids:
            process_evidence_item.delay(pk)
        done = 0
        while done < len(ids):
            time.sleep(0.25)
            done = EvidenceItem.objects.filter(pk__in=ids, processing_status__in=["ready", "failed"]).count()
            samples.append(rss_kb(procs[0].pid))
        elapsed = time.perf_counter() - start
        failed = EvidenceItem.objects.filter(pk__in=ids, processing_status="failed").count()
        if failed:
            raise SystemExit(f"{failed} items failed: see {log_dir}")
    finally:
        stop(procs)
    return len(ids) / elapsed, samples


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--images", type=int, default=300)
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
        app.control.purge()  # the uploads enqueued themselves; the runs below enqueue on their own clock

        loop = max(plain_loop(paths) for _ in range(2))
        one, samples = run_workers(1, ids, env, media)
        two, _ = run_workers(2, ids, env, media)
        n = len(samples)
        mem = [samples[int(n * f)] // 1024 for f in (0.1, 0.5, 0.99)] if n > 10 else [s // 1024 for s in samples]
        print(f"images: {len(ids)} (real GPS JPEGs, 2 cores)")  # noqa: T201
        print(f"plain Pillow loop (read+sha256+decode+thumbnail): {loop:7.1f} images/s")  # noqa: T201
        print(
            f"1 worker (full pipeline):                        {one:7.1f} images/s  "  # noqa: T201
            f"= {100 * one / loop:.0f}% of the loop (target ≥70%)"
        )
        print(
            f"2 workers:                                       {two:7.1f} images/s  "  # noqa: T201
            f"= {two / one:.2f}× one worker (target ≥1.7×)"
        )
        print(f"worker RSS at 10% / 50% / 99% of its run: {' / '.join(f'{m} MB' for m in mem)}")  # noqa: T201
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            scratch_database(DB, drop_only=True)


if __name__ == "__main__":
    main()
