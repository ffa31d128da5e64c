"""Restoring a backup (issue 20): check everything first, then replace the database and the files.

Order, so that a bad backup changes nothing:

1. the manifest's own hash and shape, every file's size and SHA-256, the dump readable by pg_restore;
2. the schema: a migration the running code does not know means the backup is from a newer version;
3. the database must hold no data of its own unless ``force``.

Then the database is replaced in ONE transaction (psql --single-transaction: our tables, views,
sequences and functions dropped — never the extensions, which belong to the database's administrator —
and the dump's objects created and filled), the row counts compared with the manifest's, the files
written back through each storage's API and read back against their hashes, and the migrations the
code has beyond the backup's applied. Last, the restored platform records where it came from: the
backup as a verified BackupRun, and a `backup.restored` event on the audit trail.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from django.core.files import File
from django.core.management import call_command
from django.db import connections, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from audit.services import audit_record
from protected_areas.services import tiles_data_changed

from .backup import database_connection, summary_of, table_counts, user_tables
from .manifest import (
    CHUNK,
    DUMP,
    MANIFEST_DIGEST,
    BackupError,
    check_contents,
    database_environment,
    known_migrations,
    open_backup_file,
    read_manifest,
    safe_name,
    storages_by_key,
)
from .models import BackupKind, BackupRun, BackupStatus

# Rows that migrating an empty database writes by itself: their presence does not make it "in use".
SEEDED_TABLES = {"django_migrations", "django_content_type", "auth_permission", "operations_backuprun"}

# Everything of ours in the public schema, dropped inside the restore's transaction. Objects that
# belong to an extension (PostGIS, pg_trgm) are left alone: the platform's role does not own them.
_DROP_OURS = """
SET client_min_messages = warning;
DO $drop$
DECLARE item record;
BEGIN
  FOR item IN
    SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
      -- a serial or identity column's sequence goes with its table
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i'))
  LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                   WHERE n.nspname = 'public' AND c.relname = item.relname) THEN
      CONTINUE;  -- went with an earlier CASCADE
    END IF;
    EXECUTE format(
      CASE item.relkind WHEN 'v' THEN 'DROP VIEW public.%I CASCADE'
                        WHEN 'm' THEN 'DROP MATERIALIZED VIEW public.%I CASCADE'
                        WHEN 'S' THEN 'DROP SEQUENCE public.%I CASCADE'
                        ELSE 'DROP TABLE public.%I CASCADE' END,
      item.relname);
  END LOOP;
  -- our text search configurations and dictionaries (evidence search: greenlist_search)
  FOR item IN
    SELECT c.oid::regconfig AS name FROM pg_ts_config c JOIN pg_namespace n ON n.oid = c.cfgnamespace
    WHERE n.nspname = 'public' AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
  LOOP
    EXECUTE format('DROP TEXT SEARCH CONFIGURATION %s CASCADE', item.name);
  END LOOP;
  FOR item IN
    SELECT t.oid::regdictionary AS name FROM pg_ts_dict t JOIN pg_namespace n ON n.oid = t.dictnamespace
    WHERE n.nspname = 'public' AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = t.oid AND d.deptype = 'e')
  LOOP
    EXECUTE format('DROP TEXT SEARCH DICTIONARY %s CASCADE', item.name);
  END LOOP;
  FOR item IN
    SELECT p.oid::regprocedure AS signature FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname = 'public' AND p.prokind IN ('f', 'p')
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
  LOOP
    EXECUTE format('DROP ROUTINE %s CASCADE', item.signature);
  END LOOP;
END
$drop$;
"""


@dataclass
class RestoreReport:
    checked: list[str] = field(default_factory=list)
    migrated: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    files: int = 0
    bytes: int = 0
    # The manifest's SHA-256: names the backup restored from wherever it is kept (a copy moved to
    # another disk keeps it), unlike its path or the BackupRun id of the platform that wrote it.
    backup_id: str = ""
    audit_event: int | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": True,
            "checked": self.checked,
            "migrated": self.migrated,
            "tables": len(self.counts),
            "rows": sum(self.counts.values()),
            "files": self.files,
            "bytes": self.bytes,
            "backup_id": self.backup_id,
            "audit_event": self.audit_event,
        }


def newer_migrations(manifest: dict[str, Any]) -> list[str]:
    known = known_migrations()
    return sorted(
        f"{app}.{name}" for app, names in manifest["migrations"].items() for name in names if (app, name) not in known
    )


def rows_of_its_own() -> dict[str, int]:
    """Tables of the target database that hold rows a fresh migration would not have written."""
    with database_connection() as connection, connection.cursor() as cursor:
        counts = table_counts(cursor)
    return {table: n for table, n in counts.items() if n and table not in SEEDED_TABLES}


def _wanted(line: str, tables: set[str]) -> bool:
    """A line of the dump's table of contents that is ours to restore. The extensions, the public schema
    and the extensions' own tables' rows (PostGIS's spatial_ref_sys) are the database administrator's."""
    if " EXTENSION " in line or line.rstrip().endswith(" SCHEMA - public") or " SCHEMA - public " in line:
        return False
    if " TABLE DATA public " in line:
        return line.split(" TABLE DATA public ", 1)[1].split(" ", 1)[0] in tables
    return True


_EXTENSION_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


def _extensions_sql(listing: str) -> str:
    """CREATE EXTENSION IF NOT EXISTS for each extension the dump names (its table of contents:
    "…; 3079 … EXTENSION - unaccent"), so a backup restores into a database cloned from a template that
    lacks one a later migration added (unaccent, trusted: the platform's role may create it). One that
    needs a superuser and is missing fails the restore with PostgreSQL's own message, changing nothing.
    Names are checked: the listing comes from a file."""
    names = []
    for line in listing.splitlines():
        if " EXTENSION - " in line:
            name = line.split(" EXTENSION - ", 1)[1].split(" ", 1)[0].strip()
            if _EXTENSION_NAME.match(name) and name not in names:
                names.append(name)
    return "".join(f'CREATE EXTENSION IF NOT EXISTS "{name}" WITH SCHEMA public;\n' for name in names)


def _restore_database(source: Path, tables: set[str]) -> None:
    env = database_environment()
    listing = subprocess.run(["pg_restore", "--list", str(source / DUMP)], capture_output=True, text=True, check=False)
    wanted = [line for line in listing.stdout.splitlines() if _wanted(line, tables)]
    with tempfile.TemporaryDirectory(prefix="greenlist-restore-") as scratch:
        toc = Path(scratch) / "toc.list"
        toc.write_text("\n".join(wanted) + "\n")
        drop = Path(scratch) / "drop.sql"
        drop.write_text(_extensions_sql(listing.stdout) + _DROP_OURS)
        dump = subprocess.Popen(
            ["pg_restore", "--no-owner", "--no-privileges", f"--use-list={toc}", "--file=-", str(source / DUMP)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        load = subprocess.run(
            ["psql", "--no-psqlrc", "--quiet", "--single-transaction", "--set=ON_ERROR_STOP=1", "--no-password"]
            + ["--output=/dev/null", f"--file={drop}", "--file=-"],
            stdin=dump.stdout,
            env=env,
            capture_output=True,
            text=True,
        )
        if dump.stdout is not None:
            dump.stdout.close()
        dump_error = dump.stderr.read().decode(errors="replace") if dump.stderr else ""
        dump.wait()
    if dump.returncode != 0 or load.returncode != 0:
        detail = (dump_error + load.stderr).strip()[-500:]
        raise BackupError(
            _("The database could not be restored; it was left as it was (one transaction): %(error)s")
            % {"error": detail}
        )


def _restore_files(manifest: dict[str, Any], source: Path, report: RestoreReport) -> None:
    by_key = storages_by_key()
    for entry in manifest["files"]:
        storage = by_key.get(entry["storage"])
        if storage is None:
            raise BackupError(_("No storage is known under the name %(key)s.") % {"key": entry["storage"]})
        name = safe_name(entry["name"])
        if storage.exists(name):
            if _stored_digest(storage, name) == entry["sha256"]:
                report.files += 1
                report.bytes += entry["size"]
                continue
            storage.delete(name)
        with open_backup_file(source, entry["path"]) as handle:
            saved = storage.save(name, File(handle, name=name))
        if saved != name:
            raise BackupError(
                _("The storage kept %(name)s under another name (%(saved)s).") % {"name": name, "saved": saved}
            )
        if _stored_digest(storage, name) != entry["sha256"]:
            raise BackupError(_("%(name)s does not match its SHA-256 once written back.") % {"name": name})
        report.files += 1
        report.bytes += entry["size"]


def _stored_digest(storage: Any, name: str) -> str:
    digest = hashlib.sha256()
    with storage.open(name, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def restore(source: Path, *, force: bool = False) -> RestoreReport:
    """Restore the backup in `source` into the configured database and storages. Raises BackupError
    (with the operator's sentence) before changing anything when the backup or the target is not right."""
    source = source.absolute()
    report = RestoreReport()
    manifest = read_manifest(source)
    report.checked.append(_("manifest and its SHA-256"))
    checked = check_contents(source, manifest)
    report.checked.append(
        _("%(files)s files (%(bytes)s bytes) against their size and SHA-256, the dump readable by pg_restore") % checked
    )
    newer = newer_migrations(manifest)
    if newer:
        raise BackupError(
            _(
                "This backup comes from a newer version of the platform: its database has migrations this code "
                "does not know (%(names)s). Restore it with that version or a later one."
            )
            % {"names": ", ".join(newer[:5]) + (" …" if len(newer) > 5 else "")}
        )
    report.checked.append(_("schema: every migration of the backup is known to this code"))
    try:
        own = rows_of_its_own()
    except psycopg.Error as error:
        raise BackupError(_("The database cannot be reached: %(error)s") % {"error": error})
    if own and not force:
        shown = ", ".join(f"{table} ({n})" for table, n in sorted(own.items())[:5])
        raise BackupError(
            _(
                "The database is not empty (%(tables)s). Nothing was changed. Restore into an empty database, "
                "or add --force to replace its contents with the backup."
            )
            % {"tables": shown}
        )
    connections.close_all()
    _restore_database(source, set(manifest["counts"]) | set(manifest["database"].get("excluded_table_data", [])))
    with database_connection() as connection, connection.cursor() as cursor:
        restored = table_counts(cursor)
        present = set(user_tables(cursor))
    expected = {t: n for t, n in manifest["counts"].items() if t in present or t not in restored}
    wrong = {t: (restored.get(t), n) for t, n in expected.items() if restored.get(t) != n}
    if wrong:
        shown = ", ".join(f"{t}: {got} ≠ {want}" for t, (got, want) in sorted(wrong.items())[:5])
        raise BackupError(_("The restored row counts differ from the manifest's: %(tables)s.") % {"tables": shown})
    report.counts = restored
    report.checked.append(
        _("row counts of %(tables)s tables (%(rows)s rows) equal the manifest's")
        % {"tables": len(restored), "rows": sum(restored.values())}
    )
    _restore_files(manifest, source, report)
    report.checked.append(
        _("%(files)s files written back through their storage and read back against their SHA-256")
        % {"files": report.files}
    )
    before = {(m.app, m.name) for m in _applied()}
    call_command("migrate", interactive=False, verbosity=0)
    report.migrated = sorted(f"{app}.{name}" for app, name in {(m.app, m.name) for m in _applied()} - before)
    # Tiles drawn from the replaced data sit in Redis under the same names: forget them all.
    tiles_data_changed()
    _record_the_restore(source, manifest, checked, report)
    return report


def _record_the_restore(source: Path, manifest: dict[str, Any], checked: dict[str, int], report: RestoreReport) -> None:
    """What the restored platform keeps of where it came from. The dump leaves the backups' history out
    (manifest.EXCLUDED_TABLE_DATA), so the backup restored from becomes a BackupRun of its own, verified
    (the restore has just checked it whole, as `backup_verify` would) and dated by its manifest, so the
    system page names it and scheduled backups may link files to it. The audit trail (hash-chained)
    says a restore happened, by whom (the system: an operator's command), from which path and backup."""
    report.backup_id = (source / MANIFEST_DIGEST).read_text().strip()
    made_at = parse_datetime(manifest.get("created_at") or "") or timezone.now()
    with transaction.atomic():
        run = BackupRun.objects.create(
            destination=str(source),
            kind=BackupKind.INCREMENTAL if manifest.get("incremental_from") else BackupKind.FULL,
            status=BackupStatus.VERIFIED,
            finished_at=made_at,
            manifest=summary_of(manifest),
            verified_at=timezone.now(),
            verification={"ok": True, **checked, "dump_readable": True, "by": "restore"},
        )
        BackupRun.objects.filter(pk=run.pk).update(started_at=made_at)  # auto_now_add: set after
        event = audit_record(
            actor=None,
            action="backup.restored",
            target=run,
            data={
                "source": str(source),
                "backup_id": report.backup_id,
                "manifest_created_at": manifest.get("created_at"),
                "platform_version": manifest.get("platform", {}).get("version"),
                "rows": sum(report.counts.values()),
                "files": report.files,
                "migrated": report.migrated,
            },
        )
    report.audit_event = event.pk


def _applied() -> list[Any]:
    from django.db.migrations.recorder import MigrationRecorder

    return list(MigrationRecorder(connections["default"]).migration_qs.all())
