"""Backups on a schedule (issue 20): beat writes one into GREENLIST_BACKUP_DIR, verifies it, keeps the
GREENLIST_BACKUP_KEEP newest and never deletes the only verified one.

Each scheduled backup is incremental from the newest verified one (files it holds are hard-linked), and
every backup is complete by itself, so deleting old ones never breaks newer ones.
"""

from __future__ import annotations

import datetime
import shutil
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from .backup import backup_write
from .manifest import MANIFEST
from .models import BackupRun, BackupStatus

PREFIX = "greenlist-"
# A partial folder this old belongs to no backup still running (the task's time limit is 6 hours).
STALE_PARTIAL_SECONDS = 24 * 60 * 60


def backups_in(folder: Path) -> list[Path]:
    """The whole backups in `folder`, newest first (their names carry the time they were started)."""
    if not folder.is_dir():
        return []
    found = [p for p in folder.iterdir() if p.name.startswith(PREFIX) and (p / MANIFEST).is_file()]
    return sorted(found, key=lambda p: p.name, reverse=True)


def verified_destinations() -> set[str]:
    return set(BackupRun.objects.filter(status=BackupStatus.VERIFIED).values_list("destination", flat=True))


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete all but the `keep` newest backups in `folder`; if none of those is verified, the newest
    verified one stays too. Returns what was deleted."""
    backups = backups_in(folder)
    kept = backups[: max(keep, 1)]
    verified = verified_destinations()
    if not any(str(p) in verified for p in kept):
        kept += [p for p in backups[len(kept) :] if str(p) in verified][:1]
    deleted = [p for p in backups if p not in kept]
    # What a backup killed mid-way (power cut, OOM) left behind: never a backup, never renamed.
    stale = time.time() - STALE_PARTIAL_SECONDS
    deleted += [p for p in folder.glob(f".{PREFIX}*.partial-*") if p.is_dir() and p.stat().st_mtime < stale]
    for path in deleted:
        shutil.rmtree(path)
    return deleted


def scheduled_backup(now: datetime.datetime | None = None) -> dict[str, Any]:
    """Beat's backup: skipped (and says so) when GREENLIST_BACKUP_DIR is not set."""
    if not settings.GREENLIST_BACKUP_DIR:
        return {"skipped": "GREENLIST_BACKUP_DIR is not set"}
    folder = Path(settings.GREENLIST_BACKUP_DIR).absolute()
    folder.mkdir(parents=True, exist_ok=True)
    now = now or timezone.now()
    verified = verified_destinations()
    previous = next((p for p in backups_in(folder) if str(p) in verified), None)
    destination = folder / f"{PREFIX}{now:%Y%m%dT%H%M%SZ}"
    run = backup_write(destination, incremental_from=previous)
    deleted = prune(folder, settings.GREENLIST_BACKUP_KEEP)
    return {
        "backup_run": run.pk,
        "destination": run.destination,
        "status": run.status,
        "incremental_from": str(previous) if previous else None,
        "deleted": [str(p) for p in deleted],
    }
