"""Writing one consistent backup (issue 20): the database and every stored file, as of one moment.

Consistency: one REPEATABLE READ transaction exports its snapshot (``pg_export_snapshot()``);
``pg_dump --snapshot`` dumps exactly that state, and the row counts, migration state and the list of
stored files are read in the same transaction. Stored files are write-once (a new version is a new
name), so copying the files the snapshot names gives the files of that moment.

Whole or absent: everything is written into a hidden folder beside DEST and renamed to DEST at the end.
A failure (a full disk above all) removes that folder and says why; DEST, the previous backups and the
running platform are never touched.

Incremental: with a previous backup, a file whose SHA-256 that backup already holds is hard-linked to
it rather than copied (copied when linking is impossible, e.g. across file systems). Every backup is
therefore complete on its own: deleting an older one never breaks a newer one.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import signal
import subprocess
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from django.conf import settings
from django.core.files.storage import Storage
from django.utils import timezone
from django.utils.translation import gettext as _

from .manifest import (
    CHUNK,
    DUMP,
    EXCLUDED_TABLE_DATA,
    FILES,
    FORMAT,
    BackupError,
    check_contents,
    database_environment,
    file_columns,
    platform_version,
    read_manifest,
    safe_name,
    storages_by_key,
    write_manifest,
)
from .models import BackupKind, BackupRun, BackupStatus

DISK_FULL = (errno.ENOSPC, errno.EFBIG, errno.EDQUOT)


@dataclass
class Snapshot:
    """What the one transaction saw: its id for pg_dump, counts, migrations and the files it names."""

    snapshot_id: str
    server_version: str
    counts: dict[str, int] = field(default_factory=dict)
    migrations: dict[str, list[str]] = field(default_factory=dict)
    files: list[tuple[str, str]] = field(default_factory=list)  # (storage key, name)


def database_connection() -> psycopg.Connection[Any]:
    db = settings.DATABASES["default"]
    return psycopg.connect(
        host=db.get("HOST") or "127.0.0.1",
        port=db.get("PORT") or "5432",
        user=db.get("USER"),
        password=db.get("PASSWORD"),
        dbname=db["NAME"],
    )


def user_tables(cursor: Any) -> list[str]:
    """The public schema's tables, without those of extensions (PostGIS's spatial_ref_sys)."""
    cursor.execute(
        """
        SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
        ORDER BY c.relname
        """
    )
    return [row[0] for row in cursor.fetchall()]


def table_counts(cursor: Any) -> dict[str, int]:
    counts = {}
    for table in user_tables(cursor):
        if table in EXCLUDED_TABLE_DATA:
            continue
        cursor.execute(psycopg.sql.SQL("SELECT count(*) FROM {}").format(psycopg.sql.Identifier(table)))
        counts[table] = cursor.fetchone()[0]
    return counts


def _read_snapshot(cursor: Any) -> Snapshot:
    cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
    snapshot_id, server_version = cursor.fetchone()
    snap = Snapshot(snapshot_id=snapshot_id, server_version=server_version)
    snap.counts = table_counts(cursor)
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    for app, name in cursor.fetchall():
        snap.migrations.setdefault(app, []).append(name)
    names: set[tuple[str, str]] = set()
    for column in file_columns():
        if column.table not in snap.counts:
            continue
        query = psycopg.sql.SQL("SELECT DISTINCT {col} FROM {table} WHERE {col} <> ''").format(
            col=psycopg.sql.Identifier(column.column), table=psycopg.sql.Identifier(column.table)
        )
        cursor.execute(query)
        names.update((column.storage_key, row[0]) for row in cursor.fetchall())
    snap.files = sorted(names)
    return snap


def _disk_full(error: BaseException) -> bool:
    return isinstance(error, OSError) and error.errno in DISK_FULL


def _full_disk_message(destination: Path) -> str:
    return _(
        "The backup could not be written: the disk holding %(path)s is full (or the file size limit was reached). "
        "Nothing was kept of this backup; earlier backups and the running platform are untouched."
    ) % {"path": destination.parent}


def _copy_from_storage(storage: Storage, name: str, target: Path) -> tuple[str, int]:
    target.parent.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    with storage.open(name, "rb") as source, target.open("wb") as out:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return digest.hexdigest(), size


def _hash_in_storage(storage: Storage, name: str) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with storage.open(name, "rb") as source:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _previous_files(previous: Path | None) -> dict[str, Path]:
    """SHA-256 → the file in the previous backup, for the hashes it holds."""
    if previous is None:
        return {}
    manifest = read_manifest(previous)
    found = {}
    for entry in manifest["files"]:
        path = previous / safe_name(str(entry["path"]))
        if path.is_file() and path.stat().st_size == entry["size"]:
            found[entry["sha256"]] = path
    return found


def _link_or_copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError as error:
        if _disk_full(error):
            raise
        shutil.copyfile(source, target)


def _dump(snapshot_id: str, target: Path) -> None:
    command = ["pg_dump", "--format=custom", f"--snapshot={snapshot_id}", f"--file={target}", "--no-password"]
    command += [f"--exclude-table-data={table}" for table in EXCLUDED_TABLE_DATA]
    done = subprocess.run(command, env=database_environment(), capture_output=True, text=True)
    if done.returncode != 0:
        message = done.stderr.strip()
        if done.returncode == -signal.SIGXFSZ:  # killed for writing past the file size limit
            raise OSError(errno.EFBIG, "pg_dump: file size limit exceeded")
        if "No space left" in message or "File too large" in message or "quota" in message.lower():
            raise OSError(errno.ENOSPC, message)
        raise BackupError(_("pg_dump failed: %(error)s") % {"error": message[-500:] or f"exit {done.returncode}"})


def _write(work: Path, previous: Path | None) -> dict[str, Any]:
    previous_files = _previous_files(previous)
    by_key = storages_by_key()
    with database_connection() as connection:
        connection.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        connection.read_only = True
        with connection.cursor() as cursor:
            snap = _read_snapshot(cursor)
            # pg_dump joins the snapshot while this transaction holds it open.
            _dump(snap.snapshot_id, work / DUMP)
        connection.rollback()
    entries: list[dict[str, Any]] = []
    linked = copied_bytes = 0
    for key, name in snap.files:
        storage = by_key.get(key)
        if storage is None:
            raise BackupError(_("No storage is known under the name %(key)s.") % {"key": key})
        relative = f"{FILES}/{key}/{safe_name(name)}"
        target = work / relative
        try:
            if previous_files:
                digest, size = _hash_in_storage(storage, name)
                if digest in previous_files:
                    _link_or_copy(previous_files[digest], target)
                    linked += 1
                    entries.append({"storage": key, "name": name, "path": relative, "size": size, "sha256": digest})
                    continue
            digest, size = _copy_from_storage(storage, name, target)
        except FileNotFoundError:
            raise BackupError(
                _("The stored file %(name)s (%(key)s) is named by the database but missing from storage.")
                % {"name": name, "key": key}
            )
        copied_bytes += size
        entries.append({"storage": key, "name": name, "path": relative, "size": size, "sha256": digest})
    dump_digest = hashlib.sha256()
    with (work / DUMP).open("rb") as handle:
        while chunk := handle.read(CHUNK):
            dump_digest.update(chunk)
    manifest = {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(),
        "platform": {"version": platform_version()},
        "database": {
            "path": DUMP,
            "name": settings.DATABASES["default"]["NAME"],
            "server_version": snap.server_version,
            "size": (work / DUMP).stat().st_size,
            "sha256": dump_digest.hexdigest(),
            "excluded_table_data": list(EXCLUDED_TABLE_DATA),
        },
        "migrations": snap.migrations,
        "counts": snap.counts,
        "files": entries,
        "incremental_from": str(previous) if previous else None,
        "totals": {
            "tables": len(snap.counts),
            "rows": sum(snap.counts.values()),
            "files": len(entries),
            "bytes": sum(e["size"] for e in entries),
            "linked": linked,
            "copied_bytes": copied_bytes,
        },
    }
    write_manifest(work, manifest)
    return manifest


def summary_of(manifest: dict[str, Any]) -> dict[str, Any]:
    """What BackupRun keeps of a manifest: no per-file list, the rest as is."""
    return {
        "created_at": manifest["created_at"],
        "platform_version": manifest["platform"]["version"],
        "migrations": {app: names[-1] for app, names in manifest["migrations"].items() if names},
        "counts": manifest["counts"],
        "totals": manifest["totals"],
        "incremental_from": manifest.get("incremental_from"),
    }


def backup_write(destination: Path, *, incremental_from: Path | None = None, verify: bool = True) -> BackupRun:
    """Write a backup to `destination` (which must not exist), record it as a BackupRun and, unless told
    not to, verify it at once. Raises BackupError with the operator's sentence; the run is then `failed`."""
    destination = destination.absolute()
    run = BackupRun.objects.create(
        destination=str(destination),
        kind=BackupKind.INCREMENTAL if incremental_from else BackupKind.FULL,
    )
    work = destination.parent / f".{destination.name}.partial-{uuid.uuid4().hex[:8]}"
    try:
        if destination.exists():
            raise BackupError(_("%(path)s already exists: a backup never overwrites anything.") % {"path": destination})
        if not destination.parent.is_dir():
            raise BackupError(_("The folder %(path)s does not exist.") % {"path": destination.parent})
        work.mkdir()
        manifest = _write(work, incremental_from.absolute() if incremental_from else None)
        work.rename(destination)
    except (BackupError, OSError, psycopg.Error) as error:
        shutil.rmtree(work, ignore_errors=True)
        if _disk_full(error):
            message = _full_disk_message(destination)
        elif isinstance(error, BackupError):
            message = str(error)
        else:
            message = _("The backup failed: %(error)s") % {"error": error}
        run.status, run.error, run.finished_at = BackupStatus.FAILED, message, timezone.now()
        run.save(update_fields=["status", "error", "finished_at"])
        raise BackupError(message) from error
    run.status, run.finished_at, run.manifest = BackupStatus.OK, timezone.now(), summary_of(manifest)
    run.save(update_fields=["status", "finished_at", "manifest"])
    if verify:
        backup_verify(run)
    return run


def backup_verify(run: BackupRun) -> BackupRun:
    """Read the backup back: manifest, every file's size and hash, the dump's table of contents.
    Not a restore: what a scheduled backup does after writing, and what `restore` does first."""
    try:
        folder = Path(run.destination)
        manifest = read_manifest(folder)
        checked = check_contents(folder, manifest)
    except BackupError as error:
        run.verification = {"ok": False, "error": str(error), "checked_at": timezone.now().isoformat()}
        run.status = BackupStatus.FAILED
        run.error = str(error)
        run.save(update_fields=["verification", "status", "error"])
        return run
    run.verified_at = timezone.now()
    run.verification = {"ok": True, **checked, "dump_readable": True}
    run.status = BackupStatus.VERIFIED
    run.save(update_fields=["verified_at", "verification", "status"])
    return run
