"""Writes of the processing pipeline: claim an item, extract its facts, record the outcome.

`evidence_process` is what the Celery task runs. It is idempotent: an item already `ready` or
`failed` is left alone, and an item `processing` under another live claim is skipped, so a
redelivered message (acks late) or a sweep never processes one file twice at the same time.
Only this module changes `EvidenceItem.processing_status`, `status_reason` and `sha256`, and it
does so with `update()` so the evidence app's model stays its own.
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
from dataclasses import dataclass

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.gis.geos import GEOSException, Point
from django.contrib.postgres.search import SearchVector
from django.core.files.base import ContentFile
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.db.models import Q, Value
from django.utils import timezone

from audit.services import audit_record
from evidence.choices import ProcessingStatus, Sensitivity
from evidence.models import EvidenceItem

from . import error_codes
from .choices import Duplicate, Kind, LocationCheck
from .extract import Draft, Unprocessable, archives, camtrap, documents, geodata, images, rasters, sniff
from .models import DuplicateLink, EvidenceFacts

log = logging.getLogger(__name__)

SEARCH_CONFIG = "simple"  # evidence is in many languages: no language's stemming is imposed
TRANSIENT_ERRORS = (OperationalError, InterfaceError)
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


def stale_after() -> datetime.timedelta:
    """A `processing` claim older than the task's hard time limit (plus a margin) is dead."""
    return datetime.timedelta(seconds=settings.EVIDENCE_TASK_TIME_LIMIT + 60)


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


def evidence_claim(item_id: int, *, task_id: str = "", force: bool = False) -> Claim | None:
    """Take the item for processing, or None when there is nothing (more) to do."""
    token = task_id or uuid.uuid4().hex
    with transaction.atomic():
        _relaxed_commit()
        item = (
            EvidenceItem.objects.select_for_update(of=("self",))
            .select_related("assessment__protected_area")
            .filter(pk=item_id)
            .first()
        )
        if item is None:
            return None
        facts, _ = EvidenceFacts.objects.select_for_update().get_or_create(item=item)
        status = item.processing_status
        now = timezone.now()
        if status in (ProcessingStatus.READY, ProcessingStatus.FAILED) and not force:
            return None
        if status == ProcessingStatus.PROCESSING and not force:
            live = facts.claimed_at is not None and facts.claimed_at > now - stale_after()
            if live and facts.claim_task != token:
                return None
        if facts.claim_task != token:
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
        facts.save(update_fields=["attempts", "claim_task", "claimed_at"])
        EvidenceItem.objects.filter(pk=item.pk).update(processing_status=ProcessingStatus.PROCESSING)
        item.processing_status = ProcessingStatus.PROCESSING
    return Claim(item=item, facts=facts, token=token)


def _relaxed_commit() -> None:
    """Pipeline bookkeeping commits without waiting for the disk flush. Safe here: if the
    database crashed in that instant, the item would be left pending/processing and the sweep
    would simply process it again; facts are always re-derivable from the stored file."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")


def _fail_locked(item: EvidenceItem, facts: EvidenceFacts, code: str, message: str) -> None:
    facts.error_code = code
    facts.kind = Kind.REJECTED if code in REJECT_CODES else facts.kind
    facts.processed_at = timezone.now()
    facts.claim_task = ""
    facts.save()
    EvidenceItem.objects.filter(pk=item.pk).update(processing_status=ProcessingStatus.FAILED, status_reason=message)
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


def evidence_process(item_id: int, *, task_id: str = "", force: bool = False) -> str | None:
    """Process one item end to end; returns the final status, or None when skipped.

    Transient database errors propagate (the task retries them); everything about the file
    itself ends as `ready` or `failed` with a reason.
    """
    claim = evidence_claim(item_id, task_id=task_id, force=force)
    if claim is None:
        return None
    started = time.monotonic()
    item = claim.item
    workdir = tempfile.mkdtemp(prefix=f"evidence-{item.pk}-")
    draft = Draft()
    sha = ""
    try:
        path, sha, size = _local_copy(item, workdir)
        _check_size(size)
        boundary = item.assessment.protected_area.geom
        _extract(path, item, draft, boundary, workdir)
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
        shutil.rmtree(workdir, ignore_errors=True)
    return _finish(claim, draft, sha, error, int((time.monotonic() - started) * 1000))


def _local_copy(item: EvidenceItem, workdir: str) -> tuple[str, str, int]:
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
    local = os.path.join(workdir, f"original{ext}")
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


def _extract(path: str, item: EvidenceItem, draft: Draft, boundary, workdir: str) -> None:
    mime, description = sniff.sniff(path)
    draft.mime_type, draft.description = mime, description
    name = item.original_filename
    ext = os.path.splitext(name.lower())[1]
    sniff.check_allowed(path, name, mime, description)
    if mime == "image/tiff" and rasters.is_georeferenced(path):
        rasters.read_raster(path, draft, boundary)
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
            _extract_zip(path, draft, os.path.join(workdir, "unzipped"))
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


# --- location -------------------------------------------------------------------------------


def location_check(geom, area) -> tuple[str, float | None]:
    """Inside / outside the site's boundary and how far (km on the spheroid, 0 if touching)."""
    if geom is None or area is None or area.geom is None:
        return LocationCheck.NONE, None
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT bool_and(ST_Covers(pa.geom, d.geom)),
                   min(ST_Distance(pa.geom::geography, d.geom::geography)) / 1000.0
            FROM protected_areas_protectedarea pa, ST_Dump(ST_GeomFromEWKB(%s)) d
            WHERE pa.id = %s
            """,
            [bytes(geom.ewkb), area.pk],
        )
        inside, km = cursor.fetchone()
    if inside is None:
        return LocationCheck.NONE, None
    return (LocationCheck.INSIDE, 0.0) if inside else (LocationCheck.OUTSIDE, round(float(km), 3))


def _representative_point(geom):
    if geom is None or geom.empty:
        return None
    try:
        point = geom.unary_union.point_on_surface
    except GEOSException:
        point = geom.centroid  # invalid polygons (self-intersections) defeat the union
    point.srid = 4326
    return point


# --- finishing ------------------------------------------------------------------------------


def _finish(claim: Claim, draft: Draft, sha: str, error: Unprocessable | None, duration_ms: int) -> str | None:
    item = claim.item
    area = item.assessment.protected_area
    check, km = LocationCheck.NONE, None
    if error is None:
        try:
            # A track or polygon is inside only when all of it is; its pin is a point on it.
            check, km = location_check(draft.geometry if draft.geometry is not None else draft.position, area)
            if draft.position is None and draft.kind in (Kind.GEODATA, Kind.CAMERA_TRAP):
                draft.position = _representative_point(draft.geometry)
            if draft.camera_trap:
                for dep in draft.camera_trap["deployments"]:
                    if "latitude" in dep:
                        dep_check, dep_km = location_check(Point(dep["longitude"], dep["latitude"], srid=4326), area)
                        dep.update(location_check=str(dep_check), distance_km=dep_km)
        except DatabaseError as exc:
            if isinstance(exc, TRANSIENT_ERRORS):
                raise
            error = Unprocessable(error_codes.GEODATA_UNREADABLE, f"The geometry could not be checked ({exc}).")
    dates = list(draft.dates)
    if not dates and item.evidence_date:
        dates = [item.evidence_date]
    start, end = assessment_period(item.assessment)
    in_period = all(start <= d <= end for d in dates) if dates else None
    with transaction.atomic():
        _relaxed_commit()
        # The facts row is the claim: locking it is enough (the item row is only updated).
        facts = EvidenceFacts.objects.select_for_update().filter(pk=item.pk).first()
        if facts is None or facts.claim_task != claim.token:
            return None  # deleted, or taken over by another run after our claim went stale
        old_files = [f.name for f in (facts.thumbnail, facts.display) if f]
        facts.thumbnail, facts.display = "", ""
        for name in old_files:
            facts.thumbnail.storage.delete(name)
        _apply(facts, draft, error)
        facts.location_check, facts.distance_km = check, km
        facts.in_period = in_period if error is None else None
        facts.duration_ms = duration_ms
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
        facts.duplicate = _duplicates(item, sha) if sha else Duplicate.NONE
        # Values, not column references: in an UPDATE a column would still hold its old text.
        facts.search = SearchVector(Value(item.title), weight="A", config=SEARCH_CONFIG) + SearchVector(
            Value(facts.text), weight="B", config=SEARCH_CONFIG
        )
        facts.save()
        status = ProcessingStatus.FAILED if error else ProcessingStatus.READY
        EvidenceItem.objects.filter(pk=item.pk).update(
            processing_status=status, status_reason=error.message if error else "", sha256=sha
        )
        audit_record(
            actor=None,
            action="evidence.processed" if error is None else "evidence.processing_failed",
            target=item,
            data={"status": status, "kind": facts.kind, "code": facts.error_code, "sha256": sha},
        )
    return status


def _apply(facts: EvidenceFacts, draft: Draft, error: Unprocessable | None) -> None:
    for name in (
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
    ):
        setattr(facts, name, getattr(draft, name))
    facts.kind = draft.kind
    facts.error_code = ""
    if error is not None:
        facts.error_code = error.code
        facts.text = ""
        if error.rejected:
            facts.kind = Kind.REJECTED


def _duplicates(item: EvidenceItem, sha: str) -> str:
    """Link the item to others with the same bytes; the flag says whether another site has it."""
    others = list(
        EvidenceItem.objects.filter(sha256=sha).exclude(pk=item.pk).values_list("pk", "assessment__protected_area_id")
    )
    if not others:
        return Duplicate.NONE
    area_id = item.assessment.protected_area_id
    links = []
    for pk, other_area in others:
        same = other_area == area_id
        links += [
            DuplicateLink(item_id=item.pk, duplicate_of_id=pk, same_site=same),
            DuplicateLink(item_id=pk, duplicate_of_id=item.pk, same_site=same),
        ]
    DuplicateLink.objects.bulk_create(links, ignore_conflicts=True)
    other_site_ids = [pk for pk, other_area in others if other_area != area_id]
    if other_site_ids:
        # The earlier uploads get the flag too: reviewers of either site should see it.
        EvidenceFacts.objects.filter(item_id__in=other_site_ids).update(duplicate=Duplicate.OTHER_SITE)
        return Duplicate.OTHER_SITE
    EvidenceFacts.objects.filter(item_id__in=[pk for pk, _ in others], duplicate="").update(
        duplicate=Duplicate.SAME_SITE
    )
    return Duplicate.SAME_SITE


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
