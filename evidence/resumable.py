"""Resumable evidence uploads: the server side of the tus 1.0.0 protocol (https://tus.io; core,
creation, termination, expiration and checksum), issue 17.

Why our own module and not a library: the Python tus servers on PyPI are either for other
frameworks (FastAPI, Flask) or Django apps unmaintained for years that keep their own upload model,
storage paths and permission hooks; none could put an upload behind our rules and our evidence
service. The protocol itself is small and established (a POST, HEAD, PATCH and DELETE with a
handful of headers), and the browser side is the maintained tus-js-client (static/vendor/).

An upload belongs to the person who started it and to one assessment. Its evidence fields
(indicators, sensitivity, date, site, title) and the device's capture time and position come as
tus Upload-Metadata and are checked when the upload starts, so nobody sends 200 MB to be told the
date is wrong. Every piece is refused the moment its sender may no longer add evidence (403, a
revoked person) or the assessment is frozen (409). The last byte hands the file to
`services.evidence_upload`, exactly as a form upload does: same checks, same quota, same pipeline.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import hashlib
import os
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.gis.geos import Point
from django.core.files import File
from django.db import DatabaseError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from accounts import rules
from accounts.models import User
from assessments import error_codes as assessment_errors
from assessments.models import Answer, Assessment
from assessments.services import AssessmentFrozen
from audit.services import audit_record
from core.errors import Conflict, DomainError, NotAllowed
from core.limits import max_length

from . import error_codes
from .choices import Sensitivity
from .models import EvidenceItem, ResumableUpload
from .services import _application_site, _check_quota, evidence_upload, max_upload_bytes

TUS_VERSION = "1.0.0"
TUS_EXTENSIONS = "creation,termination,expiration,checksum"
CHECKSUM_ALGORITHMS = {"sha1": hashlib.sha1, "sha256": hashlib.sha256}
# Bytes read from the request and written per step: small enough to keep memory flat, large
# enough for few system calls.
CHUNK = 1024 * 1024
# A capture time this far ahead of the server's clock is a wrong device clock, not a photo.
CLOCK_SKEW = datetime.timedelta(days=1)
# Upload-Metadata is one header; a longer one is refused before it is decoded.
METADATA_MAX_CHARS = 8000


class UploadTooLarge(DomainError):
    http_status = 413


class UploadLocked(DomainError):
    """Another request is writing this upload right now (a client that retried before the server
    noticed its first connection had dropped): try again shortly (HTTP 423)."""

    http_status = 423


class ChecksumMismatch(DomainError):
    """The piece's bytes do not match its Upload-Checksum: they were not kept (tus's HTTP 460)."""

    http_status = 460


def partial_root() -> Path:
    """The directory of unfinished uploads' bytes, named by settings (never by the client)."""
    root = settings.EVIDENCE_PARTIAL_ROOT or f"{settings.EVIDENCE_ROOT}-partial"
    return Path(root)


def partial_path(upload: ResumableUpload) -> Path:
    return partial_root() / upload.id.hex


def expiry_from_now() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(hours=settings.EVIDENCE_UPLOAD_EXPIRY_HOURS)


# --- creation -----------------------------------------------------------------------------------


def parse_metadata(header: str) -> dict[str, str]:
    """tus Upload-Metadata: comma-separated `key base64(value)` pairs (a key alone: empty value)."""
    if len(header) > METADATA_MAX_CHARS:
        raise DomainError(error_codes.UPLOAD_METADATA_INVALID, _("Upload-Metadata is too long."))
    result: dict[str, str] = {}
    for pair in filter(None, (p.strip() for p in header.split(","))):
        key, _sep, value = pair.partition(" ")
        try:
            result[key] = base64.b64decode(value.strip(), validate=True).decode("utf-8") if value else ""
        except (binascii.Error, UnicodeDecodeError):
            raise DomainError(
                error_codes.UPLOAD_METADATA_INVALID,
                _("Upload-Metadata value of “%(key)s” is not base64 of UTF-8 text.") % {"key": key[:40]},
            ) from None
    return result


def _evidence_fields(assessment: Assessment, meta: dict[str, str]) -> dict[str, Any]:
    """The evidence fields of Upload-Metadata, checked as the upload form checks them, as JSON."""
    title = meta.get("title", "").strip()
    if len(title) > max_length(EvidenceItem, "title"):
        raise DomainError(
            error_codes.EVIDENCE_TITLE_TOO_LONG,
            _("The title is over %(n)s characters.") % {"n": max_length(EvidenceItem, "title")},
            field="title",
        )
    sensitivity = meta.get("sensitivity") or Sensitivity.REVIEWERS
    if sensitivity not in Sensitivity.values:
        raise DomainError(error_codes.EVIDENCE_SENSITIVITY_INVALID, _("Unknown sensitivity."), field="sensitivity")
    indicators: list[int] = []
    for part in filter(None, (p.strip() for p in meta.get("indicators", "").split(","))):
        if not (part.isascii() and part.isdigit()) or len(part) > 10:
            raise DomainError(
                error_codes.EVIDENCE_INDICATOR_UNKNOWN, _("Indicators are ids separated by commas."), field="indicators"
            )
        indicators.append(int(part))
    if len(set(indicators)) != Answer.objects.filter(assessment=assessment, indicator_id__in=indicators).count():
        raise DomainError(
            error_codes.EVIDENCE_INDICATOR_UNKNOWN,
            _("Some indicators are not part of this assessment."),
            field="indicators",
        )
    evidence_date = None
    if meta.get("evidence_date"):
        try:
            evidence_date = parse_date(meta["evidence_date"])
        except ValueError:
            evidence_date = None
        if evidence_date is None:
            raise DomainError(
                error_codes.UPLOAD_METADATA_INVALID, _("The evidence date is not a date."), field="evidence_date"
            )
        if evidence_date > timezone.localdate():
            raise DomainError(
                error_codes.DATE_IN_FUTURE,
                _("The evidence cannot refer to a date in the future."),
                field="evidence_date",
            )
    site = _application_site(assessment, meta.get("site") or None)
    return {
        "filename": (meta.get("filename") or "file")[:300],
        "filetype": (meta.get("filetype") or "")[:120],
        "title": title,
        "indicators": sorted(set(indicators)),
        "sensitivity": sensitivity,
        "evidence_date": evidence_date.isoformat() if evidence_date else None,
        "site": site.pk if site else None,
        **_capture(meta),
    }


def _capture(meta: dict[str, str]) -> dict[str, Any]:
    """When and where the device says the file was taken: captured_at (ISO 8601 with a zone),
    latitude and longitude (WGS 84 degrees), both optional."""
    found: dict[str, Any] = {"captured_at": None, "latitude": None, "longitude": None}
    if meta.get("captured_at"):
        try:
            when = parse_datetime(meta["captured_at"])
        except ValueError:
            when = None
        if when is None or timezone.is_naive(when) or when > timezone.now() + CLOCK_SKEW:
            raise DomainError(
                error_codes.UPLOAD_METADATA_INVALID,
                _("The capture time is not a past date and time with its time zone."),
                field="captured_at",
            )
        found["captured_at"] = when.isoformat()
    if meta.get("latitude") or meta.get("longitude"):
        try:
            lat, lon = float(meta.get("latitude", "")), float(meta.get("longitude", ""))
        except ValueError:
            lat = lon = float("nan")
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):  # NaN fails both
            raise DomainError(
                error_codes.UPLOAD_METADATA_INVALID,
                _("The position needs a latitude (-90 to 90) and a longitude (-180 to 180)."),
                field="latitude",
            )
        found["latitude"], found["longitude"] = lat, lon
    return found


def may_add_evidence(user: User, assessment: Assessment) -> None:
    """403 for a person who may not (or no longer) add evidence here; 409 when it is frozen."""
    if not rules.can_edit_assessment(user, assessment):
        raise NotAllowed(
            assessment_errors.NOT_SITE_TEAM,
            _("You can no longer add evidence to this assessment: you are not on its site team."),
        )
    if not assessment.is_editable:
        raise AssessmentFrozen(assessment)


def unfinished_bytes(user: User) -> int:
    """What the person's unfinished uploads will add: counted against the day's quota as they
    start, so that many uploads opened at once cannot fill the disk with partial files."""
    total = ResumableUpload.objects.filter(
        owner_id=user.pk, evidence__isnull=True, expires_at__gt=timezone.now()
    ).aggregate(n=Sum("length"))["n"]
    return int(total or 0)


def upload_start(*, assessment: Assessment, user: User, length: int, metadata: dict[str, str]) -> ResumableUpload:
    """Open a resumable upload of `length` bytes: the rule, the size limit (413), the day's quota
    and the evidence fields are checked now, before any byte is sent."""
    may_add_evidence(user, assessment)
    if length <= 0:
        raise DomainError(error_codes.EVIDENCE_EMPTY, _("The file is empty."), field="file")
    if length > max_upload_bytes():
        raise UploadTooLarge(
            error_codes.EVIDENCE_TOO_LARGE,
            _("The file is %(size).1f MB; the limit is %(limit)s MB.")
            % {"size": length / 1024 / 1024, "limit": settings.EVIDENCE_MAX_UPLOAD_MB},
            field="file",
        )
    _check_quota(user, length + unfinished_bytes(user))
    fields = _evidence_fields(assessment, metadata)
    partial_root().mkdir(parents=True, exist_ok=True)
    with transaction.atomic():
        upload = ResumableUpload.objects.create(
            assessment=assessment, owner=user, length=length, metadata=fields, expires_at=expiry_from_now()
        )
        partial_path(upload).touch(exist_ok=False)
        audit_record(
            actor=user,
            action="evidence.upload_started",
            target=assessment,
            data={"upload": str(upload.id), "length": length},
        )
    return upload


# --- reading and writing ------------------------------------------------------------------------


def get_upload_for_user(user: User, pk: Any) -> ResumableUpload:
    """The person's own upload that has not expired, else 404 (another's upload does not exist
    for them)."""
    try:
        pk = uuid.UUID(str(pk))
    except ValueError:
        raise NoSuchUpload(error_codes.UPLOAD_NOT_FOUND, _("No such upload, or it expired.")) from None
    upload = (
        ResumableUpload.objects.select_related("assessment")
        .filter(pk=pk, owner_id=user.pk, expires_at__gt=timezone.now())
        .first()
    )
    if upload is None:
        raise NoSuchUpload(error_codes.UPLOAD_NOT_FOUND, _("No such upload, or it expired."))
    return upload


class NoSuchUpload(DomainError):
    http_status = 404


def _checksum(header: str | None) -> tuple[Callable[[], Any], bytes] | None:
    if not header:
        return None
    name, _sep, value = header.strip().partition(" ")
    if name not in CHECKSUM_ALGORITHMS:
        raise DomainError(
            error_codes.UPLOAD_CHECKSUM_UNSUPPORTED,
            _("Upload-Checksum algorithm must be one of: %(names)s.") % {"names": ", ".join(CHECKSUM_ALGORITHMS)},
        )
    try:
        return CHECKSUM_ALGORITHMS[name], base64.b64decode(value, validate=True)
    except binascii.Error:
        raise DomainError(error_codes.UPLOAD_CHECKSUM_UNSUPPORTED, _("Upload-Checksum is not base64.")) from None


def upload_append(
    *,
    upload: ResumableUpload,
    user: User,
    offset: int,
    content_length: int,
    read: Callable[[int], bytes],
    checksum: str | None = None,
) -> ResumableUpload:
    """Append the request's bytes (`read(n)`) at `offset`, which must be where the upload stands
    (409 otherwise). The bytes that arrived are kept even when the connection drops part-way:
    that is what lets the client resume from them. The last byte makes the evidence item."""
    may_add_evidence(user, upload.assessment)
    expected = _checksum(checksum)
    if content_length < 0 or offset + content_length > upload.length:
        raise DomainError(
            error_codes.UPLOAD_TOO_MANY_BYTES,
            _("The request carries more bytes than the upload announced (Upload-Length)."),
        )
    with transaction.atomic():
        try:
            # One writer at a time; a second waits for nothing (it is a retry of a dropped one).
            locked = ResumableUpload.objects.select_for_update(nowait=True).get(pk=upload.pk)
        except DatabaseError:
            raise UploadLocked(
                error_codes.UPLOAD_BUSY, _("This upload is receiving another request; try again shortly.")
            ) from None
        if locked.offset != offset:
            raise Conflict(
                error_codes.UPLOAD_OFFSET_MISMATCH,
                _("Upload-Offset is %(sent)s but the server has %(kept)s bytes: resume from there.")
                % {"sent": offset, "kept": locked.offset},
            )
        received = _write(partial_path(locked), offset, content_length, read, expected)
        if received:
            locked.offset = offset + received
            locked.expires_at = expiry_from_now()
            locked.save(update_fields=["offset", "expires_at"])
    if locked.offset == locked.length and locked.evidence_id is None:
        upload_finish(upload=locked, user=user)
        locked.refresh_from_db()
    return locked


def _write(
    path: Path,
    offset: int,
    content_length: int,
    read: Callable[[int], bytes],
    expected: tuple[Callable[[], Any], bytes] | None,
) -> int:
    """Write up to `content_length` bytes from `read` at `offset`; return how many arrived. A piece
    with a checksum is kept only whole and matching (tus checksum extension)."""
    digest = expected[0]() if expected else None
    received = 0
    with open(path, "r+b") as out:
        out.seek(offset)
        while received < content_length:
            try:
                data = read(min(CHUNK, content_length - received))
            except OSError:  # the client went away mid-body (UnreadablePostError is one)
                break
            if not data:
                break
            out.write(data)
            if digest is not None:
                digest.update(data)
            received += len(data)
        if expected and digest is not None and (received != content_length or digest.digest() != expected[1]):
            out.truncate(offset)
            raise ChecksumMismatch(
                error_codes.UPLOAD_CHECKSUM_MISMATCH,
                _("The bytes received do not match Upload-Checksum; they were not kept, send them again."),
            )
        out.truncate(offset + received)
        out.flush()
        os.fsync(out.fileno())
    return received


def upload_finish(*, upload: ResumableUpload, user: User) -> EvidenceItem:
    """The whole file arrived: it becomes evidence through the one evidence service (its checks,
    quota, audit event and processing), and its partial bytes go."""
    meta = upload.metadata
    path = partial_path(upload)
    with transaction.atomic():
        locked = ResumableUpload.objects.select_for_update().get(pk=upload.pk)
        if locked.evidence_id is not None:
            return locked.evidence  # type: ignore[return-value]
        position = None
        if meta.get("latitude") is not None and meta.get("longitude") is not None:
            position = Point(meta["longitude"], meta["latitude"], srid=4326)
        with open(path, "rb") as fh:
            file = File(fh, name=meta.get("filename") or "file")
            file.content_type = meta.get("filetype", "")  # type: ignore[attr-defined]
            item = evidence_upload(
                assessment=upload.assessment,
                user=user,
                file=file,
                title=meta.get("title", ""),
                indicators=meta.get("indicators", []),
                sensitivity=meta.get("sensitivity", Sensitivity.REVIEWERS),
                evidence_date=parse_date(meta["evidence_date"]) if meta.get("evidence_date") else None,
                site=meta.get("site"),
                captured_at=parse_datetime(meta["captured_at"]) if meta.get("captured_at") else None,
                position=position,
            )
        locked.evidence = item
        locked.save(update_fields=["evidence"])
        # The bytes are in evidence storage now; the partial copy goes once this commits.
        transaction.on_commit(lambda: path.unlink(missing_ok=True))
    return item


def upload_terminate(*, upload: ResumableUpload, user: User) -> None:
    """tus termination: the person gives up the upload; its bytes go (evidence it became stays)."""
    path = partial_path(upload)
    with transaction.atomic():
        audit_record(
            actor=user,
            action="evidence.upload_terminated",
            target=upload.assessment,
            data={"upload": str(upload.id), "offset": upload.offset, "length": upload.length},
        )
        upload.delete()
        transaction.on_commit(lambda: path.unlink(missing_ok=True))


def purge_expired_uploads(now: datetime.datetime | None = None) -> int:
    """Delete uploads past their expiry and their partial bytes (beat, hourly). Returns how many."""
    now = now or timezone.now()
    expired = list(ResumableUpload.objects.filter(expires_at__lte=now).values_list("pk", flat=True))
    for pk in expired:
        with transaction.atomic():
            upload = ResumableUpload.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
            if upload is None:
                continue  # being written right now, or gone
            path = partial_path(upload)
            upload.delete()
            transaction.on_commit(lambda path=path: path.unlink(missing_ok=True))  # type: ignore[misc]
    return len(expired)
