"""Writes of the eligibility gate: the group's evaluation, the reviewer's check, staff's override.

Each is a new row (history is kept; the newest of a step is in effect), audited, and only while the
assessment is in the application phase. The assessment row is locked while recording, as the
workflow locks it to move (core.workflow), so a record and the move never cross. The site team
(and, for the evaluation, the independent reviewer) are told by e-mail (eligibility.emails).
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from assessments.models import Assessment
from audit.services import audit_record
from core.errors import Conflict, DomainError, NotAllowed
from core.text import too_long_message
from reviews.selectors import assessment_jurisdiction_id

from . import error_codes, rules, selectors
from .choices import Step
from .emails import record_emails_queue
from .models import REASONS_MAX, EligibilityRecord


def _reasons(value: str | None) -> str:
    text = (value or "").replace("\r\n", "\n").strip()
    if not text:
        raise DomainError(error_codes.REASONS_REQUIRED, _("Give the reasons."), field="reasons")
    if len(text) > REASONS_MAX:
        raise DomainError(
            error_codes.FIELD_TOO_LONG,
            too_long_message(len(text), REASONS_MAX),
            field="reasons",
        )
    return text


def _record(*, assessment: Assessment, by: User, step: Step, positive: bool, reasons: str) -> EligibilityRecord:
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if not selectors.gate_is_open(locked):
            raise Conflict(
                error_codes.ELIGIBILITY_CLOSED,
                _("The assessment is “%(phase)s”: eligibility is recorded only in the application phase.")
                % {"phase": locked.get_status_display()},
            )
        if step == Step.CHECK:
            evaluation = selectors.gate_state(locked, with_details=False).evaluation
            if evaluation is None:
                raise Conflict(
                    error_codes.ELIGIBILITY_NO_EVALUATION,
                    _("The expert group has not evaluated the site's eligibility yet: there is nothing to check."),
                )
            if evaluation.by_id == by.pk:
                # The check is independent: whoever made the evaluation does not check it.
                raise NotAllowed(
                    error_codes.ELIGIBILITY_NOT_ALLOWED, _("You made the group's evaluation: someone else checks it.")
                )
        record = EligibilityRecord.objects.create(
            assessment=locked, step=step, positive=positive, reasons=reasons, by=by
        )
        audit_record(
            actor=by,
            action=f"eligibility.{step}",
            target=record,
            data={"assessment": locked.pk, "positive": positive, "reasons": reasons},
        )
        # In the record's transaction: the e-mails go out with it or not at all.
        record_emails_queue(record)
    return record


def evaluation_record(*, assessment: Assessment, by: User, eligible: bool, reasons: str) -> EligibilityRecord:
    """The Expert Assessment Group's evaluation: eligible or not, with reasons (required)."""
    if not rules.can_record_evaluation(by, assessment, assessment_jurisdiction_id(assessment)):
        raise NotAllowed(
            error_codes.ELIGIBILITY_NOT_ALLOWED,
            _("Only an accredited expert of the site's jurisdiction records the group's evaluation."),
        )
    return _record(assessment=assessment, by=by, step=Step.EVALUATION, positive=eligible, reasons=_reasons(reasons))


def check_record(*, assessment: Assessment, by: User, confirmed: bool, reasons: str) -> EligibilityRecord:
    """The independent reviewer's check of the group's evaluation in effect, with reasons (required)."""
    if not rules.can_record_check(by, assessment):
        raise NotAllowed(
            error_codes.ELIGIBILITY_NOT_ALLOWED,
            _(
                "Only an independent reviewer checks the group's evaluation: the reviewer appointed for the "
                "jurisdiction where it has one on the platform."
            ),
        )
    return _record(assessment=assessment, by=by, step=Step.CHECK, positive=confirmed, reasons=_reasons(reasons))


def override_record(*, assessment: Assessment, by: User, reasons: str) -> EligibilityRecord:
    """IUCN staff let the assessment become a candidate without both positive records; the reason
    is required and audited."""
    if not rules.can_override(by):
        raise NotAllowed(error_codes.ELIGIBILITY_NOT_ALLOWED, _("Only IUCN staff record an eligibility override."))
    return _record(assessment=assessment, by=by, step=Step.OVERRIDE, positive=True, reasons=_reasons(reasons))
