"""Bulk ingest: every file under the given paths becomes an evidence item through the same
upload service (and so the same rules) as the browser, then the same processing pipeline."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from assessments.models import Assessment
from core.errors import DomainError
from evidence.choices import ProcessingStatus, Sensitivity
from evidence.selectors import import_report
from evidence.services import evidence_upload
from evidence.tasks import processing_in_batches

FINAL = {ProcessingStatus.READY, ProcessingStatus.FAILED}


class Command(BaseCommand):
    help = "Upload files (folders recursively) as evidence of an assessment and process them."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument("--assessment", type=int, required=True, help="Assessment id.")
        parser.add_argument("--indicator", action="append", default=[], help="Indicator code or number (repeatable).")
        parser.add_argument(
            "--user",
            help="E-mail of the uploader (a member of the site team); default: the person who started the assessment.",
        )
        parser.add_argument("--sensitivity", default=Sensitivity.REVIEWERS, choices=Sensitivity.values)
        parser.add_argument("--wait", action="store_true", help="Wait until every file is processed.")
        parser.add_argument("--timeout", type=int, default=3600, help="Seconds --wait waits at most.")
        parser.add_argument("--json", action="store_true", help='End with one JSON line: {"items": [...]}.')

    def handle(self, *args, paths, assessment, indicator, user, sensitivity, wait, timeout, json: bool, **options):
        target = Assessment.objects.select_related("standard", "created_by").filter(pk=assessment).first()
        if target is None:
            raise CommandError(f"No assessment with id {assessment}.")
        uploader = self._uploader(target, user)
        indicators = self._indicators(target, indicator)
        files = self._files(paths)
        if not files:
            raise CommandError("No files found under the given paths.")
        quiet = options["verbosity"] == 0
        entries: list[dict] = []
        # One batch task per BATCH_SIZE uploads instead of one task per file: workers start while
        # the import goes on, and drain the assessment in batches (see tasks.processing_in_batches).
        with processing_in_batches(target.pk):
            for path in tqdm(files, desc="upload", unit="file", disable=quiet, file=self.stderr._out):
                entry: dict[str, Any] = {"path": str(path), "item": None, "error": None}
                try:
                    with open(path, "rb") as handle:
                        item = evidence_upload(
                            assessment=target,
                            user=uploader,
                            file=File(handle, name=path.name),
                            indicators=indicators,
                            sensitivity=sensitivity,
                            # An operator's import on the server, not a person's upload.
                            enforce_quota=False,
                        )
                    entry["item"] = item.pk
                except DomainError as exc:
                    entry["error"] = exc.message
                except OSError as exc:
                    entry["error"] = f"Cannot read the file: {exc.strerror}"
                entries.append(entry)
        ids = [e["item"] for e in entries if e["item"]]
        if wait and ids:
            self._wait(ids, timeout, quiet)
        report = import_report(ids)
        items = []
        for entry in entries:
            row = report.get(entry["item"]) if entry["item"] else None
            items.append(_entry(entry, row))
        failed = sum(1 for i in items if i["status"] in (ProcessingStatus.FAILED, "refused"))
        if not quiet:
            self.stderr.write(f"{len(items)} files: {len(ids)} uploaded, {failed} refused or failed.")
        if json:
            self.stdout.write(_dumps({"items": items}))

    def _uploader(self, assessment, email):
        from accounts.models import User

        if not email:
            return assessment.created_by
        found = User.objects.filter(email__iexact=email).first()
        if found is None:
            raise CommandError(f"No user with e-mail {email}.")
        return found

    def _indicators(self, assessment, codes):
        found = []
        for code in codes:
            indicator = assessment.standard.indicators.filter(code=code).first() or (
                assessment.standard.indicators.filter(number=code).first()
            )
            if indicator is None:
                raise CommandError(f"No indicator '{code}' in {assessment.standard}.")
            found.append(indicator)
        return found

    def _files(self, paths) -> list[Path]:
        files = []
        for raw in paths:
            path = Path(raw)
            if path.is_dir():
                for root, dirs, names in os.walk(path):
                    dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                    files += [Path(root) / n for n in sorted(names) if not n.startswith(".")]
            elif path.is_file():
                files.append(path)
            else:
                raise CommandError(f"{raw}: no such file or folder.")
        return files

    def _wait(self, ids, timeout, quiet):
        from evidence.models import EvidenceItem

        deadline = time.monotonic() + timeout
        with tqdm(total=len(ids), desc="process", unit="file", disable=quiet, file=self.stderr._out) as bar:
            done = 0
            while True:
                now_done = EvidenceItem.objects.filter(pk__in=ids, processing_status__in=FINAL).count()
                bar.update(now_done - done)
                done = now_done
                if done >= len(ids):
                    return
                if time.monotonic() > deadline:
                    self.stderr.write(f"Gave up waiting after {timeout} s; {len(ids) - done} files still processing.")
                    return
                time.sleep(0.5)


def _entry(entry: dict, row: dict | None) -> dict:
    if row is None:
        return {
            "path": entry["path"],
            "item": None,
            "status": "refused",
            "sha256": None,
            "captured_at": None,
            "latitude": None,
            "longitude": None,
            "location_check": "none",
            "distance_km": None,
            "error": entry["error"],
        }
    return {"path": entry["path"], **row}


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)
