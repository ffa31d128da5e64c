"""What a backup holds and how to tell it is whole: the manifest, the stored files, the database's tables.

A backup is a folder:

    manifest.json          platform version, migration state, row counts, every file's size and SHA-256
    manifest.json.sha256   the manifest's own SHA-256 (a damaged manifest is noticed, not trusted)
    database.dump          pg_dump's custom format
    files/<storage>/<name> every stored file, under the key of the storage it came from

Files are found through the models: every ``FileField`` of every installed model names its storage (the
default storage, or a callable such as ``evidence.storage.evidence_storage``), so a new app's files are
backed up without anyone listing them here. Files that no row names (abandoned partial uploads) are not
part of the platform's state and are left out.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

from django.apps import apps
from django.conf import settings
from django.core.files.storage import Storage, default_storage, storages
from django.db import models
from django.utils.translation import gettext as _

FORMAT = "greenlist-backup/1"
MANIFEST = "manifest.json"
MANIFEST_DIGEST = "manifest.json.sha256"
DUMP = "database.dump"
FILES = "files"
CHUNK = 1024 * 1024
# The record of backups belongs to the platform that made them: a restored database keeps its own
# history, and a backup never contains itself "running".
EXCLUDED_TABLE_DATA = ("operations_backuprun",)


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, in a sentence for the operator."""


@dataclass(frozen=True)
class FileColumn:
    table: str
    column: str
    storage_key: str


def storage_key(field: models.FileField) -> str:
    """A name for a field's storage that does not depend on where it keeps its files (the restore
    machine's MEDIA_ROOT may differ): the callable's dotted path, or "default"."""
    provider = getattr(field, "_storage_callable", None)
    if provider is not None:
        return f"{provider.__module__}.{provider.__qualname__}"
    if field.storage is default_storage or field.storage is storages["default"]:
        return "default"
    return f"{type(field.storage).__module__}.{type(field.storage).__qualname__}"


def file_columns() -> list[FileColumn]:
    columns = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField):
                columns.append(FileColumn(model._meta.db_table, str(field.column), storage_key(field)))
    return sorted(columns, key=lambda c: (c.table, c.column))


def storages_by_key() -> dict[str, Storage]:
    found: dict[str, Storage] = {"default": storages["default"]}
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField):
                found.setdefault(storage_key(field), field.storage)
    return found


def safe_name(name: str) -> str:
    """A stored file's name as the manifest gives it, refused if it could leave its folder."""
    path = PurePosixPath(name)
    if not name or path.is_absolute() or ".." in path.parts or "\\" in name or "\x00" in name:
        raise BackupError(_("The manifest names a file outside its folder: %(name)s.") % {"name": name[:200]})
    return str(path)


def backup_file(folder: Path, name: str) -> Path:
    """A file the manifest lists, inside the backup folder. Refused when it, or a folder on the way to
    it, is a symbolic link: a backup from elsewhere could point one at any file the platform can read,
    which a restore would then copy into evidence storage, where it is served."""
    path = folder / safe_name(name)
    step = folder
    for part in PurePosixPath(name).parts:
        step = step / part
        if step.is_symlink():
            raise BackupError(_("The backup holds a symbolic link, which is refused: %(name)s.") % {"name": name[:200]})
    return path


def open_backup_file(folder: Path, name: str) -> BinaryIO:
    """Open a listed file for reading, not following a link put there after it was checked."""
    return os.fdopen(os.open(backup_file(folder, name), os.O_RDONLY | os.O_NOFOLLOW), "rb")


def sha256_of(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def platform_version() -> str:
    """`git describe` of the running code when it is a checkout, else the project's version."""
    try:
        described = subprocess.run(
            ["git", "describe", "--always", "--dirty", "--tags"],
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
        return described.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def known_migrations() -> set[tuple[str, str]]:
    from django.db.migrations.loader import MigrationLoader

    return set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)


def write_manifest(folder: Path, manifest: dict[str, Any]) -> None:
    body = json.dumps(manifest, indent=1, sort_keys=True).encode()
    (folder / MANIFEST).write_bytes(body)
    (folder / MANIFEST_DIGEST).write_text(hashlib.sha256(body).hexdigest() + "\n")


def read_manifest(folder: Path) -> dict[str, Any]:
    """The manifest of the backup in `folder`, once its own hash and its shape are checked."""
    if not folder.is_dir():
        raise BackupError(_("There is no backup at %(path)s.") % {"path": folder})
    try:
        body = (folder / MANIFEST).read_bytes()
        expected = (folder / MANIFEST_DIGEST).read_text().strip()
    except OSError:
        raise BackupError(_("%(path)s is not a backup: its manifest is missing.") % {"path": folder})
    if hashlib.sha256(body).hexdigest() != expected:
        raise BackupError(_("The backup's manifest is damaged: its SHA-256 does not match the one written beside it."))
    try:
        manifest = json.loads(body)
    except ValueError:
        raise BackupError(_("The backup's manifest is not valid JSON."))
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(
            _("The backup's manifest is of an unknown format (expected %(format)s).") % {"format": FORMAT}
        )
    for key, kind in (("database", dict), ("migrations", dict), ("counts", dict), ("files", list)):
        if not isinstance(manifest.get(key), kind):
            raise BackupError(_("The backup's manifest has no valid “%(key)s” section.") % {"key": key})
    return manifest


def check_contents(folder: Path, manifest: dict[str, Any]) -> dict[str, int]:
    """Every file the manifest lists is there with its size and SHA-256, the dump included, and the dump
    is one pg_restore can read. Raises BackupError naming the first files that do not hold."""
    problems: list[str] = []
    checked_bytes = 0
    database = manifest["database"]
    entries = [{"path": DUMP, "size": database.get("size"), "sha256": database.get("sha256")}, *manifest["files"]]
    for entry in entries:
        if not isinstance(entry, dict):
            raise BackupError(_("The backup's manifest lists a file without its path, size and SHA-256."))
        path = backup_file(folder, str(entry.get("path", "")))
        try:
            digest, size = sha256_of(path)
        except OSError:
            problems.append(_("%(path)s is missing") % {"path": entry.get("path")})
            continue
        checked_bytes += size
        if size != entry.get("size"):
            problems.append(
                _("%(path)s has %(size)s bytes, the manifest says %(expected)s")
                % {"path": entry.get("path"), "size": size, "expected": entry.get("size")}
            )
        elif digest != entry.get("sha256"):
            problems.append(_("%(path)s does not match its SHA-256") % {"path": entry.get("path")})
    if problems:
        shown = "; ".join(problems[:5])
        more = len(problems) - 5
        if more > 0:
            shown += " " + _("(and %(count)s more)") % {"count": more}
        raise BackupError(_("The backup does not match its manifest: %(problems)s.") % {"problems": shown})
    listing = subprocess.run(["pg_restore", "--list", str(folder / DUMP)], capture_output=True, text=True)
    if listing.returncode != 0:
        raise BackupError(
            _("The backup's database dump cannot be read by pg_restore: %(error)s")
            % {"error": listing.stderr.strip()[-300:]}
        )
    return {"files": len(entries), "bytes": checked_bytes}


def database_environment() -> dict[str, str]:
    """PostgreSQL's client tools' connection, from Django's own settings (no password on a command line)."""
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    env.update(
        {
            "PGHOST": str(db.get("HOST") or "127.0.0.1"),
            "PGPORT": str(db.get("PORT") or "5432"),
            "PGUSER": str(db.get("USER") or ""),
            "PGPASSWORD": str(db.get("PASSWORD") or ""),
            "PGDATABASE": str(db["NAME"]),
        }
    )
    return env
