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
from django.utils.translation import gettext as _

from core.errors import without_paths

from .. import error_codes
from . import Unprocessable, number

# How much of a member's name an error message quotes (a name can be a few kilobytes long).
SHOWN_NAME_MAX = 200

CHUNK = 1024 * 1024
# A member this many times larger than its compressed size is a bomb; ordinary data
# (CSV, shapefiles, JPEGs) stays well below it. Checked for every member, however small: a bomb
# can be thousands of small members (a 2.3 MB upload once unpacked to 2 GB of 1 MiB members).
MAX_RATIO = 200
# ...except that a member may always unpack to this much (a blank-padded .dbf or .cpg compresses
# far beyond 200:1, and so little cannot hurt; the total cap below counts it).
SMALL_MEMBER = 16 * 1024
# The whole archive may unpack to at most this many times its own size (and never more than
# EVIDENCE_ZIP_MAX_MB): many small members each under the per-member rule add up to no more.
MAX_TOTAL_RATIO = 100


def check_member_names(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    infos = archive.infolist()
    if len(infos) > settings.EVIDENCE_ZIP_MAX_FILES:
        raise Unprocessable(
            error_codes.ARCHIVE_TOO_MANY_FILES,
            _("The archive holds %(count)s files; the limit is %(limit)s.")
            % {"count": number(len(infos)), "limit": number(settings.EVIDENCE_ZIP_MAX_FILES)},
        )
    for info in infos:
        name = info.filename.replace("\\", "/")
        parts = PurePosixPath(name).parts
        if name.startswith("/") or ".." in parts or (parts and ":" in parts[0]):
            raise Unprocessable(
                error_codes.ARCHIVE_UNSAFE_PATH,
                _("The archive contains the path '%(name)s', which points outside the archive.")
                % {"name": info.filename[:SHOWN_NAME_MAX]},
            )
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            raise Unprocessable(
                error_codes.ARCHIVE_UNSAFE_PATH,
                _("The archive contains a symbolic link ('%(name)s').") % {"name": info.filename[:SHOWN_NAME_MAX]},
            )
    return infos


def safe_extract(path: str, target: str) -> list[str]:
    """Extract the zip at `path` into `target`; return the relative paths of the files.

    The limits hold for the bytes actually written, counted while writing, not only for the sizes
    the archive declares."""
    limit = expansion_limit(os.path.getsize(path))
    written = 0
    files: list[str] = []
    root = Path(target).resolve()
    try:
        with zipfile.ZipFile(path) as archive:
            infos = check_member_names(archive)
            declared = sum(i.file_size for i in infos)
            if declared > limit:
                raise _bomb(limit)
            for info in infos:
                if info.is_dir():
                    continue
                allowed = _member_limit(info)
                if info.file_size > allowed:
                    raise _member_bomb(info, info.file_size)
                dest = (root / info.filename).resolve()
                if not dest.is_relative_to(root):
                    raise Unprocessable(
                        error_codes.ARCHIVE_UNSAFE_PATH,
                        _("Unsafe path '%(name)s'.") % {"name": info.filename[:SHOWN_NAME_MAX]},
                    )
                dest.parent.mkdir(parents=True, exist_ok=True)
                member = 0
                with archive.open(info) as src, open(dest, "wb") as out:
                    while chunk := src.read(min(CHUNK, allowed - member + 1, limit - written + 1)):
                        member += len(chunk)
                        written += len(chunk)
                        if written > limit:
                            raise _bomb(limit)
                        if member > allowed:
                            raise _member_bomb(info, member)
                        out.write(chunk)
                files.append(os.path.relpath(dest, root))
    except Unprocessable:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, NotImplementedError, ValueError) as exc:
        raise Unprocessable(
            error_codes.ARCHIVE_CORRUPT, _("The zip archive is damaged (%(error)s).") % {"error": without_paths(exc)}
        )
    return sorted(files)


def expansion_limit(archive_bytes: int) -> int:
    """How many bytes an archive of this size may unpack to, in all."""
    cap = settings.EVIDENCE_ZIP_MAX_MB * 1024 * 1024
    return min(cap, max(MAX_TOTAL_RATIO * archive_bytes, SMALL_MEMBER))


def _member_limit(info: zipfile.ZipInfo) -> int:
    return max(MAX_RATIO * max(info.compress_size, 1), SMALL_MEMBER)


def _member_bomb(info: zipfile.ZipInfo, size: int) -> Unprocessable:
    return Unprocessable(
        error_codes.ARCHIVE_BOMB,
        _("'%(name)s' expands %(ratio)s times (a zip bomb); the archive was not unpacked.")
        % {"name": info.filename[:SHOWN_NAME_MAX], "ratio": number(size // max(info.compress_size, 1))},
    )


def _bomb(limit: int) -> Unprocessable:
    return Unprocessable(
        error_codes.ARCHIVE_BOMB,
        _(
            "The archive would unpack to more than %(size)s (a zip bomb?); it was not unpacked. An archive may "
            "unpack to %(ratio)s times its size, and to %(most)s MB at most."
        )
        % {"size": _size(limit), "ratio": MAX_TOTAL_RATIO, "most": number(settings.EVIDENCE_ZIP_MAX_MB)},
    )


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return _("%(size)s MB") % {"size": number(n / (1024 * 1024), 1)}
    return _("%(size)s KB") % {"size": number(n / 1024)}
