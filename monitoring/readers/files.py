"""The files a reader sees: folders walked, zip archives unpacked under the evidence app's limits
(no paths outside the target, no links, no bombs), everything else as it is."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

from evidence.extract import Unprocessable
from evidence.extract.archives import safe_extract

from . import Problem

MAX_FILES = 10_000


def expand(paths: list[Path], workdir: Path) -> tuple[list[Path], list[Problem]]:
    """Local files to read, in a stable order, and the problems met (a damaged or hostile archive,
    a missing path) as fatal problems."""
    files: list[Path] = []
    problems: list[Problem] = []
    for n, path in enumerate(paths):
        if path.is_dir():
            for root, _dirs, names in os.walk(path, followlinks=False):
                files.extend(Path(root) / name for name in names if not (Path(root) / name).is_symlink())
        elif not path.is_file():
            problems.append(Problem(path.name, "The file does not exist.", fatal=True))
        elif zipfile.is_zipfile(path):
            target = workdir / f"zip-{n}"
            target.mkdir(parents=True)
            try:
                files.extend(target / name for name in safe_extract(str(path), str(target)))
            except Unprocessable as exc:
                problems.append(Problem(path.name, exc.message, fatal=True))
        else:
            files.append(path)
        if len(files) > MAX_FILES:
            problems.append(Problem(path.name, f"More than {MAX_FILES:,} files; nothing was read.", fatal=True))
            return [], problems
    return sorted(files), problems


def find(files: list[Path], name: str) -> Path | None:
    """The file of that name (any case) nearest the top of the tree."""
    matches = sorted((f for f in files if f.name.lower() == name.lower()), key=lambda f: (len(f.parts), str(f)))
    return matches[0] if matches else None
