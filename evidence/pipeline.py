"""The processing pipeline: read claimed items' files, extract their facts, record the outcome.

Two ways in, one pipeline:
- `evidence_process(item_id)`: one item (a single upload's task, unit tests);
- `evidence_process_batch(assessment_id=...)`: what bulk ingest and the sweep use. It claims up to
  `BATCH_SIZE` items of one assessment at a time with `SELECT … FOR UPDATE SKIP LOCKED` (`claims`),
  so any number of workers can drain the same assessment without waiting on or taking each other's
  items, and it writes their outcomes in one transaction (one location query, bulk updates) instead
  of a dozen queries and two commits per file.

Both are idempotent: an item already `ready` or `failed` is left alone, and an item `processing`
under another live claim is skipped, so a redelivered message (acks late) or a sweep never
processes one file twice at the same time. Only the pipeline (this module and `claims`) changes
`EvidenceItem.processing_status`, `status_reason` and `sha256`, with queryset updates.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit.services import audit_record
from core.errors import TRANSIENT_DATABASE_ERRORS as TRANSIENT_ERRORS
from core.errors import without_paths
from protected_areas.models import ProtectedArea

from . import error_codes, thumbnails
from .bulk import bulk_set, relaxed_commit
from .choices import Kind, LocationCheck, ProcessingStatus, Sensitivity
from .claims import (
    BATCH_SIZE,
    BATCH_TIME_BUDGET,
    Claim,
    evidence_claim,
    evidence_claim_batch,
    release_claims,
    uploader_language,
)
from .duplicates import mark_duplicates
from .extract import Draft, Unprocessable, archives, camtrap, documents, geodata, images, number, rasters, sniff
from .location import check_locations
from .models import EvidenceFacts, EvidenceItem
from .search import update_search_vectors

log = logging.getLogger(__name__)

IMAGE_TYPES = {"image/jpeg", "image/png", "image/gif", "image/webp", "image/tiff", "image/heic", "image/heif"}
OFFICE_TYPES = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
    "application/vnd.oasis.opendocument.text": ".odt",
    "application/vnd.oasis.opendocument.spreadsheet": ".ods",
    "application/msword": ".doc",
    "application/vnd.ms-excel": ".xls",
    "application/CDFV2": ".doc",
    "application/x-ole-storage": ".doc",
}
# Derived data (extracted text, thumbnails, geometries) held in memory before it is written: keeps
# a worker's memory flat however large the batch's documents are.
FLUSH_BYTES = 32 * 1024 * 1024


# --- the assessment period ----------------------------------------------------------------------


def assessment_period(assessment) -> tuple[datetime.date, datetime.date]:
    """The dates evidence should refer to for this assessment.

    Rule: from 1 January five years before the assessment year (the Standard's five-year horizon:
    a site commits to reach it within 5 years and status lasts 5 years) to the end of the
    assessment year, or to the submission date when the assessment was submitted later than that.
    Evidence from the future of the upload is never in the period.
    """
    start = datetime.date(assessment.year - settings.EVIDENCE_PERIOD_YEARS, 1, 1)
    end = datetime.date(assessment.year, 12, 31)
    if assessment.submitted_at and assessment.submitted_at.date() > end:
        end = assessment.submitted_at.date()
    return start, end


# --- processing -------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What one claimed item's file turned out to be, waiting to be written with its batch."""

    claim: Claim
    draft: Draft
    sha: str
    error: Unprocessable | None
    duration_ms: int
    check: str = LocationCheck.NONE
    km: float | None = None
    in_period: bool | None = None

    @property
    def weight(self) -> int:
        """Rough bytes held in memory until the outcome is written."""
        d = self.draft
        geom = d.geometry.num_coords * 16 if d.geometry is not None else 0
        variants = sum(len(v) for v in d.variants.values())
        return len(d.text) + len(d.thumbnail or b"") + len(d.display or b"") + variants + geom


@dataclass
class Boundaries:
    """Site boundaries loaded once per batch, only when a reader needs the polygon itself
    (raster zonal statistics); location checks run in PostGIS against the stored row."""

    loaded: dict[int, object] = field(default_factory=dict)

    def of(self, area_id: int):
        if area_id not in self.loaded:
            self.loaded[area_id] = ProtectedArea.objects.filter(pk=area_id).values_list("geom", flat=True).first()
        return self.loaded[area_id]


def evidence_process(item_id: int, *, task_id: str = "", force: bool = False) -> str | None:
    """Process one item end to end; returns the final status, or None when skipped.

    Transient database errors propagate (the task retries them); everything about the file
    itself ends as `ready` or `failed` with a reason.
    """
    claim = evidence_claim(item_id, task_id=task_id, force=force)
    if claim is None:
        return None
    outcome = _run(claim, Boundaries())
    return _finish([outcome]).get(item_id)


@dataclass
class BatchResult:
    processed: int = 0
    more: bool = False  # the time budget ran out while items may still be waiting


def evidence_process_batch(
    *,
    assessment_id: int,
    task_id: str = "",
    budget: float | None = None,
    limit: int = BATCH_SIZE,
    on_full_claim: Callable[[], object] | None = None,
) -> BatchResult:
    """Process the assessment's waiting items, a claim of `limit` at a time, until none is left
    or `budget` seconds have passed (then `more` asks for a follow-up task). `on_full_claim` is
    called whenever a claim is full, i.e. more items are probably waiting: the task uses it to
    ask for a sibling, so that idle workers join in."""
    token = task_id or uuid.uuid4().hex
    deadline = time.monotonic() + (BATCH_TIME_BUDGET if budget is None else budget)
    result = BatchResult()
    boundaries = Boundaries()
    while True:
        claims = evidence_claim_batch(assessment_id=assessment_id, task_id=token, limit=limit)
        if not claims:
            return result
        if len(claims) == limit and on_full_claim is not None:
            on_full_claim()
        outcomes: list[Outcome] = []
        held = 0
        for n, claim in enumerate(claims):
            if n and time.monotonic() >= deadline:  # the first item always runs: progress is certain
                release_claims(claims[n:])
                break
            outcome = _run(claim, boundaries)
            outcomes.append(outcome)
            held += outcome.weight
            if held > FLUSH_BYTES:
                result.processed += len(_finish(outcomes))
                outcomes, held = [], 0
        result.processed += len(_finish(outcomes))
        if time.monotonic() >= deadline:
            result.more = True
            return result


def _run(claim: Claim, boundaries: Boundaries) -> Outcome:
    """Read the claimed item's file into a Draft; file problems become the outcome's error, its
    message in the uploader's language (a reason is stored as written, for whoever uploaded it)."""
    started = time.monotonic()
    item = claim.item
    workdir = Workdir(f"evidence-{item.pk}-")
    draft = Draft()
    sha = ""
    with translation.override(uploader_language(item)):
        try:
            path, sha, size = _local_copy(item, workdir)
            _check_size(size)
            # The boundary of the site the item is about (a multi-site application's, issue 16), else the main site's.
            site_id = item.site_id or item.assessment.protected_area_id
            _extract(path, item, draft, lambda: boundaries.of(site_id), workdir)
            error = None
        except Unprocessable as exc:
            error = exc
        except SoftTimeLimitExceeded:
            error = Unprocessable(
                error_codes.TIME_LIMIT,
                _("Processing took longer than %(seconds)s seconds and was stopped.")
                % {"seconds": settings.EVIDENCE_TASK_SOFT_TIME_LIMIT},
            )
        except TRANSIENT_ERRORS:
            raise
        except FileNotFoundError:
            error = Unprocessable(error_codes.FILE_MISSING, _("The stored file is missing; upload it again."))
        except MemoryError:
            error = Unprocessable(error_codes.INTERNAL, _("The file needs more memory than a worker has."))
        except Exception:  # a bug in a reader must not keep the item (or the worker) stuck
            log.exception("evidence %s: unexpected error while processing", item.pk)
            error = Unprocessable(error_codes.INTERNAL, _("The file could not be processed (internal error, logged)."))
        finally:
            workdir.remove()
    return Outcome(claim, draft, sha, error, int((time.monotonic() - started) * 1000))


class Workdir:
    """A scratch folder made on first use: most files (photos on local storage) need none, and
    creating and removing a folder per file costs more than hashing a photo."""

    def __init__(self, prefix: str):
        self.prefix = prefix
        self._path: str | None = None

    @property
    def path(self) -> str:
        if self._path is None:
            self._path = tempfile.mkdtemp(prefix=self.prefix)
        return self._path

    def remove(self) -> None:
        if self._path is not None:
            shutil.rmtree(self._path, ignore_errors=True)


def _local_copy(item: EvidenceItem, workdir: Workdir) -> tuple[str, str, int]:
    """A path on local disk to read the file from, its SHA-256 and its size.

    Local storage is read in place; other storages (S3) are copied to the work folder.
    """
    digest = hashlib.sha256()
    size = 0
    storage = item.file.storage
    name = item.file.name or ""  # an item always has its file
    try:
        path: str | None = storage.path(name)
    except NotImplementedError:
        path = None
    if path is not None:
        with open(path, "rb") as handle:
            while chunk := handle.read(1024 * 1024):
                digest.update(chunk)
                size += len(chunk)
        return path, digest.hexdigest(), size
    ext = os.path.splitext(item.original_filename)[1][:10]
    local = os.path.join(workdir.path, f"original{ext}")
    with storage.open(name, "rb") as src, open(local, "wb") as out:
        while chunk := src.read(1024 * 1024):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return local, digest.hexdigest(), size


def _check_size(size: int) -> None:
    if size == 0:
        raise Unprocessable(error_codes.EMPTY, _("The file is empty."), rejected=True)
    limit = settings.EVIDENCE_MAX_UPLOAD_MB
    if size > limit * 1024 * 1024:
        raise Unprocessable(
            error_codes.TOO_LARGE,
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": number(size / 1024 / 1024, 1, grouped=False), "limit": limit},
            rejected=True,
        )


def _extract(path: str, item: EvidenceItem, draft: Draft, boundary_of: Callable, workdir: Workdir) -> None:
    mime, description = sniff.sniff(path)
    draft.mime_type, draft.description = mime, description
    name = item.original_filename
    ext = os.path.splitext(name.lower())[1]
    sniff.check_allowed(path, name, mime, description)
    if mime == "image/tiff" and rasters.is_georeferenced(path):
        rasters.read_raster(path, draft, boundary_of())
    elif mime in IMAGE_TYPES:
        images.read_image(path, draft, make_display=item.sensitivity != Sensitivity.PUBLIC)
    elif mime == "application/pdf":
        documents.read_pdf(path, draft)
    elif mime in OFFICE_TYPES:
        documents.read_office(path, ext if ext in documents.OFFICE_TEXT_PARTS else OFFICE_TYPES[mime], draft)
    elif mime in ("application/zip", "application/x-zip-compressed"):
        if ext in (".docx", ".xlsx", ".pptx", ".odt", ".ods"):
            documents.read_office(path, ext, draft)
        else:
            _extract_zip(path, draft, os.path.join(workdir.path, "unzipped"))
    elif ext in (".geojson", ".json") and mime in ("application/json", "text/plain"):
        geodata.read_geojson(path, draft)
    elif ext in (".kml", ".gpx", ".gpkg"):
        geodata.read_vector(path, draft)
    elif mime.startswith("text/"):
        documents.read_text(path, draft)
    else:
        draft.kind = Kind.UNKNOWN


def _extract_zip(path: str, draft: Draft, target: str) -> None:
    files = archives.safe_extract(path, target)
    draft.details["files"] = len(files)
    layout = camtrap.detect(target, files)
    if layout:
        camtrap.read_package(target, files, layout, draft)
        return
    shapefiles = [f for f in files if f.lower().endswith(".shp")]
    others = [f for f in files if os.path.splitext(f.lower())[1] in geodata.GEODATA_EXTENSIONS - {".shp", ".json"}]
    if shapefiles or others:
        for f in shapefiles:
            geodata.check_shapefile_parts(os.path.join(target, f))
        chosen = (shapefiles or others)[0]
        if len(shapefiles) + len(others) > 1:
            draft.details["note"] = f"Only '{chosen}' was read; the archive holds several geodata files."
        geodata.read_vector(os.path.join(target, chosen), draft)
        return
    draft.kind = Kind.ARCHIVE


# --- finishing ------------------------------------------------------------------------------

FACT_FIELDS = [
    "mime_type",
    "description",
    "page_count",
    "text",
    "captured_at",
    "camera_make",
    "camera_model",
    "width",
    "height",
    "position",
    "geometry",
    "feature_count",
    "raster_stats",
    "camera_trap",
    "details",
    "kind",
    "error_code",
    "location_check",
    "distance_km",
    "in_period",
    "duration_ms",
    "processed_at",
    "claim_task",
    "thumbnail",
    "display",
    "duplicate",
]


def _finish(outcomes: list[Outcome]) -> dict[int, str]:
    """Write the outcomes of one batch in one transaction; returns the final status by item id
    (items deleted or taken over by another run since their claim are left out)."""
    if not outcomes:
        return {}
    check_locations(outcomes)
    for o in outcomes:
        o.in_period = _in_period(o)
    statuses: dict[int, str] = {}
    with transaction.atomic():
        relaxed_commit()
        # The facts row is the claim: locking it is enough (the item row is only updated).
        # Only what is read here: every other field is overwritten below (loading the old text
        # and geometry of each row would cost more than writing the new ones).
        rows = {
            f.item_id: f
            for f in EvidenceFacts.objects.select_for_update()
            .filter(item_id__in=[o.claim.item.pk for o in outcomes])
            .only("item_id", "claim_task", "thumbnail", "display")
        }
        done: list[tuple[Outcome, EvidenceFacts]] = []
        for o in outcomes:
            facts = rows.get(o.claim.item.pk)
            if facts is None or facts.claim_task != o.claim.token:
                continue  # deleted, or taken over by another run after our claim went stale
            _fill(facts, o)
            done.append((o, facts))
        if not done:
            return {}
        items = []
        for o, _facts in done:
            item = o.claim.item
            item.processing_status = ProcessingStatus.FAILED if o.error else ProcessingStatus.READY
            # Readers quote library errors, which name files by their server path: never shown.
            item.status_reason = without_paths(o.error.message) if o.error else ""
            item.sha256 = o.sha
            items.append(item)
            statuses[item.pk] = item.processing_status
        bulk_set(items, ["processing_status", "status_reason", "sha256"])
        mark_duplicates([(o.claim.item, o.sha, facts) for o, facts in done])
        bulk_set([f for _, f in done], FACT_FIELDS)
        update_search_vectors(list(statuses))  # from the text written just above
        for o, facts in done:
            audit_record(
                actor=None,
                action="evidence.processed" if o.error is None else "evidence.processing_failed",
                target=o.claim.item,
                data={
                    "status": statuses[o.claim.item.pk],
                    "kind": facts.kind,
                    "code": facts.error_code,
                    "sha256": o.sha,
                },
            )
    return statuses


def _in_period(o: Outcome) -> bool | None:
    if o.error is not None:
        return None
    item = o.claim.item
    dates = list(o.draft.dates)
    if not dates and item.evidence_date:
        dates = [item.evidence_date]
    start, end = assessment_period(item.assessment)
    return all(start <= d <= end for d in dates) if dates else None


def _fill(facts: EvidenceFacts, o: Outcome) -> None:
    item, draft, error, sha = o.claim.item, o.draft, o.error, o.sha
    old_files = [f.name for f in (facts.thumbnail, facts.display) if f]
    if facts.thumbnail:
        old_files += thumbnails.variant_names(str(facts.thumbnail.name))
    facts.thumbnail, facts.display = "", ""
    for name in old_files:
        facts.thumbnail.storage.delete(name)
    _apply(facts, draft, error)
    facts.location_check, facts.distance_km = o.check, o.km
    facts.in_period = o.in_period
    facts.duration_ms = o.duration_ms
    facts.processed_at = timezone.now()
    facts.claim_task = ""
    if error is None and draft.thumbnail:
        facts.thumbnail.save(
            f"derived/{item.assessment_id}/{item.pk}/thumb-{sha[:12]}.jpg", ContentFile(draft.thumbnail), save=False
        )
    if error is None and draft.thumbnail:
        # Its sizes for srcset, beside it (named from it: evidence.thumbnails).
        storage = facts.thumbnail.storage
        for width, data in draft.variants.items():
            storage.save(thumbnails.variant_name(facts.thumbnail.name, width), ContentFile(data))
    if error is None and draft.display:
        facts.display.save(
            f"derived/{item.assessment_id}/{item.pk}/display-{sha[:12]}.jpg", ContentFile(draft.display), save=False
        )


def _apply(facts: EvidenceFacts, draft: Draft, error: Unprocessable | None) -> None:
    for name in FACT_FIELDS[:15]:  # the fields a Draft carries
        setattr(facts, name, getattr(draft, name))
    facts.kind = draft.kind
    facts.error_code = ""
    if error is not None:
        facts.error_code = error.code
        facts.text = ""
        if error.rejected:
            facts.kind = Kind.REJECTED
