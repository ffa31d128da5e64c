"""Claims of the processing pipeline: which run holds which item while it is `processing`.

A claim is the item's facts row (`claim_task`, `claimed_at`), taken under the item row's lock, so a
redelivered message (acks late), a sweep or a second worker never process one file twice at the same
time; a claim older than a task's hard time limit is dead and may be taken over.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import ngettext

from audit.services import audit_record
from core.errors import without_paths

from . import error_codes
from .bulk import bulk_set, insert_facts, relaxed_commit
from .choices import Kind, ProcessingStatus
from .models import EvidenceFacts, EvidenceItem

# A batch claims at most this many items, and at most this many bytes of files, at once: small
# enough that a claim is never held long and both workers get work, large enough that the
# per-claim and per-write queries are shared by many camera-trap photos.
BATCH_SIZE = 64
BATCH_BYTES = 256 * 1024 * 1024
# A batch task starts new items for this long, then hands the rest to a follow-up task; every
# item it starts still gets the full per-item soft time limit (the task's limits add this).
BATCH_TIME_BUDGET = 30


def stale_after() -> datetime.timedelta:
    """A `processing` claim older than a task's hard time limit (plus a margin) is dead."""
    return datetime.timedelta(seconds=settings.EVIDENCE_TASK_TIME_LIMIT + BATCH_TIME_BUDGET + 60)


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
# Loaded with each claimed item, in the same query: its assessment (the period, the site) and its
# uploader, whose language the reason of a failure is written in (`uploader_language`).
CLAIM_RELATED = ("assessment", "uploaded_by")


def _claim(candidates, token: str, *, force: bool = False, skip_locked: bool = False, limit: int = 1) -> list[Claim]:
    now = timezone.now()
    with transaction.atomic():
        relaxed_commit()
        rows = list(
            candidates.select_for_update(of=("self",), skip_locked=skip_locked).select_related(*CLAIM_RELATED)[:limit]
        )
        items: list[EvidenceItem] = []
        total = 0
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
        insert_facts(new)
        if claims:
            bulk_set([c.facts for c in claims if c.item.pk in facts], list(CLAIM_FIELDS[1:]))
            EvidenceItem.objects.filter(pk__in=[c.item.pk for c in claims]).update(
                processing_status=ProcessingStatus.PROCESSING
            )
    return claims


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
        with translation.override(uploader_language(item)):
            stopped = facts.attempts - 1
            message = ngettext(
                "Processing stopped %(count)s time without finishing (the file may be too large or complex); "
                "upload a smaller or simpler file.",
                "Processing stopped %(count)s times without finishing (the file may be too large or complex); "
                "upload a smaller or simpler file.",
                stopped,
            ) % {"count": stopped}
        fail_locked(item, facts, error_codes.GAVE_UP, message)
        return None
    facts.claim_task = token
    facts.claimed_at = now
    item.processing_status = ProcessingStatus.PROCESSING
    return Claim(item=item, facts=facts, token=token, counted=counted)


def uploader_language(item: EvidenceItem) -> str:
    """The language a reason for the item's uploader is written in: theirs (loaded with the claim,
    `CLAIM_RELATED`), English when there is none."""
    uploader = item.uploaded_by if item.uploaded_by_id else None
    return (uploader.language if uploader is not None else "") or "en"


def release_claims(claims: list[Claim]) -> None:
    """Give back claims a batch will not start (its time budget is spent): the items are pending
    again, with the attempt not counted, for the follow-up task."""
    with transaction.atomic():
        relaxed_commit()
        by_pk = {c.item.pk: c for c in claims}
        rows = list(
            EvidenceFacts.objects.select_for_update().filter(
                item_id__in=by_pk, claim_task__in={c.token for c in claims}
            )
        )
        for facts in rows:
            facts.attempts -= 1 if by_pk[facts.item_id].counted else 0
            facts.claim_task, facts.claimed_at = "", None
        bulk_set(rows, list(CLAIM_FIELDS[1:]))
        EvidenceItem.objects.filter(pk__in=[f.item_id for f in rows]).update(processing_status=ProcessingStatus.PENDING)


def fail_locked(item: EvidenceItem, facts: EvidenceFacts, code: str, message: str) -> None:
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
