"""Writes for reports: export jobs (queued, run by a worker, polled by the page) and the import of
an assessment package from another instance."""

from __future__ import annotations

import datetime
import hashlib
import json
import uuid
from typing import Any

from django.contrib.gis.geos import GEOSException, GEOSGeometry, MultiPolygon, Point, Polygon
from django.db import transaction
from django.db.models import Max
from django.http import Http404
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts import rules
from accounts.models import User
from accounts.types import Person
from assessments.choices import Status
from assessments.models import ACTION_MAX, JUSTIFICATION_MAX, Answer, Assessment, AssessmentTransition
from assessments.selectors import get_assessment_for_user
from audit.services import audit_record
from core.errors import DomainError, NotAllowed
from core.jobs import JobDone, Progress, job_create, job_run
from core.limits import cut
from core.models import Job
from protected_areas.models import ProtectedArea
from scoring import services as scoring_services
from standards.models import Standard

from . import error_codes, exports, package, selectors
from .choices import EXPORT_JOB_KIND, ExportFormat
from .models import ImportedPackage

CONTENT_TYPES = {
    ExportFormat.PDF: "application/pdf",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.JSON: "application/json",
}
# An export's steps, as its progress counts them: started, data read, file made, file stored.
EXPORT_STEPS = 4


# --- export jobs ---------------------------------------------------------------------------------


def export_job_create(*, assessment: Assessment, user: User, fmt: str) -> Job:
    """Queue an export of one assessment; the worker writes the file, the page polls the Job."""
    if fmt not in ExportFormat.values:
        raise DomainError(
            error_codes.FORMAT_UNKNOWN, _("Unknown export format '%(format)s'.") % {"format": fmt}, field="format"
        )
    if not rules.can_export_assessment(user, assessment):
        raise NotAllowed(error_codes.NOT_ALLOWED, _("You may not export this assessment."))
    with transaction.atomic():
        job = job_create(
            kind=EXPORT_JOB_KIND, user=user, params={"assessment": assessment.pk, "format": fmt}, total=EXPORT_STEPS
        )
        audit_record(
            actor=user, action="report.export_requested", target=assessment, data={"job": job.pk, "format": fmt}
        )
    return job


def _file_name(assessment: Assessment, fmt: str) -> str:
    stem = slugify(assessment.protected_area.name)[:60] or "assessment"
    # A random folder: the file sits in MEDIA storage, and its name must not be guessable.
    return f"{uuid.uuid4().hex}/{stem}-cycle{assessment.cycle}.{fmt}"


def build_export(assessment: Assessment, user: Person, fmt: str, progress: Progress = lambda step: None) -> bytes:
    """The file's bytes, seen as `user` sees the assessment."""
    if fmt == ExportFormat.JSON:
        progress(2)
        return package.package_bytes(package.build_package(assessment, user))
    if fmt == ExportFormat.PDF:
        progress(2)
        return exports.dossier_pdf(assessment, user)
    rows = selectors.export_rows(assessment, user)
    progress(2)
    if fmt == ExportFormat.CSV:
        return exports.rows_csv(rows)
    scores = scoring_services.ensure_current(assessment)
    if not selectors.may_see_findings(user, assessment):
        scores.pop("expert", None)
    return exports.rows_xlsx(rows, assessment, scores)


# A failed export's message, marked here and translated by core.jobs into the language of the person who
# asked (`{error}`: the exception's class name only).
EXPORT_UNEXPECTED = gettext_noop(
    "The export failed unexpectedly ({error}); the operators have the details in the worker log."
)


def export_job_run(job_id: int) -> Job:
    """Run a queued export (in a worker) through the job runner (core.jobs)."""
    return job_run(
        job_id,
        kind=EXPORT_JOB_KIND,
        work=_export_work,
        unexpected=EXPORT_UNEXPECTED,
    )


def _export_work(job: Job, progress: Progress) -> JobDone:
    # The person's rights are checked again: they may have lost access since they asked.
    progress(1)
    user = job.created_by
    try:
        if user is None:  # the account was deleted since
            raise Http404
        assessment = get_assessment_for_user(user, job.params.get("assessment"))
    except Http404:
        raise NotAllowed(error_codes.NOT_ALLOWED, _("The assessment is no longer visible to you.")) from None
    fmt = job.params.get("format")
    data = build_export(assessment, user, fmt, progress)
    progress(3)
    return JobDone(
        result={"bytes": len(data), "format": fmt, "content_type": CONTENT_TYPES[fmt]},
        file_name=_file_name(assessment, fmt),
        content=data,
    )


# --- package import ----------------------------------------------------------------------------


def _bad(message: str, code: str = error_codes.PACKAGE_INVALID) -> DomainError:
    return DomainError(code, message)


def _check_package(data: Any) -> None:
    if not isinstance(data, dict) or data.get("format") != package.FORMAT:
        raise _bad("This file is not a Green List assessment package.")
    if data.get("version") not in package.SUPPORTED_VERSIONS:
        raise _bad(
            f"Package version {data.get('version')!r} is not supported here (supported: "
            f"{', '.join(map(str, sorted(package.SUPPORTED_VERSIONS)))}).",
            error_codes.PACKAGE_VERSION_UNSUPPORTED,
        )
    for key, kind in (("standard", dict), ("protected_area", dict), ("assessment", dict), ("answers", list)):
        if not isinstance(data.get(key), kind):
            raise _bad(f"The package has no valid '{key}' section.")


def _standard_for(data: dict[str, Any]) -> Standard:
    ref = data["standard"]
    standard = (
        Standard.objects.filter(code=ref.get("code"), version=ref.get("version"), source_sha256=ref.get("sha256"))
        .order_by("-loaded_at")
        .first()
    )
    if standard is None:
        raise _bad(
            f"The Standard {ref.get('code')} v{ref.get('version')} (file {str(ref.get('sha256'))[:12]}…) is not loaded "
            "here. Load the same Standard file first (manage.py load_standard), so the scores stay identical.",
            error_codes.STANDARD_MISSING,
        )
    return standard


def _area_for(data: dict[str, Any]) -> ProtectedArea:
    src = data["protected_area"]
    key = src.get("key")
    if not key or not isinstance(key, str):
        raise _bad("The package's protected area has no key.")
    area = ProtectedArea.objects.filter(key=key).first()
    if area is not None:
        return area
    geom: MultiPolygon | None = None
    point: Point | None = None
    if src.get("geometry"):
        try:
            shape = GEOSGeometry(json.dumps(src["geometry"]), srid=4326)
        except (GEOSException, ValueError, TypeError):
            raise _bad("The package's boundary is not valid GeoJSON.")
        if shape.geom_type == "Polygon":
            shape = MultiPolygon(shape, srid=4326)
        if isinstance(shape, MultiPolygon):
            geom = shape
        elif isinstance(shape, Point):
            point = shape
        elif isinstance(shape, Polygon):
            geom = MultiPolygon(shape, srid=4326)
    if geom is None and point is None:
        raise _bad("The package's protected area has neither a boundary nor a point.")
    return ProtectedArea.objects.create(
        key=cut(key, ProtectedArea, "key"),
        wdpa_id=src.get("wdpa_id"),
        wdpa_pid=cut(str(src.get("wdpa_pid") or ""), ProtectedArea, "wdpa_pid"),
        name=cut(str(src.get("name") or key), ProtectedArea, "name"),
        orig_name=cut(str(src.get("orig_name") or ""), ProtectedArea, "orig_name"),
        designation_eng=cut(str(src.get("designation_eng") or ""), ProtectedArea, "designation_eng"),
        iucn_category=src.get("iucn_category") or "Not Reported",
        site_type=src.get("site_type") or "pa",
        iso3=[str(c)[:3] for c in src.get("iso3") or []],
        parent_iso3=[str(c)[:3] for c in src.get("parent_iso3") or []],
        area_km2=src.get("area_km2"),
        geom=geom,
        geom_display=geom,
        point=point,
        source="assessment package",
    )


def assessment_import(*, data: Any, user: User | None, raw: bytes | None = None) -> Assessment:
    """Create the assessment of a package as the next cycle of its site here (the site is created
    from the package if this instance does not have it), with its answers and the group's findings,
    then score it. Nothing is written unless all of it is valid."""
    if user is None or not rules.can_import_assessment(user):
        raise NotAllowed(error_codes.NO_IMPORTER, "Only IUCN staff can import assessment packages.")
    _check_package(data)
    standard = _standard_for(data)
    indicators = {i.code: i for i in standard.indicators.all()}
    scale = set(standard.rating_codes)
    answers_in: dict[str, dict[str, Any]] = {}
    for row in data["answers"]:
        if not isinstance(row, dict) or row.get("indicator") not in indicators:
            raise _bad(
                f"Indicator {row.get('indicator') if isinstance(row, dict) else row!r} is not in {standard}.",
                error_codes.INDICATOR_UNKNOWN,
            )
        if row.get("rating") and row["rating"] not in scale:
            raise _bad(
                f"Rating {row['rating']!r} of {row['indicator']} is not on the Standard's scale.",
                error_codes.RATING_UNKNOWN,
            )
        answers_in[row["indicator"]] = row
    findings_in = [f for f in data.get("findings") or [] if isinstance(f, dict)]
    for f in findings_in:
        if f.get("indicator") not in indicators or f.get("rating") not in scale:
            raise _bad(
                f"The finding on {f.get('indicator')!r} names an unknown indicator or rating.",
                error_codes.RATING_UNKNOWN,
            )
    src = data["assessment"]
    status = src.get("status") if src.get("status") in Status.values else Status.APPLICATION
    try:
        year = int(src.get("year"))
    except (TypeError, ValueError):
        raise _bad("The package's assessment has no valid year.")
    with transaction.atomic():
        area = _area_for(data)
        ProtectedArea.objects.select_for_update().filter(pk=area.pk).first()
        cycle = (Assessment.objects.filter(protected_area=area).aggregate(m=Max("cycle"))["m"] or 0) + 1
        # An imported assessment went through its workflow on the other instance: it arrives in the
        # phase it had there, and the transition row says so (the one other place a status is set).
        assessment = Assessment.objects.create(
            protected_area=area,
            cycle=cycle,
            year=year,
            standard=standard,
            created_by=user,
            status=status,
            submitted_at=parse_datetime(src.get("submitted_at") or "") if src.get("submitted_at") else None,
        )
        AssessmentTransition.objects.create(
            assessment=assessment,
            from_status=Status.APPLICATION,
            to_status=status,
            by=user,
            note=f"Imported from {data.get('source') or 'a package'} (assessment {src.get('id')}).",
        )
        answers = []
        for code, indicator in indicators.items():
            row = answers_in.get(code, {})
            answers.append(
                Answer(
                    assessment=assessment,
                    indicator=indicator,
                    rating=row.get("rating") or "",
                    justification=str(row.get("justification") or "")[:JUSTIFICATION_MAX],
                    evidence_date=_parse_date(row.get("evidence_date")),
                    action_text=str(row.get("action_text") or "")[:ACTION_MAX],
                    action_owner=cut(str(row.get("action_owner") or ""), Answer, "action_owner"),
                    action_due=_parse_date(row.get("action_due")),
                    carried_over=bool(row.get("carried_over")),
                    version=int(row.get("version") or 1),
                    updated_by=user,
                )
            )
        Answer.objects.bulk_create(answers)
        if findings_in:
            from reviews.models import GroupFinding

            by_code = {a.indicator.code: a for a in answers}
            GroupFinding.objects.bulk_create(
                [
                    GroupFinding(
                        answer=by_code[f["indicator"]],
                        rating=f["rating"],
                        finding=str(f.get("finding") or ""),
                        answer_version=int(f.get("answer_version") or by_code[f["indicator"]].version),
                        recorded_by=user,
                    )
                    for f in findings_in
                ]
            )
        body = raw if raw is not None else json.dumps(data, sort_keys=True).encode()
        ImportedPackage.objects.create(
            assessment=assessment,
            format_version=data["version"],
            source=cut(str(data.get("source") or ""), ImportedPackage, "source"),
            source_assessment_id=src.get("id") if isinstance(src.get("id"), int) else None,
            exported_at=parse_datetime(data.get("exported_at") or "") if data.get("exported_at") else None,
            sha256=hashlib.sha256(body).hexdigest(),
            package=data,
            imported_by=user,
        )
        audit_record(
            actor=user,
            action="assessment.imported",
            target=assessment,
            data={
                "source": data.get("source"),
                "source_assessment": src.get("id"),
                "answers": len(answers_in),
                "findings": len(findings_in),
            },
        )
        scoring_services.rescore_many([assessment.pk])
    return assessment


def _parse_date(value: object) -> datetime.date | None:
    if not value:
        return None
    try:
        return parse_date(str(value))
    except ValueError:
        return None
