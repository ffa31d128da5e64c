"""The restore drill (issue 20), against real PostgreSQL and real storage, as an operator runs it.

A database of its own (cloned from the PostGIS template, so no other test's database is touched) and
a temporary MEDIA_ROOT hold a site certified after review, with processed evidence, an export and the
certificate's PDF. `manage.py backup` runs as a subprocess; then the database is dropped, the storage
emptied, `manage.py restore` run, and every page, file, the audit chain and the certificate's public
verification must be as before. Then the bad inputs: each leaves the backup and the platform as they were.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
pytestmark = pytest.mark.timeout(600)


def _admin_connection() -> psycopg.Connection:
    db = settings.DATABASES["default"]
    return psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or "5432",
        user=db["USER"],
        password=db["PASSWORD"],
        dbname="postgres",
        autocommit=True,
    )


def _fresh_database(name: str) -> None:
    with _admin_connection() as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}" TEMPLATE greenlist_template')


class Drill:
    def __init__(self, folder: Path):
        self.folder = folder
        self.database = f"drill_{uuid.uuid4().hex[:10]}"
        self.media = folder / "media"
        db = settings.DATABASES["default"]
        self.env = {
            **{k: v for k, v in os.environ.items() if k not in {"EVIDENCE_ROOT", "DJANGO_SETTINGS_MODULE"}},
            "DJANGO_SETTINGS_MODULE": "greenlist.settings_test",
            "DATABASE_URL": f"postgis://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{self.database}",
            "MEDIA_ROOT": str(self.media),
            # Tasks the drill's platform sends (evidence processing, PDFs) wait in a queue no test worker
            # reads: a worker of another test must never act on the drill's ids in its own database.
            "GREENLIST_TEST_QUEUE": f"{self.database}-tasks",
        }

    def manage(self, *args: str, env: dict | None = None, limit_bytes: int | None = None):
        def limited():  # runs in the child: a "disk" that fills up after limit_bytes per file
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))

        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=300,
            preexec_fn=limited if limit_bytes else None,  # noqa: PLW1509
        )

    def ok(self, *args: str, **kwargs) -> dict:
        done = self.manage(*args, **kwargs)
        assert done.returncode == 0, done.stderr[-3000:]
        return json.loads(done.stdout.strip().splitlines()[-1])

    def world(self, action: str, ids: dict | None = None) -> dict:
        code = "from operations.tests.drill_world import main; main()"
        env = {"DRILL_ACTION": action, "DRILL_IDS": json.dumps(ids or {})}
        return self.ok("shell", "-c", code, env=env)

    def audit_rows(self) -> int:
        with psycopg.connect(self.env["DATABASE_URL"].replace("postgis://", "postgresql://")) as connection:
            return connection.execute("SELECT count(*) FROM audit_auditevent").fetchone()[0]


@pytest.fixture(scope="module")
def drill(tmp_path_factory):
    drill = Drill(tmp_path_factory.mktemp("drill"))
    try:
        # From the PostGIS template, migrated: not a clone of the session's test database, whose rows
        # left by other tests would name files this drill's storage does not have.
        _fresh_database(drill.database)
        migrated = drill.manage("migrate", "--verbosity=0")
        assert migrated.returncode == 0, migrated.stderr[-3000:]
        drill.ids = drill.world("build")
        drill.before = drill.world("observe", drill.ids)
        drill.backup = drill.folder / "backups" / "first"
        drill.backup.parent.mkdir()
        drill.summary = drill.ok("backup", str(drill.backup), "--json")
        yield drill
    finally:
        with _admin_connection() as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{drill.database}" WITH (FORCE)')
        import redis

        broker = redis.Redis.from_url(settings.REDIS_URL)
        for key in broker.scan_iter(match=f"*{drill.database}*"):  # the queues and kombu's bindings
            broker.delete(key)


def test_backup_dropped_database_emptied_storage_restored_as_before(drill):
    before = drill.before
    assert before["audit"]["ok"] and before["audit"]["checked"] > 10
    assert before["certificate_valid"]
    assert all(page["status"] == 200 for page in before["pages"].values()), before["pages"]
    # the evidence file, its derived copies, the certificate's PDF and the export: all in the backup
    assert len(before["files"]) >= 5
    assert drill.summary["ok"] and drill.summary["status"] == "verified"
    assert drill.summary["files"] == len(before["files"])

    # Incremental: nothing changed since, so every file is a hard link to the first backup's copy.
    second = drill.backup.parent / "second"
    incremental = drill.ok("backup", str(second), "--incremental-from", str(drill.backup), "--json")
    assert incremental["kind"] == "incremental" and incremental["linked"] == incremental["files"]
    manifest = json.loads((second / "manifest.json").read_text())
    entry = manifest["files"][0]
    assert (second / entry["path"]).stat().st_ino == (drill.backup / entry["path"]).stat().st_ino

    # The disaster: the database gone (a new, empty one in its place) and the storage emptied.
    _fresh_database(drill.database)
    shutil.rmtree(drill.media.parent / "media-private")
    shutil.rmtree(drill.media)

    tiles_before = _tile_cache_generation(drill)
    restored = drill.ok("restore", str(drill.backup), "--json")
    assert restored["ok"] and restored["files"] == len(before["files"])
    # Tiles cached from the data the restore replaced are forgotten (a new cache generation).
    assert _tile_cache_generation(drill) != tiles_before
    assert any("row counts" in line for line in restored["checked"])

    after = drill.world("observe", drill.ids)
    assert after["files"] == before["files"]
    # the trail as before, plus the restore itself, chained after it
    assert after["audit"] == {**before["audit"], "checked": before["audit"]["checked"] + 1}
    _the_restore_is_on_the_audit_trail(drill, restored)
    assert after["certificate_valid"]
    assert after["pages"] == before["pages"]

    # A second restore onto the restored platform is refused without --force, and changes nothing.
    refused = drill.manage("restore", str(drill.backup))
    assert refused.returncode != 0 and "not empty" in refused.stderr and "--force" in refused.stderr


def _tile_cache_generation(drill) -> str:
    code = "from protected_areas import tile_cache; print(tile_cache.generation())"
    done = drill.manage("shell", "-c", code)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.strip().splitlines()[-1]


def _the_restore_is_on_the_audit_trail(drill, restored: dict) -> None:
    """A `backup.restored` event, sealed last in the chain, names the path, the manifest's date and the
    backup (its manifest's SHA-256); it points at the BackupRun the restored platform keeps of it."""
    manifest = json.loads((drill.backup / "manifest.json").read_text())
    backup_id = (drill.backup / "manifest.json.sha256").read_text().strip()
    with psycopg.connect(drill.env["DATABASE_URL"].replace("postgis://", "postgresql://")) as connection:
        last = connection.execute(
            "SELECT id, action, actor_id, target_id, data FROM audit_auditevent ORDER BY seq DESC LIMIT 1"
        ).fetchone()
        runs = connection.execute("SELECT id, destination, status, started_at FROM operations_backuprun").fetchall()
    event_id, action, actor, target, data = last
    assert (event_id, action, actor) == (restored["audit_event"], "backup.restored", None)
    assert data["source"] == str(drill.backup)
    assert data["manifest_created_at"] == manifest["created_at"]
    assert data["backup_id"] == backup_id == restored["backup_id"]
    assert data["files"] == restored["files"] and data["rows"] == restored["rows"]
    ((run_id, destination, status, started_at),) = runs
    assert (str(run_id), destination, status) == (target, str(drill.backup), "verified")
    assert started_at.isoformat() == manifest["created_at"]


def _damaged_copy(drill, name: str) -> Path:
    copy = drill.folder / "damaged" / name
    shutil.copytree(drill.backup, copy)
    return copy


def _rewrite_manifest(folder: Path, change) -> None:
    import hashlib

    manifest = json.loads((folder / "manifest.json").read_text())
    change(manifest)
    body = json.dumps(manifest).encode()
    (folder / "manifest.json").write_bytes(body)
    (folder / "manifest.json.sha256").write_text(hashlib.sha256(body).hexdigest())


def _corrupt_dump(folder: Path) -> None:
    dump = folder / "database.dump"
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0xFF
    dump.write_bytes(bytes(data))


def _truncate_a_file(folder: Path) -> None:
    manifest = json.loads((folder / "manifest.json").read_text())
    target = folder / manifest["files"][0]["path"]
    target.write_bytes(target.read_bytes()[:10])


def _edit_manifest_only(folder: Path) -> None:
    text = (folder / "manifest.json").read_text()
    (folder / "manifest.json").write_text(text.replace('"rows":', '"rows": 1, "was":', 1))


def _from_a_newer_version(folder: Path) -> None:
    _rewrite_manifest(folder, lambda m: m["migrations"]["operations"].append("9999_from_the_future"))


def _mismatching_manifest(folder: Path) -> None:
    _rewrite_manifest(folder, lambda m: m["files"][-1].update(sha256="0" * 64))


BAD_BACKUPS = {
    "corrupt-dump": (_corrupt_dump, "database.dump does not match its SHA-256"),
    "truncated-file": (_truncate_a_file, "has 10 bytes"),
    "manifest-edited": (_edit_manifest_only, "manifest is damaged"),
    "manifest-mismatch": (_mismatching_manifest, "does not match its SHA-256"),
    "newer-schema": (_from_a_newer_version, "operations.9999_from_the_future"),
}

# One Django start for every bad backup: the real command, each with --force (so only the backup
# itself may stop it, not the non-empty database), its error and its JSON line collected.
_RESTORE_EACH = """
import io, json, os
from django.core.management import call_command
from django.core.management.base import CommandError
answers = {}
for case, folder in json.loads(os.environ["DRILL_FOLDERS"]).items():
    out = io.StringIO()
    try:
        call_command("restore", folder, "--force", "--json", stdout=out)
        answers[case] = {"refused": False}
    except CommandError as error:
        answers[case] = {"refused": True, "error": str(error), "json": json.loads(out.getvalue().splitlines()[-1])}
print(json.dumps(answers))
"""


def test_a_bad_backup_is_refused_before_anything_changes(drill):
    folders = {}
    for case, (damage, _message) in BAD_BACKUPS.items():
        folders[case] = str(_damaged_copy(drill, case))
        damage(Path(folders[case]))
    rows_before = drill.audit_rows()

    answers = drill.ok("shell", "-c", _RESTORE_EACH, env={"DRILL_FOLDERS": json.dumps(folders)})

    for case, (_damage, message) in BAD_BACKUPS.items():
        answer = answers[case]
        assert answer["refused"], case
        assert message in answer["error"], (case, answer["error"])
        assert answer["json"] == {"ok": False, "error": answer["error"]}, case
    assert drill.audit_rows() == rows_before


def test_a_full_disk_mid_backup_leaves_nothing_and_earlier_backups_intact(drill):
    manifest_before = (drill.backup / "manifest.json").read_bytes()
    destination = drill.backup.parent / "on-a-full-disk"
    failed = drill.manage("backup", str(destination), "--json", limit_bytes=64 * 1024)
    assert failed.returncode != 0
    assert "is full" in failed.stderr, failed.stderr[-2000:]
    assert "Traceback" not in failed.stderr
    assert not destination.exists()
    assert not [p for p in destination.parent.iterdir() if p.name.startswith(".")]
    assert (drill.backup / "manifest.json").read_bytes() == manifest_before
    # the earlier backup is still whole: manifest, every file and the dump as restore checks them
    from operations.manifest import check_contents, read_manifest

    assert check_contents(drill.backup, read_manifest(drill.backup))["files"] == drill.summary["files"] + 1
