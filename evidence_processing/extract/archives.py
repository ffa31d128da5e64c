"""Safe zip extraction: no paths outside the target, no links, no bombs.

Sizes in the zip directory are what the archive claims; the real guard is counting bytes while
they are written, so a forged header cannot slip a bomb through.
"""

from __future__ import annotations

import os
import stat
import zipfile
from pathlib import Path, PurePosixPath

from django.conf import settings

from .. import error_codes
from . import Unprocessable

CHUNK = 1024 * 1024
# A member this many times larger than its compressed size is a bomb; ordinary data
# (CSV, shapefiles, JPEGs) stays well below it.
MAX_RATIO = 200


def check_member_names(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    infos = archive.infolist()
    if len(infos) > settings.EVIDENCE_ZIP_MAX_FILES:
        raise Unprocessable(
            error_codes.ARCHIVE_TOO_MANY_FILES,
            f"The archive holds {len(infos):,} files; the limit is {settings.EVIDENCE_ZIP_MAX_FILES:,}.",
        )
    for info in infos:
        name = info.filename.replace("\\", "/")
        parts = PurePosixPath(name).parts
        if name.startswith("/") or ".." in parts or (parts and ":" in parts[0]):
            raise Unprocessable(
                error_codes.ARCHIVE_UNSAFE_PATH,
                f"The archive contains the path '{info.filename[:200]}', which points outside the archive.",
            )
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            raise Unprocessable(
                error_codes.ARCHIVE_UNSAFE_PATH, f"The archive contains a symbolic link ('{info.filename[:200]}')."
            )
    return infos


def safe_extract(path: str, target: str) -> list[str]:
    """Extract the zip at `path` into `target`; return the relative paths of the files."""
    limit = settings.EVIDENCE_ZIP_MAX_MB * 1024 * 1024
    written = 0
    files: list[str] = []
    root = Path(target).resolve()
    try:
        with zipfile.ZipFile(path) as archive:
            infos = check_member_names(archive)
            declared = sum(i.file_size for i in infos)
            if declared > limit:
                raise _bomb(declared, limit)
            for info in infos:
                if info.is_dir():
                    continue
                if info.file_size > CHUNK and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                    raise Unprocessable(
                        error_codes.ARCHIVE_BOMB,
                        f"'{info.filename[:200]}' expands {info.file_size // max(info.compress_size, 1):,} times "
                        "(a zip bomb); the archive was not unpacked.",
                    )
                dest = (root / info.filename).resolve()
                if not dest.is_relative_to(root):
                    raise Unprocessable(error_codes.ARCHIVE_UNSAFE_PATH, f"Unsafe path '{info.filename[:200]}'.")
                dest.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(info) as src, open(dest, "wb") as out:
                    while chunk := src.read(CHUNK):
                        written += len(chunk)
                        if written > limit:
                            raise _bomb(written, limit)
                        out.write(chunk)
                files.append(os.path.relpath(dest, root))
    except Unprocessable:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, NotImplementedError, ValueError) as exc:
        raise Unprocessable(error_codes.ARCHIVE_CORRUPT, f"The zip archive is damaged ({exc}).")
    return sorted(files)


def _bomb(size: int, limit: int) -> Unprocessable:
    return Unprocessable(
        error_codes.ARCHIVE_BOMB,
        f"The archive would unpack to more than {limit // (1024 * 1024):,} MB (a zip bomb?); it was not unpacked.",
    )
