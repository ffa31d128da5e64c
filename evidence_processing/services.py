"""Writes of the processing pipeline: claim items, extract their facts, record the outcome.

Two ways in, one pipeline:
- `evidence_process(item_id)`: one item (a single upload's task, unit tests);
- `evidence_process_batch(assessment_id=...)`: what bulk ingest and the sweep use. It claims up to
  `BATCH_SIZE` items of one assessment at a time with `SELECT … FOR UPDATE SKIP LOCKED`, so any
  number of workers can drain the same assessment without waiting on or taking each other's items,
  and it writes their outcomes in one transaction (one location query, bulk updates) instead of
  a dozen queries and two commits per file.

Both are idempotent: an item already `ready` or `failed` is left alone, and an item `processing`
under another live claim is skipped, so a redelivered message (acks late) or a sweep never
processes one file twice at the same time. Only this module changes
`EvidenceItem.processing_status`, `status_reason` and `sha256`, and it does so with queryset
updates so the evidence app's model stays its own.
"""

from __future__ import annotations

import datetime
import hashlib
import json
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
from django.contrib.gis.db.models import GeometryField
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from audit.services import audit_record
from core.errors import TRANSIENT_DATABASE_ERRORS as TRANSIENT_ERRORS
from core.errors import without_paths
from evidence.choices import ProcessingStatus, Sensitivity
from evidence.models import EvidenceItem
from protected_areas.models import ProtectedArea

from . import error_codes
from .choices import Duplicate, Kind, LocationCheck
from .extract import Draft, Unprocessable, archives, camtrap, documents, geodata, images, rasters, sniff
from .location import check_locations
from .models import DuplicateLink, EvidenceFacts

log = logging.getLogger(__name__)

SEARCH_CONFIG = "simple"  # evidence is in many languages: no language's stemming is imposed
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

# A batch claims at most this many items, and at most this many bytes of files, at once: small
# enough that a claim is never held long and both workers get work, large enough that the
# per-claim and per-write queries are shared by many camera-trap photos.
BATCH_SIZE = 64
BATCH_BYTES = 256 * 1024 * 1024
# A batch task starts new items for this long, then hands the rest to a follow-up task; every
# item it starts still gets the full per-item soft time limit (the task's limits add this).
BATCH_TIME_BUDGET = 30
# Derived data (extracted text, thumbnails, geometries) held in memory before it is written: keeps
# a worker's memory flat however large the batch's documents are.
FLUSH_BYTES = 32 * 1024 * 1024


def stale_after() -> datetime.timedelta:
    """A `processing` claim older than a task's hard time limit (plus a margin) is dead."""
    return datetime.timedelta(seconds=settings.EVIDENCE_TASK_TIME_LIMIT + BATCH_TIME_BUDGET + 60)


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


# --- claim -----------------------------------------------------------------------------------


@dataclass
class Claim:
    item: EvidenceItem
    facts: EvidenceFacts
    token: str
    counted: bool = True  # this claim added one to `facts.attempts` (a retry of the same run does not)


def evidence_claim(item_id: int, *, task_id: str = "", force: bool = False) -> Claim | None:
    """Take the item for processing, or None when there is nothing (more) to do."""
    claims = _claim(EvidenceItem.objects.filter(pk=item_id), task_id or uuid.uuid4().hex, force=force)
    return claims[0] if claims else None


def evidence_claim_batch(*, assessment_id: int, task_id: str, limit: int = BATCH_SIZE) -> list[Claim]:
    """Take up to `limit` items of the assessment that need processing (pending, under a dead
    claim, or under this run's own claim when the task is retried), oldest first.

    Rows another transaction holds are skipped (SKIP LOCKED), so concurrent batches of the same
    assessment each get other items; the usual checks then run on the locked rows."""
    now = timezone.now()
    candidates = (
        EvidenceItem.objects.filter(assessment_id=assessment_id)
        .filter(
            Q(processing_status=ProcessingStatus.PENDING)
            | Q(processing_status=ProcessingStatus.PROCESSING)
            & (
                Q(facts__claimed_at__isnull=True)  # also: no facts row yet
                | Q(facts__claimed_at__lt=now - stale_after())
                | Q(facts__claim_task=task_id)
            )
        )
        .order_by("pk")
    )
    return _claim(candidates, task_id, skip_locked=True, limit=limit)


CLAIM_FIELDS = ("item_id", "attempts", "claim_task", "claimed_at")


def _claim(candidates, token: str, *, force: bool = False, skip_locked: bool = False, limit: int = 1) -> list[Claim]:
    now = timezone.now()
    with transaction.atomic():
        _relaxed_commit()
        rows = list(
            candidates.select_for_update(of=("self",), skip_locked=skip_locked).select_related("assessment")[:limit]
        )
        items, total = [], 0
        for item in rows:  # rows past the byte budget stay locked only until this commit
            if items and total + item.size > BATCH_BYTES:
                break
            items.append(item)
            total += item.size
        if not items:
            return []
        facts = {
            f.item_id: f for f in EvidenceFacts.objects.select_for_update().filter(item__in=items).only(*CLAIM_FIELDS)
        }
        claims, new = [], []
        for item in items:
            if item.pk in facts:
                claim = _claim_one(item, facts[item.pk], token, now, force)
            elif item.processing_status in (ProcessingStatus.READY, ProcessingStatus.FAILED) and not force:
                claim = None
            else:  # never claimed: its facts row is created already holding the claim
                claim = Claim(item, EvidenceFacts(item=item, attempts=1, claim_task=token, claimed_at=now), token)
                item.processing_status = ProcessingStatus.PROCESSING
                new.append(claim.facts)
            if claim is not None:
                claims.append(claim)
        # Nobody else can create these rows meanwhile: every claim locks the item row first.
        _create_facts(new)
        if claims:
            _bulk_set([c.facts for c in claims if c.item.pk in facts], list(CLAIM_FIELDS[1:]))
            EvidenceItem.objects.filter(pk__in=[c.item.pk for c in claims]).update(
                processing_status=ProcessingStatus.PROCESSING
            )
    return claims


def _create_facts(rows: list[EvidenceFacts]) -> None:
    """INSERT facts rows (defaults plus the claim) in one statement of constant size, whatever
    the number of rows: `bulk_create` would adapt every field of every row."""
    if not rows:
        return
    meta = EvidenceFacts._meta
    qn = connection.ops.quote_name
    fields = [f for f in meta.concrete_fields if f.name not in ("item", "search")]
    first = rows[0]  # the rows of one claim differ only in their item
    values = []
    for f in fields:
        value = getattr(first, f.attname)
        kind = f.get_internal_type()
        if value is None or isinstance(f, GeometryField):  # no geometry before processing
            values.append(("NULL", None))
        elif kind == "JSONField":
            values.append(("%s::jsonb", json.dumps(value, cls=f.encoder)))
        else:
            cast = "text" if kind in TEXT_TYPES else f.db_type(connection)
            values.append((f"%s::{cast}", f.get_db_prep_save(value, connection)))
    sql = (
        f"INSERT INTO {qn(meta.db_table)} ({qn(meta.pk.column)}, {', '.join(qn(f.column) for f in fields)}) "  # noqa: S608
        f"SELECT i, {', '.join(placeholder for placeholder, _ in values)} FROM unnest(%s::bigint[]) AS i"
    )
    params = [value for placeholder, value in values if placeholder != "NULL"] + [[r.item_id for r in rows]]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _claim_one(item: EvidenceItem, facts: EvidenceFacts, token: str, now, force: bool) -> Claim | None:
    status = item.processing_status
    if status in (ProcessingStatus.READY, ProcessingStatus.FAILED) and not force:
        return None
    if status == ProcessingStatus.PROCESSING and not force:
        live = facts.claimed_at is not None and facts.claimed_at > now - stale_after()
        if live and facts.claim_task != token:
            return None
    counted = facts.claim_task != token
    if counted:
        facts.attempts += 1
    if facts.attempts > settings.EVIDENCE_MAX_ATTEMPTS and not force:
        _fail_locked(
            item,
            facts,
            error_codes.GAVE_UP,
            f"Processing stopped {facts.attempts - 1} times without finishing (the file may be too "
            "large or complex); upload a smaller or simpler file.",
        )
        return None
    facts.claim_task = token
    facts.claimed_at = now
    item.processing_status = ProcessingStatus.PROCESSING
    return Claim(item=item, facts=facts, token=token, counted=counted)


def _release(claims: list[Claim]) -> None:
    """Give back claims a batch will not start (its time budget is spent): the items are pending
    again, with the attempt not counted, for the follow-up task."""
    with transaction.atomic():
        _relaxed_commit()
        by_pk = {c.item.pk: c for c in claims}
        rows = list(
            EvidenceFacts.objects.select_for_update().filter(
                item_id__in=by_pk, claim_task__in={c.token for c in claims}
            )
        )
        for facts in rows:
            facts.attempts -= 1 if by_pk[facts.item_id].counted else 0
            facts.claim_task, facts.claimed_at = "", None
        _bulk_set(rows, list(CLAIM_FIELDS[1:]))
        EvidenceItem.objects.filter(pk__in=[f.item_id for f in rows]).update(processing_status=ProcessingStatus.PENDING)


def _relaxed_commit() -> None:
    """Pipeline bookkeeping commits without waiting for the disk flush. Safe here: if the
    database crashed in that instant, the item would be left pending/processing and the sweep
    would simply process it again; facts are always re-derivable from the stored file."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")


TEXT_TYPES = {"CharField", "TextField", "FileField"}


def _bulk_set(objs: list, fields: list[str]) -> None:
    """Write `fields` of many rows of one model in ONE statement: UPDATE … FROM unnest(arrays).

    Django's `bulk_update` builds a CASE per field and row, and a VALUES list needs a parameter
    per field and row: both cost more Python time here than the work they save. One array per
    column keeps the statement and its parameters the same size whatever the number of rows.
    Text goes through as `text` so the column's own length check still applies on assignment (a
    cast to varchar(n) would silently truncate); geometries as EWKB, JSON as its text."""
    if not objs:
        return
    meta = objs[0]._meta
    columns = [meta.pk, *(meta.get_field(name) for name in fields)]
    qn = connection.ops.quote_name
    arrays, sets = [], []
    for f in columns:
        values = [getattr(obj, f.attname) for obj in objs]
        kind = f.get_internal_type()
        if isinstance(f, GeometryField):
            arrays.append(("bytea", [_ewkb(v, f.srid) for v in values]))
            sets.append(f"ST_GeomFromEWKB(v.{qn(f.column)})")
        elif kind == "JSONField":
            arrays.append(("text", [None if v is None else json.dumps(v, cls=f.encoder) for v in values]))
            sets.append(f"v.{qn(f.column)}::jsonb")
        else:
            cast = (
                "text" if kind in TEXT_TYPES else f.rel_db_type(connection) if f.is_relation else f.db_type(connection)
            )
            arrays.append((cast, [f.get_db_prep_save(v, connection) for v in values]))
            sets.append(f"v.{qn(f.column)}")
    pk = qn(meta.pk.column)
    sql = (
        f"UPDATE {qn(meta.db_table)} AS t SET "  # noqa: S608 - names from the model, values are parameters
        + ", ".join(f"{qn(f.column)} = {value}" for f, value in zip(columns[1:], sets[1:], strict=True))
        + f" FROM unnest({', '.join(f'%s::{cast}[]' for cast, _ in arrays)})"
        + f" AS v({', '.join(qn(f.column) for f in columns)}) WHERE t.{pk} = v.{pk}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [values for _, values in arrays])


def _ewkb(geom, srid: int) -> bytes | None:
    if geom is None:
        return None
    if geom.srid is None:
        geom = geom.clone()
        geom.srid = srid
    elif geom.srid != srid:
        geom = geom.transform(srid, clone=True)
    return bytes(geom.ewkb)


def _fail_locked(item: EvidenceItem, facts: EvidenceFacts, code: str, message: str) -> None:
    facts.error_code = code
    facts.kind = Kind.REJECTED if code in REJECT_CODES else facts.kind
    facts.processed_at = timezone.now()
    facts.claim_task = ""
    facts.save()
    EvidenceItem.objects.filter(pk=item.pk).update(
        processing_status=ProcessingStatus.FAILED, status_reason=without_paths(message)
    )
    audit_record(actor=None, action="evidence.processing_failed", target=item, data={"code": code})


REJECT_CODES = {
    error_codes.TOO_LARGE,
    error_codes.EMPTY,
    error_codes.EXECUTABLE,
    error_codes.SCRIPT,
    error_codes.HTML,
    error_codes.SVG_SCRIPT,
    error_codes.TYPE_MISMATCH,
    error_codes.TYPE_NOT_ALLOWED,
}


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
        return len(d.text) + len(d.thumbnail or b"") + len(d.display or b"") + geom


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
                _release(claims[n:])
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
    """Read the claimed item's file into a Draft; file problems become the outcome's error."""
    started = time.monotonic()
    item = claim.item
    workdir = Workdir(f"evidence-{item.pk}-")
    draft = Draft()
    sha = ""
    try:
        path, sha, size = _local_copy(item, workdir)
        _check_size(size)
        _extract(path, item, draft, lambda: boundaries.of(item.assessment.protected_area_id), workdir)
        error = None
    except Unprocessable as exc:
        error = exc
    except SoftTimeLimitExceeded:
        error = Unprocessable(
            error_codes.TIME_LIMIT,
            f"Processing took longer than {settings.EVIDENCE_TASK_SOFT_TIME_LIMIT} seconds and was stopped.",
        )
    except TRANSIENT_ERRORS:
        raise
    except FileNotFoundError:
        error = Unprocessable(error_codes.FILE_MISSING, "The stored file is missing; upload it again.")
    except MemoryError:
        error = Unprocessable(error_codes.INTERNAL, "The file needs more memory than a worker has.")
    except Exception:  # a bug in a reader must not keep the item (or the worker) stuck
        log.exception("evidence %s: unexpected error while processing", item.pk)
        error = Unprocessable(error_codes.INTERNAL, "The file could not be processed (internal error, logged).")
    finally:
        workdir.remove()
    return Outcome(claim, draft, sha, error, int((time.monotonic() - started) * 1000))


class Workdir:
    """A scratch folder made on first use: most files (photos on local storage) need none, and
    creating and removing a folder per file costs more than hashing a photo."""

    def __init__(self, prefix: str):
        self.prefix, self._path = prefix, None

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
    try:
        path = storage.path(item.file.name)
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
    with storage.open(item.file.name, "rb") as src, open(local, "wb") as out:
        while chunk := src.read(1024 * 1024):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return local, digest.hexdigest(), size


def _check_size(size: int) -> None:
    if size == 0:
        raise Unprocessable(error_codes.EMPTY, "The file is empty.", rejected=True)
    limit = settings.EVIDENCE_MAX_UPLOAD_MB
    if size > limit * 1024 * 1024:
        raise Unprocessable(
            error_codes.TOO_LARGE, f"The file is {size / 1024 / 1024:.1f} MB; the limit is {limit} MB.", rejected=True
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
SEARCH_SQL = """
    UPDATE evidence_processing_evidencefacts f
    SET search = setweight(to_tsvector(%s::regconfig, COALESCE(i.title, '')), 'A')
              || setweight(to_tsvector(%s::regconfig, COALESCE(f.text, '')), 'B')
    FROM evidence_evidenceitem i
    WHERE i.id = f.item_id AND f.item_id = ANY(%s)
"""


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
        _relaxed_commit()
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
        for o, _ in done:
            item = o.claim.item
            item.processing_status = ProcessingStatus.FAILED if o.error else ProcessingStatus.READY
            # Readers quote library errors, which name files by their server path: never shown.
            item.status_reason = without_paths(o.error.message) if o.error else ""
            item.sha256 = o.sha
            items.append(item)
            statuses[item.pk] = item.processing_status
        _bulk_set(items, ["processing_status", "status_reason", "sha256"])
        _duplicates(done)
        _bulk_set([f for _, f in done], FACT_FIELDS)
        with connection.cursor() as cursor:
            # Column references, not values: the new text was written by the update above.
            cursor.execute(SEARCH_SQL, [SEARCH_CONFIG, SEARCH_CONFIG, list(statuses)])
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


def _duplicates(done: list[tuple[Outcome, EvidenceFacts]]) -> None:
    """Link the items to others with the same bytes (one query for the whole batch, after the
    batch's own hashes are written, so copies within the batch find each other too).

    The flag only ever says "same file as other evidence of this site": a flag about another
    site's evidence would tell a site team, who may not see that site, that it holds the same
    file (an oracle across sites). Links across sites are still recorded (`same_site=False`) for
    IUCN staff, and shown nowhere."""
    shas = {o.sha for o, _ in done if o.sha}
    facts_of = {o.claim.item.pk: facts for o, facts in done}
    for _, facts in done:
        facts.duplicate = Duplicate.NONE
    if not shas:
        return
    groups: dict[str, list[tuple[int, int]]] = {}
    for pk, sha, area_id in EvidenceItem.objects.filter(sha256__in=shas).values_list(
        "pk", "sha256", "assessment__protected_area_id"
    ):
        groups.setdefault(sha, []).append((pk, area_id))
    links: set[tuple[int, int, bool]] = set()
    flag_same_site: set[int] = set()
    for o, facts in done:
        if not o.sha:
            continue
        pk, area_id = o.claim.item.pk, o.claim.item.assessment.protected_area_id
        others = [(other, other_area) for other, other_area in groups.get(o.sha, []) if other != pk]
        for other, other_area in others:
            links |= {(pk, other, other_area == area_id), (other, pk, other_area == area_id)}
        same_site = [other for other, other_area in others if other_area == area_id]
        if same_site:
            # The earlier uploads get the flag too: either copy may be the one a reviewer opens.
            facts.duplicate = Duplicate.SAME_SITE
            flag_same_site.update(same_site)
    DuplicateLink.objects.bulk_create(
        [DuplicateLink(item_id=a, duplicate_of_id=b, same_site=same) for a, b, same in sorted(links)],
        ignore_conflicts=True,
    )
    # Items of this batch already carry their own flag, computed from the whole group.
    flag_same_site -= facts_of.keys()
    if flag_same_site:
        EvidenceFacts.objects.filter(item_id__in=flag_same_site).exclude(duplicate=Duplicate.SAME_SITE).update(
            duplicate=Duplicate.SAME_SITE
        )


# --- nothing lost ---------------------------------------------------------------------------


def stuck_items(now: datetime.datetime | None = None):
    """Items whose processing should have happened by now: pending past a grace period (the
    upload's enqueue may have failed while Redis was down) or processing under a dead claim."""
    now = now or timezone.now()
    grace = now - datetime.timedelta(seconds=settings.EVIDENCE_SWEEP_GRACE_SECONDS)
    return EvidenceItem.objects.filter(
        Q(processing_status=ProcessingStatus.PENDING, uploaded_at__lt=grace)
        | Q(processing_status=ProcessingStatus.PROCESSING, facts__claimed_at__lt=now - stale_after())
        | Q(processing_status=ProcessingStatus.PROCESSING, facts__isnull=True)
    )
