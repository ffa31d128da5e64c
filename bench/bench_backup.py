"""Backing up an evidence store (issue 20): a full backup, then an incremental one with nothing changed.

Runs on a throw-away database (test settings; GREENLIST_TEST_DB names it) and a temporary MEDIA_ROOT,
with FILES stored files of SIZE_KB each (written straight into storage, named by `core.Job` rows: the
backup finds files through every FileField, whichever model names them). Targets: the full backup
(dump, copies, SHA-256 of each, verification read-back) at 15 MB/s or better (100 GB of evidence in
under two hours: a nightly window); the incremental one copies no byte (hard links): it saves the disk
space, not the time, since it still reads every file to hash it and the verification reads it back.

    .venv/bin/python bench/bench_backup.py [--files 2000] [--size-kb 64]
"""

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "greenlist.settings_test")
os.environ.setdefault("GREENLIST_TEST_DB", "bench_greenlist_backup")
SCRATCH = Path(tempfile.mkdtemp(prefix="bench-backup-"))
os.environ["MEDIA_ROOT"] = str(SCRATCH / "media")
os.environ.pop("EVIDENCE_ROOT", None)

import django  # noqa: E402

django.setup()

from django.test.utils import setup_test_environment  # noqa: E402

TARGET_MB_PER_S = 15.0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--size-kb", type=int, default=64)
    args = parser.parse_args()

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.db import connection

    from core.models import Job
    from operations.backup import backup_write

    setup_test_environment()
    old = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        jobs = []
        for n in range(args.files):
            name = default_storage.save(f"jobs/output/bench/{n:05d}.bin", ContentFile(os.urandom(args.size_kb * 1024)))
            jobs.append(Job(kind="bench", status="done", output_file=name))
        Job.objects.bulk_create(jobs)
        megabytes = args.files * args.size_kb / 1024

        backups = SCRATCH / "backups"
        backups.mkdir()
        started = time.perf_counter()
        full = backup_write(backups / "full")
        full_seconds = time.perf_counter() - started
        started = time.perf_counter()
        incremental = backup_write(backups / "incremental", incremental_from=backups / "full")
        incremental_seconds = time.perf_counter() - started

        rate = megabytes / full_seconds
        copied = incremental.manifest["totals"]["copied_bytes"]
        ratio = incremental_seconds / full_seconds
        print(f"{args.files} files, {megabytes:.0f} MB; both backups {full.status} / {incremental.status}")
        print(f"full backup:        {full_seconds:6.1f} s  {rate:6.1f} MB/s   (target >= {TARGET_MB_PER_S:.0f} MB/s)")
        print(
            f"incremental backup: {incremental_seconds:6.1f} s  {ratio:6.2f} of full, {copied} bytes copied, "
            f"{incremental.manifest['totals']['linked']} linked   (target: 0 bytes copied)"
        )
        ok = rate >= TARGET_MB_PER_S and copied == 0 and full.status == incremental.status == "verified"
        print("OK" if ok else "TARGET MISSED")
        return 0 if ok else 1
    finally:
        connection.creation.destroy_test_db(old, verbosity=0)
        shutil.rmtree(SCRATCH, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
