"""Scheduled backups and their retention (issue 20), against the real test database and pg_dump."""

import datetime
import json
import os

import pytest

from operations.models import BackupKind, BackupRun, BackupStatus
from operations.schedule import prune, scheduled_backup

pytestmark = pytest.mark.django_db


def _fake_backup(folder, name, *, verified):
    path = folder / name
    path.mkdir()
    (path / "manifest.json").write_text("{}")
    status = BackupStatus.VERIFIED if verified else BackupStatus.FAILED
    BackupRun.objects.create(destination=str(path), status=status)
    return path


def test_retention_keeps_the_newest_and_never_the_only_verified_one(tmp_path):
    oldest = _fake_backup(tmp_path, "greenlist-20260101T034000Z", verified=True)
    middle = _fake_backup(tmp_path, "greenlist-20260102T034000Z", verified=False)
    newest = _fake_backup(tmp_path, "greenlist-20260103T034000Z", verified=False)
    unrelated = tmp_path / "notes"
    unrelated.mkdir()
    crashed = tmp_path / ".greenlist-20260101T034000Z.partial-1a2b3c4d"
    crashed.mkdir()
    os.utime(crashed, (0, 0))
    running = tmp_path / ".greenlist-20260104T034000Z.partial-5e6f7a8b"
    running.mkdir()

    assert prune(tmp_path, keep=1) == [middle, crashed]
    assert newest.exists() and oldest.exists() and unrelated.exists() and running.exists()


def test_scheduled_backups_are_verified_incremental_and_pruned(tmp_path, settings):
    settings.GREENLIST_BACKUP_DIR = ""
    assert scheduled_backup() == {"skipped": "GREENLIST_BACKUP_DIR is not set"}

    settings.GREENLIST_BACKUP_DIR = str(tmp_path)
    settings.GREENLIST_BACKUP_KEEP = 1
    first = scheduled_backup(now=datetime.datetime(2026, 12, 1, 3, 40, tzinfo=datetime.UTC))
    second = scheduled_backup(now=datetime.datetime(2026, 12, 2, 3, 40, tzinfo=datetime.UTC))

    assert first["status"] == second["status"] == BackupStatus.VERIFIED
    assert second["incremental_from"] == first["destination"]
    assert second["deleted"] == [first["destination"]]
    assert [p.name for p in tmp_path.iterdir()] == ["greenlist-20261202T034000Z"]
    run = BackupRun.objects.get(pk=second["backup_run"])
    assert run.kind == BackupKind.INCREMENTAL and run.verification["ok"] and run.verified_at
    manifest = json.loads((tmp_path / "greenlist-20261202T034000Z" / "manifest.json").read_text())
    assert manifest["migrations"]["operations"][0] == "0001_backup_runs"
    assert manifest["counts"]["django_migrations"] > 0
