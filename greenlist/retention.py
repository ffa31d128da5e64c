"""Retention of personal data (issue 20): one nightly beat task, one rule per kind of data.

Here because it composes apps (greenlist sits above them all): stakeholders' public comments,
concerns' raisers, evidence uploads that never became evidence. Each rule's length is a setting
with a default (greenlist/settings.py, .env.example), and the privacy page (greenlist.privacy)
reads the same settings. What is removed is the personal part only: a comment's text stays as
the expert group considered it; a concern's story stays in its record.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import Max, ProtectedError, Q
from django.utils import timezone

from audit.services import audit_record

logger = logging.getLogger(__name__)


@dataclass
class RetentionResult:
    comments: int = 0
    concerns: int = 0
    rejected_uploads: int = 0
    upload_leftovers: int = 0


def forget_comment_authors(now: datetime.datetime) -> int:
    """Public comments of windows closed more than RETENTION_COMMENT_PERSONAL_DAYS ago lose name and address."""
    from stakeholders.models import Comment

    cutoff = (now - datetime.timedelta(days=settings.RETENTION_COMMENT_PERSONAL_DAYS)).date()
    return (
        Comment.objects.filter(window__closes_on__lt=cutoff)
        .filter(~Q(email="") | ~Q(name=""))
        .update(name="", show_name=False, email="")
    )


def forget_concern_raisers(now: datetime.datetime) -> int:
    """Concerns closed (or found not admissible) more than RETENTION_CONCERN_PERSONAL_DAYS ago lose the
    raiser's name and address; the private link stops working with them."""
    from concerns.choices import ConcernStatus
    from concerns.models import Concern

    cutoff = now - datetime.timedelta(days=settings.RETENTION_CONCERN_PERSONAL_DAYS)
    closed = (
        Concern.objects.filter(status__in=[ConcernStatus.CLOSED, ConcernStatus.NOT_ADMISSIBLE])
        .filter(~Q(email="") | ~Q(name=""))
        .annotate(closed_at=Max("transitions__at"))
        .filter(closed_at__lt=cutoff)
    )
    return Concern.objects.filter(pk__in=list(closed.values_list("pk", flat=True))).update(name="", email="")


def delete_rejected_uploads(now: datetime.datetime) -> tuple[int, int]:
    """Evidence that failed its checks, and finished resumable uploads' leftovers, past
    RETENTION_REJECTED_UPLOAD_DAYS: the rows and their bytes go. Returns (items, leftovers)."""
    from evidence.choices import ProcessingStatus
    from evidence.models import EvidenceItem, ResumableUpload
    from evidence.resumable import partial_path

    cutoff = now - datetime.timedelta(days=settings.RETENTION_REJECTED_UPLOAD_DAYS)
    items = 0
    for item in EvidenceItem.objects.filter(processing_status=ProcessingStatus.FAILED, uploaded_at__lt=cutoff):
        name, storage = item.file.name, item.file.storage
        try:
            with transaction.atomic():
                audit_record(
                    actor=None,
                    action="evidence.retention_deleted",
                    target=item,
                    data={"reason": "failed upload past retention"},
                )
                item.delete()
        except ProtectedError:
            logger.info("retention: evidence %s is still referenced; kept", item.pk)
            continue
        if name:
            storage.delete(name)
        items += 1
    leftovers = 0
    for upload in ResumableUpload.objects.filter(evidence__isnull=False, created_at__lt=cutoff):
        path = partial_path(upload)
        upload.delete()
        path.unlink(missing_ok=True)
        leftovers += 1
    return items, leftovers


def apply_retention(now: datetime.datetime | None = None) -> RetentionResult:
    now = now or timezone.now()
    result = RetentionResult()
    result.comments = forget_comment_authors(now)
    result.concerns = forget_concern_raisers(now)
    result.rejected_uploads, result.upload_leftovers = delete_rejected_uploads(now)
    logger.info("retention applied: %s", result)
    return result


@shared_task(name="greenlist.apply_retention")
def apply_retention_task() -> dict[str, int]:
    return apply_retention().__dict__
