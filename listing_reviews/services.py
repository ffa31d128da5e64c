"""Writes of the reviews of a listed site: beat's openings, the mid-term review's steps, the start
of the renewal cycle. Every rule is checked here (listing_reviews.rules, the state machine, the
texts' limits); pages, API and the task only call these.

The certificate's status while a renewal is under way (the platform's rule; IUCN publishes none that
we found) is `RENEWAL_STATUS_RULE` in listing_reviews.selectors: nothing here changes a certificate.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.db.models.functions import Greatest, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from assessments import selectors as assessment_selectors
from assessments.models import Assessment
from assessments.services import assessment_create
from audit.services import audit_record
from certification.choices import LISTED_STATUSES
from certification.conditions import condition_report_progress, conditions_for
from certification.models import Certificate
from core.errors import Conflict, DomainError, NotAllowed
from core.text import clean_text
from evidence.models import EvidenceItem
from evidence.services import evidence_upload

from . import emails, error_codes, rules, workflow
from .choices import PANEL_OUTCOMES, MidtermStatus
from .models import TEXT_MAX, MidtermReview, RenewalReview


def midterm_due_on(certificate: Certificate) -> datetime.date:
    """The day `GREENLIST_MIDTERM_AT` (a share, 0.5: half-way) of the validity has passed."""
    validity = (certificate.expires_on - certificate.granted_on).days
    return certificate.granted_on + datetime.timedelta(days=round(validity * settings.GREENLIST_MIDTERM_AT))


def renewal_due_on(certificate: Certificate) -> datetime.date:
    """`GREENLIST_RENEWAL_LEAD_DAYS` before the certificate expires."""
    return certificate.expires_on - datetime.timedelta(days=settings.GREENLIST_RENEWAL_LEAD_DAYS)


def _current_listed(today: datetime.date) -> QuerySet[Certificate]:
    """Certificates that list their site today and are its newest (an older cycle's certificate, whose
    renewal was granted, needs neither review again)."""
    from certification.selectors import public_certificates

    return (
        public_certificates()
        .filter(status__in=LISTED_STATUSES, granted_on__lte=today, expires_on__gt=today)
        .select_related("protected_area", "decision__assessment")
        .order_by("pk")
    )


def _cycle_started_since(certificate: Certificate) -> Assessment | None:
    """The site's open cycle if it is newer than the listed one and no renewal review has it yet:
    the team started the renewal before (or without) its review's button."""
    listed = certificate.decision.assessment
    started = assessment_selectors.open_cycle(certificate.protected_area)
    if started is None or started.cycle <= listed.cycle or hasattr(started, "renewal_of"):
        return None
    return started


# --- beat ------------------------------------------------------------------------------------------


def midterm_reviews_open(*, today: datetime.date | None = None) -> int:
    """Open the mid-term review of every listed certificate whose day has come, once each."""
    today = today or timezone.localdate()
    opened = 0
    for certificate in _current_listed(today).filter(midterm_review__isnull=True):
        due_on = midterm_due_on(certificate)
        if due_on > today:
            continue
        try:
            with transaction.atomic():
                review = MidtermReview.objects.create(certificate=certificate, due_on=due_on)
                audit_record(
                    actor=None, action="midterm_review.opened", target=review, data={"due_on": due_on.isoformat()}
                )
                emails.midterm_opened_queue(review)
        except IntegrityError:  # another run opened it a moment ago
            continue
        opened += 1
    return opened


def renewal_reviews_open(*, today: datetime.date | None = None) -> int:
    """Open the renewal review of every listed certificate within the lead time of its expiry, once
    each. A cycle the site has already started since the listed one becomes the renewal's cycle."""
    today = today or timezone.localdate()
    opened = 0
    for certificate in _current_listed(today).filter(renewal_review__isnull=True):
        due_on = renewal_due_on(certificate)
        if due_on > today:
            continue
        started = _cycle_started_since(certificate)
        try:
            with transaction.atomic():
                review = RenewalReview.objects.create(certificate=certificate, due_on=due_on, assessment=started)
                audit_record(
                    actor=None,
                    action="renewal_review.opened",
                    target=review,
                    data={"due_on": due_on.isoformat(), "assessment": started.pk if started else None},
                )
                emails.renewal_opened_queue(review)
        except IntegrityError:
            continue
        opened += 1
    return opened


def midterm_overdue_flag(*, today: datetime.date | None = None) -> int:
    """Tell staff, once, of each mid-term update not filed `GREENLIST_MIDTERM_UPDATE_DAYS` after the
    review opened, while its certificate still lists the site. The time counts from the later of the
    day it fell due and the day it opened: after missed beat runs (or on first deploy) a review opens
    late, and its team gets the full time, not a flag in the same run."""
    today = today or timezone.localdate()
    limit = today - datetime.timedelta(days=settings.GREENLIST_MIDTERM_UPDATE_DAYS)
    flagged = 0
    overdue = (
        MidtermReview.objects.filter(
            status=MidtermStatus.OPENED,
            overdue_flagged_at__isnull=True,
            certificate__status__in=LISTED_STATUSES,
        )
        .annotate(counts_from=Greatest(F("due_on"), TruncDate("opened_at")))
        .filter(counts_from__lte=limit)
        .select_related("certificate__protected_area")
    )
    for review in overdue.order_by("pk"):
        with transaction.atomic():
            done = MidtermReview.objects.filter(pk=review.pk, overdue_flagged_at__isnull=True).update(
                overdue_flagged_at=timezone.now()
            )
            if not done:  # another run flagged it
                continue
            audit_record(actor=None, action="midterm_review.overdue", target=review, data={})
            emails.midterm_overdue_queue(review)
        flagged += 1
    return flagged


def listing_reviews_run(*, today: datetime.date | None = None) -> dict[str, int]:
    """Beat's daily job (listing_reviews.tasks.open_due_reviews)."""
    return {
        "midterm_opened": midterm_reviews_open(today=today),
        "renewal_opened": renewal_reviews_open(today=today),
        "midterm_overdue": midterm_overdue_flag(today=today),
    }


# --- the mid-term review's steps ---------------------------------------------------------------------


def _text(value: Any, field: str, *, required: bool = True) -> str:
    return clean_text(
        value,
        field=field,
        limit=TEXT_MAX,
        required=required,
        required_code=error_codes.MIDTERM_TEXT_REQUIRED,
        too_long_code=error_codes.MIDTERM_TEXT_TOO_LONG,
    )


def clean_what_changed(text: str) -> str:
    return _text(text, "what_changed")


def clean_conditions_progress(text: str) -> str:
    return _text(text, "conditions_progress", required=False)


def clean_findings(text: str) -> str:
    return _text(text, "findings")


def clean_panel_note(text: str) -> str:
    return _text(text, "note")


def _refuse(allowed: bool, message: str) -> None:
    if not allowed:
        raise NotAllowed(error_codes.MIDTERM_ROLE, message)


def midterm_update_file(
    *,
    review: MidtermReview,
    by: User,
    what_changed: str,
    conditions_progress: str = "",
    progress: dict[int, str] | None = None,
) -> MidtermReview:
    """The site team's update (opened → update filed): what changed at the site, a general word on the
    listing's conditions, and `progress` on each open condition (condition id → text), recorded as
    that condition's progress report (certification.conditions.condition_report_progress), in the
    same transaction: a refused report files nothing."""
    _refuse(rules.can_file_update(by, review), _("Only the site's team files the mid-term update."))
    what_changed = clean_what_changed(what_changed)
    conditions_progress = clean_conditions_progress(conditions_progress)
    reports = {int(k): str(v or "").strip() for k, v in (progress or {}).items() if str(v or "").strip()}
    with transaction.atomic():
        if reports:
            conditions = {c.pk: c for c in conditions_for(review.certificate).filter(pk__in=list(reports))}
            unknown = sorted(set(reports) - set(conditions))
            if unknown:
                raise DomainError(
                    error_codes.MIDTERM_CONDITION_UNKNOWN,
                    _("Not a condition of this listing: %(ids)s.") % {"ids": ", ".join(map(str, unknown))},
                    field="progress",
                )
            for pk, text in sorted(reports.items()):
                condition_report_progress(condition=conditions[pk], by=by, text=text)
        MidtermReview.objects.filter(pk=review.pk, status=MidtermStatus.OPENED).update(
            what_changed=what_changed, conditions_progress=conditions_progress, filed_by=by, filed_at=timezone.now()
        )
        workflow.transition(review, MidtermStatus.UPDATE_FILED, by=by)
        review.refresh_from_db()
        emails.midterm_filed_queue(review)
    return review


def midterm_evidence_add(*, review: MidtermReview, by: User, file: File[Any] | None, title: str = "") -> EvidenceItem:
    """Monitoring evidence of the update, through the evidence upload and pipeline, as evidence of the
    listed cycle. That cycle is decided (frozen): the file joins its evidence and the pipeline but not
    its answers, which stay as the Panel judged them (evidence_upload's `answering_question` path:
    a file the site sends after its submission, on request)."""
    _refuse(rules.can_file_update(by, review), _("Only the site's team adds the update's monitoring evidence."))
    with transaction.atomic():
        locked = MidtermReview.objects.select_for_update().select_related("certificate__decision").get(pk=review.pk)
        if locked.status != MidtermStatus.OPENED:
            raise Conflict(
                error_codes.MIDTERM_EVIDENCE_CLOSED, _("Monitoring evidence is added before the update is filed.")
            )
        item = evidence_upload(
            assessment=locked.certificate.decision.assessment,
            user=by,
            file=file,
            title=title,
            answering_question=True,
        )
        locked.evidence.add(item)
        audit_record(actor=by, action="midterm_review.evidence_added", target=locked, data={"evidence": item.pk})
    return item


def midterm_group_review(*, review: MidtermReview, by: User, findings: str) -> MidtermReview:
    """The expert group's review of the update (update filed → group reviewed)."""
    _refuse(
        rules.can_review_update(by, review),
        _("Only an expert of the group that reviewed the listed cycle records the group's review."),
    )
    findings = clean_findings(findings)
    with transaction.atomic():
        MidtermReview.objects.filter(pk=review.pk, status=MidtermStatus.UPDATE_FILED).update(
            findings=findings, reviewed_by=by, reviewed_at=timezone.now()
        )
        workflow.transition(review, MidtermStatus.GROUP_REVIEWED, by=by)
    review.refresh_from_db()
    return review


def midterm_panel_record(*, review: MidtermReview, by: User, outcome: str, note: str) -> MidtermReview:
    """The Panel's chair records that the Panel took note, or asks for action (then staff open a
    concern or add conditions to the listing: the note says what)."""
    _refuse(
        rules.can_record_panel_outcome(by, review), _("Only the Green List Panel's chair records the Panel's view.")
    )
    if outcome not in PANEL_OUTCOMES:
        raise DomainError(error_codes.MIDTERM_OUTCOME_INVALID, _("Choose: noted, or action asked."), field="outcome")
    note = clean_panel_note(note)
    with transaction.atomic():
        workflow.transition(review, outcome, by=by, note=note)
        MidtermReview.objects.filter(pk=review.pk).update(panel_note=note, panel_by=by, panel_at=timezone.now())
        review.refresh_from_db()
        emails.midterm_closed_queue(review)
    return review


# --- the renewal --------------------------------------------------------------------------------------


def renewal_start(*, review: RenewalReview, by: User, year: int | None = None) -> Assessment:
    """Start the renewal cycle, prefilled from the listed one (answers and evidence links, through
    assessments.services.assessment_create), and link it to the review. A cycle the team started
    another way since the review opened is linked instead (a new one would be refused: the site
    has a cycle open)."""
    if not rules.can_start_renewal(by, review):
        raise NotAllowed(error_codes.RENEWAL_ROLE, _("Only the site's team starts the renewal cycle."))
    with transaction.atomic():
        locked = RenewalReview.objects.select_for_update().select_related("certificate__decision").get(pk=review.pk)
        if locked.assessment_id is not None:
            raise Conflict(error_codes.RENEWAL_ALREADY_STARTED, _("The renewal cycle has already been started."))
        if locked.certificate.status not in LISTED_STATUSES:
            raise Conflict(error_codes.RENEWAL_CLOSED, _("The certificate no longer lists the site."))
        assessment = _cycle_started_since(locked.certificate) or assessment_create(
            protected_area=locked.certificate.protected_area,
            user=by,
            year=year or timezone.localdate().year,
            previous=locked.certificate.decision.assessment,
        )
        locked.assessment = assessment
        locked.started_by = by
        locked.started_at = timezone.now()
        locked.save(update_fields=["assessment", "started_by", "started_at"])
        audit_record(actor=by, action="renewal_review.started", target=locked, data={"assessment": assessment.pk})
    review.assessment, review.started_by, review.started_at = assessment, by, locked.started_at
    return assessment
