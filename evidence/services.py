"""Writes for evidence: accepting an upload. Processing (hashing, previews: `pipeline`, run by
`tasks`) comes later and only moves `processing_status` on; it never changes who may see a file."""

from __future__ import annotations

import datetime
import os
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import Point
from django.core.files import File
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import rules
from accounts.models import User
from assessments import error_codes as assessment_errors
from assessments.models import Answer, Assessment
from assessments.services import AssessmentFrozen
from assessments.sites import application_areas
from audit.services import audit_record
from core import error_codes as core_error_codes
from core.errors import DomainError, NotAllowed
from core.limits import cut, max_length
from core.text import localized_number
from protected_areas.models import ProtectedArea
from standards.models import Indicator

from . import error_codes
from .choices import Sensitivity
from .models import EvidenceItem
from .tasks import process_evidence_item, process_item_later


def max_upload_bytes() -> int:
    return int(settings.EVIDENCE_MAX_UPLOAD_MB) * 1024 * 1024


class UploadQuotaExceeded(DomainError):
    """The person uploaded their day's worth of evidence already (HTTP 429: try again later)."""

    http_status = 429


QUOTA_WINDOW = datetime.timedelta(hours=24)


def uploaded_recently(user: User) -> int:
    """Bytes of evidence this person uploaded in the last 24 hours (items since deleted do not count)."""
    since = timezone.now() - QUOTA_WINDOW
    total = EvidenceItem.objects.filter(uploaded_by=user, uploaded_at__gte=since).aggregate(n=Sum("size"))["n"]
    return total or 0


def _check_quota(user: User, size: int) -> None:
    quota = settings.EVIDENCE_UPLOAD_QUOTA_MB_PER_DAY * 1024 * 1024
    used = uploaded_recently(user)
    if used + size > quota:
        left = max(quota - used, 0)
        raise UploadQuotaExceeded(
            error_codes.EVIDENCE_QUOTA_EXCEEDED,
            _(
                "You have uploaded %(used)s MB of evidence in the last 24 hours; the limit is %(quota)s MB a day, "
                "so this %(size)s MB file cannot be added now (%(left)s MB left). Files already uploaded are kept; "
                "try again later or ask IUCN staff to import large collections."
            )
            % {
                # Grouped as the reader groups them (1,234.5 in English, 1 234,5 in French).
                "used": localized_number(used / 1024 / 1024),
                "quota": localized_number(settings.EVIDENCE_UPLOAD_QUOTA_MB_PER_DAY),
                "size": localized_number(size / 1024 / 1024, 1),
                "left": localized_number(left / 1024 / 1024, 1),
            },
            field="file",
        )


def _application_site(assessment: Assessment, site: Any) -> ProtectedArea | None:
    """The site an item is about, if it is one of the application's (issue 16), else a 400."""
    if site in (None, ""):
        return None
    wanted = site.pk if isinstance(site, ProtectedArea) else site
    for area in application_areas(assessment):
        if str(area.pk) == str(wanted).strip():
            return area
    raise DomainError(
        error_codes.EVIDENCE_SITE_NOT_IN_APPLICATION,
        _("The evidence can be about one of the application's sites only."),
        field="site",
    )


def evidence_upload(
    *,
    assessment: Assessment,
    user: User,
    file: File[Any] | None,
    title: str = "",
    indicators: Iterable[Indicator | int] = (),
    sensitivity: str = Sensitivity.REVIEWERS,
    evidence_date: datetime.date | None = None,
    enforce_quota: bool = True,
    answering_question: bool = False,
    gathered_by_group: bool = False,
    site: Any = None,
    captured_at: datetime.datetime | None = None,
    position: Point | None = None,
) -> EvidenceItem:
    """Store one uploaded file as evidence of `assessment`, linked to the answers of `indicators`
    (Indicator objects or ids of the assessment's Standard version).

    `enforce_quota`: count the file against the uploader's daily quota
    (EVIDENCE_UPLOAD_QUOTA_MB_PER_DAY); off only for imports that operators run on the server.
    `answering_question`: the site team sends the file in answer to a reviewer's open question, which
    it may do in any phase (the reviewers asked for the document). While the assessment is frozen the
    file joins the evidence (and the pipeline) but is not linked to the answers, whose evidence the
    reviewers are judging as submitted: the caller links it to the reply.
    `gathered_by_group`: the expert group adds what it gathered itself, on a site visit (photos, GPS
    tracks; `visits.services`, which checks the visit's own phase and rules first): IUCN staff and the
    assessment's assigned experts may, in any phase, and the file is linked to the answers even while
    the assessment is frozen: it adds to what the reviewers judge, it does not change the site's
    submission.
    `site`: which site of a multi-site application the item is about (a protected area or its id: the
    main site or an added one, assessments.sites); None for the whole application.
    `captured_at`, `position`: when and where the uploader's device says the file was taken (a
    resumable upload's metadata, evidence.resumable), kept as the device's word."""
    if file is None:
        raise DomainError(error_codes.EVIDENCE_NO_FILE, _("Choose a file to upload."), field="file")
    size = getattr(file, "size", None) or 0
    if size == 0:
        raise DomainError(error_codes.EVIDENCE_EMPTY, _("The file is empty."), field="file")
    if size > max_upload_bytes():
        raise DomainError(
            error_codes.EVIDENCE_TOO_LARGE,
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {
                "size": localized_number(size / 1024 / 1024, 1, grouped=False),
                "limit": settings.EVIDENCE_MAX_UPLOAD_MB,
            },
            field="file",
        )
    if sensitivity not in Sensitivity.values:
        raise DomainError(
            error_codes.EVIDENCE_SENSITIVITY_INVALID,
            _("Unknown sensitivity '%(sensitivity)s'.") % {"sensitivity": sensitivity},
            field="sensitivity",
        )
    original = cut(os.path.basename(getattr(file, "name", "") or "file"), EvidenceItem, "original_filename")
    title = (title or "").strip() or original
    title_max = max_length(EvidenceItem, "title")
    if len(title) > title_max:
        raise DomainError(
            error_codes.EVIDENCE_TITLE_TOO_LONG,
            _("The title is over %(limit)d characters.") % {"limit": title_max},
            field="title",
        )
    if evidence_date and evidence_date > timezone.localdate():
        raise DomainError(
            error_codes.DATE_IN_FUTURE, _("The evidence cannot refer to a date in the future."), field="evidence_date"
        )
    indicator_ids = [i.pk if isinstance(i, Indicator) else i for i in indicators]
    about = _application_site(assessment, site)
    stored_name = None
    try:
        with transaction.atomic():
            locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
            if gathered_by_group:
                if not (rules.is_iucn_staff(user) or rules.is_assigned_expert(user, locked)):
                    raise NotAllowed(
                        error_codes.EVIDENCE_NOT_GROUP, _("Only the assigned expert group or IUCN staff can add this.")
                    )
            elif not rules.can_edit_assessment(user, locked):
                raise NotAllowed(assessment_errors.NOT_SITE_TEAM, _("Only the site's team can add evidence."))
            frozen = not locked.is_editable and not gathered_by_group
            if frozen and not answering_question:
                raise AssessmentFrozen(locked)
            if enforce_quota:
                # The person's row is locked so that parallel uploads are counted one after another.
                get_user_model().objects.select_for_update().only("pk").get(pk=user.pk)
                _check_quota(user, size)
            answers = list(Answer.objects.filter(assessment=locked, indicator_id__in=indicator_ids))
            if len(answers) != len(set(indicator_ids)):
                raise DomainError(
                    error_codes.EVIDENCE_INDICATOR_UNKNOWN,
                    _("Some indicators are not part of this assessment."),
                    field="indicators",
                )
            item = EvidenceItem(
                assessment=locked,
                title=title,
                original_filename=original,
                size=size,
                content_type=cut(getattr(file, "content_type", "") or "", EvidenceItem, "content_type"),
                evidence_date=evidence_date,
                uploaded_by=user,
                sensitivity=sensitivity,
                site=about,
                device_captured_at=captured_at,
                device_position=position,
            )
            item.file.save(original, file, save=False)
            stored_name = item.file.name
            item.save()
            for answer in [] if frozen else answers:
                answer.evidence.add(item)
            # robust: the upload is saved even when the broker is down; the sweep enqueues it later.
            transaction.on_commit(lambda: process_item_later(item.pk, size), robust=True)
            audit_record(
                actor=user,
                action="evidence.uploaded",
                target=item,
                data={"assessment": locked.pk, "size": size, "indicators": sorted(a.indicator_id for a in answers)},
            )
    except BaseException:
        # The row was not written: do not leave an orphan file behind.
        if stored_name:
            EvidenceItem._meta.get_field("file").storage.delete(stored_name)
        raise
    return item


def evidence_processing_retry(*, item_id: int, user: User) -> EvidenceItem | None:
    """Process a failed item again (staff's retry on the system page, issue 20): back to pending with
    its attempts and claim cleared (the reason it failed stays in the audit trail), its task sent after
    commit. None when the item is not failed (processed since, or retried already)."""
    from .choices import ProcessingStatus
    from .models import EvidenceFacts

    if not rules.is_iucn_staff(user):
        raise NotAllowed(core_error_codes.NOT_STAFF, _("Only IUCN staff may retry the processing of evidence."))
    with transaction.atomic():
        item = (
            EvidenceItem.objects.select_for_update()
            .filter(pk=item_id, processing_status=ProcessingStatus.FAILED)
            .first()
        )
        if item is None:
            return None
        EvidenceFacts.objects.filter(item_id=item.pk).update(attempts=0, claim_task="", claimed_at=None, error_code="")
        EvidenceItem.objects.filter(pk=item.pk).update(processing_status=ProcessingStatus.PENDING, status_reason="")
        item.refresh_from_db()
        transaction.on_commit(lambda: process_evidence_item.delay(item_id), robust=True)
        audit_record(actor=user, action="evidence.processing_retried", target=item, data={})
    return item
