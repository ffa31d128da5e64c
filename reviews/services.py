"""Writes for expert review. Every change is checked against a named rule in accounts.rules and
written to the audit trail; phase changes of the assessment go through assessments.workflow."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from accounts import rules
from accounts.models import User
from assessments.choices import Status
from assessments.models import Answer, Assessment
from assessments.signals import ratings_changed
from assessments.workflow import NOTE_MAX, transition
from audit.services import audit_record
from core.errors import Conflict, DomainError, NotAllowed
from core.text import clean_text
from evidence.models import EvidenceItem
from stakeholders.services import require_comments_considered

from . import emails, error_codes, selectors
from .choices import (
    ASSIGNABLE_STATUSES,
    AssignmentRole,
    CoiStatus,
    Outcome,
    RequestStatus,
    ReviewerDecision,
)
from .guards import concluded_status
from .models import (
    TEXT_MAX,
    AssessmentReview,
    GroupFinding,
    IndicatorReview,
    InformationReply,
    InformationRequest,
    ReviewAssignment,
)


def _text(value: str | None, *, field: str, required: bool = False, label: str = "This text") -> str:
    # `label` names the field where it is called; the message is the reader's language's.
    return clean_text(
        value,
        field=field,
        limit=TEXT_MAX,
        required=required,
        required_code=error_codes.TEXT_REQUIRED,
        too_long_code=error_codes.TEXT_TOO_LONG,
    )


def _rating(assessment: Assessment, rating: str, field: str = "rating") -> str:
    """A code of the assessment's Standard version's scale that a reviewer may give."""
    allowed = [r["code"] for r in assessment.standard.rating_scale if r.get("allowed_on_submit")]
    if rating not in allowed:
        raise DomainError(
            error_codes.RATING_INVALID,
            gettext("'%(rating)s' is not a rating on this Standard's scale (use one of: %(allowed)s).")
            % {"rating": rating, "allowed": ", ".join(allowed)},
            field=field,
        )
    return rating


def _require_in_review(assessment: Assessment) -> None:
    if assessment.status != Status.IN_REVIEW:
        raise Conflict(
            error_codes.NOT_IN_REVIEW,
            gettext("The assessment is '%(phase)s': reviews can be written only while it is in review.")
            % {"phase": assessment.get_status_display()},
        )


def _locked(assessment: Assessment) -> Assessment:
    return Assessment.objects.select_for_update(of=("self",)).select_related("standard").get(pk=assessment.pk)


def _answer_of(assessment: Assessment, answer: Answer | int | str) -> Answer:
    answer_id = answer.pk if isinstance(answer, Answer) else answer
    try:
        return Answer.objects.select_for_update().get(pk=answer_id, assessment_id=assessment.pk)
    except (Answer.DoesNotExist, ValueError, TypeError):
        raise DomainError(
            error_codes.INDICATOR_UNKNOWN, gettext("This indicator is not part of the assessment."), field="answer"
        ) from None


def _forget(user: User) -> None:
    rules.forget_review_seats(user)


# --- assignments and conflicts of interest ------------------------------------------------------


def assignment_create(
    *, assessment: Assessment, assignee: User, role: str, due_date: datetime.date, by: User
) -> ReviewAssignment:
    """Assign an expert of the jurisdiction's group, or an independent reviewer, with a due date.

    The assignee is e-mailed once the assignment is saved; staff get the automatic conflict
    warnings on the assignment."""
    jurisdiction_id = selectors.assessment_jurisdiction_id(assessment)
    if not rules.can_assign_reviewers(by, jurisdiction_id):
        raise NotAllowed(error_codes.NOT_ALLOWED, gettext("Only IUCN staff or the group's chair can assign reviewers."))
    if role not in AssignmentRole.values:
        raise DomainError(
            error_codes.ROLE_INVALID, gettext("Unknown assignment role '%(role)s'.") % {"role": role}, field="role"
        )
    if role == AssignmentRole.EXPERT and jurisdiction_id is None:
        raise DomainError(
            error_codes.NO_JURISDICTION,
            gettext("The site is in no jurisdiction with an Expert Assessment Group."),
            field="role",
        )
    if not isinstance(due_date, datetime.date) or due_date < timezone.localdate():
        raise DomainError(
            error_codes.DUE_DATE_INVALID, gettext("The due date must be today or later."), field="due_date"
        )
    with transaction.atomic():
        locked = (
            Assessment.objects.select_for_update(of=("self",))
            .select_related("protected_area", "adapted_set")
            .get(pk=assessment.pk)
        )
        if locked.status not in ASSIGNABLE_STATUSES:
            raise Conflict(
                error_codes.ASSESSMENT_NOT_ASSIGNABLE,
                gettext("The assessment is '%(phase)s': reviewers are assigned once it is submitted.")
                % {"phase": locked.get_status_display()},
            )
        accreditation = selectors.accreditation_for(assignee, role, jurisdiction_id)
        if accreditation is None:
            # One whole sentence per role: a translation cannot be built from the role's pieces.
            if role == AssignmentRole.EXPERT:
                message = gettext(
                    "%(person)s is not accredited as an expert of this jurisdiction's group today "
                    "(lapsed, revoked or never granted)."
                )
            else:
                message = gettext(
                    "%(person)s is not accredited as an independent reviewer today (lapsed, revoked or never granted)."
                )
            raise DomainError(error_codes.ASSIGNEE_NOT_ACCREDITED, message % {"person": assignee}, field="user")
        if ReviewAssignment.objects.current().filter(assessment=locked, user=assignee).exists():
            raise Conflict(
                error_codes.ASSIGNEE_ALREADY,
                gettext("%(person)s is already assigned to this assessment.") % {"person": assignee},
            )
        warnings = selectors.conflict_warnings(
            assessment=locked, user=assignee, due_date=due_date, accreditation=accreditation
        )
        assignment = ReviewAssignment.objects.create(
            assessment=locked, user=assignee, role=role, due_date=due_date, assigned_by=by, warnings=warnings
        )
        audit_record(
            actor=by,
            action="review.assigned",
            target=assignment,
            data={
                "assessment": locked.pk,
                "user": assignee.email,
                "role": role,
                "due_date": str(due_date),
                "warnings": [w["kind"] for w in warnings],
            },
        )
        emails.assignment_email_queue(assignment)
    _forget(assignee)
    return assignment


def assignment_remove(*, assignment: ReviewAssignment, by: User) -> ReviewAssignment:
    if not rules.can_assign_reviewers(by, selectors.assessment_jurisdiction_id(assignment.assessment)):
        raise NotAllowed(
            error_codes.NOT_ALLOWED, gettext("Only IUCN staff or the group's chair can withdraw an assignment.")
        )
    with transaction.atomic():
        if assignment.removed_at is None:
            assignment.removed_at = timezone.now()
            assignment.save(update_fields=["removed_at"])
            emails.assignment_email_cancel(assignment)  # no invitation to a review that is gone
            audit_record(actor=by, action="review.unassigned", target=assignment, data={"user": assignment.user.email})
    _forget(assignment.user)
    return assignment


def conflict_declare(*, assignment: ReviewAssignment, by: User, has_conflict: bool, note: str = "") -> ReviewAssignment:
    """The assignee's declaration, made once before anything of the assessment is shown.

    A declared conflict blocks the assignment for good and tells staff; the declaration, either
    way, is kept in the audit trail."""
    if not rules.can_declare_conflict(by, assignment):
        raise NotAllowed(error_codes.NOT_ALLOWED, gettext("Only the assigned person can declare their conflicts."))
    note = _text(note, field="note", required=bool(has_conflict), label="A description of the conflict")
    with transaction.atomic():
        locked = ReviewAssignment.objects.select_for_update().get(pk=assignment.pk)
        if locked.coi_status != CoiStatus.PENDING:
            raise Conflict(
                error_codes.COI_ALREADY_DECLARED,
                gettext("You already declared on %(date)s: %(declaration)s.")
                % {"date": f"{locked.coi_declared_at:%Y-%m-%d}", "declaration": locked.get_coi_status_display()},
            )
        locked.coi_status = CoiStatus.CONFLICT if has_conflict else CoiStatus.NO_CONFLICT
        locked.coi_note = note
        locked.coi_declared_at = timezone.now()
        locked.save(update_fields=["coi_status", "coi_note", "coi_declared_at"])
        audit_record(
            actor=by,
            action="review.coi_declared",
            target=locked,
            data={"assessment": locked.assessment_id, "conflict": bool(has_conflict), "note": note},
        )
        if has_conflict:
            emails.conflict_email_queue(locked)
    _forget(by)
    assignment.coi_status, assignment.coi_note, assignment.coi_declared_at = (
        locked.coi_status,
        locked.coi_note,
        locked.coi_declared_at,
    )
    return assignment


# --- phases (through the one workflow) ----------------------------------------------------------


def review_start(*, assessment: Assessment, by: User) -> Assessment:
    if not rules.can_manage_review(by, assessment):
        raise NotAllowed(error_codes.NOT_ALLOWED, gettext("Only IUCN staff start a review."))
    # No note of the platform's own: the log shows the move in the reader's language; a sentence
    # stored here would stay in one.
    return transition(assessment, Status.IN_REVIEW, by=by)


def review_send_back(*, assessment: Assessment, by: User, note: str = "") -> Assessment:
    """Staff return the assessment to the site (changes requested), with a note of their own."""
    if not rules.can_manage_review(by, assessment):
        raise NotAllowed(error_codes.NOT_ALLOWED, gettext("Only IUCN staff send an assessment back to the site."))
    note = _text(note, field="note", label="The note")
    # The staff's own words only: the open questions are on the site's assessment page, in its language.
    return transition(assessment, Status.CHANGES_REQUESTED, by=by, note=note[:NOTE_MAX])


# --- per-indicator reviews and findings ---------------------------------------------------------


def indicator_review_save(
    *,
    assessment: Assessment,
    answer: Answer | int,
    by: User,
    rating: str,
    finding: str = "",
    comment: str = "",
    shared: bool = False,
    seen: str | None = None,
) -> IndicatorReview:
    """Save the expert's own rating, finding and comment on one indicator (a draft unless shared).

    The answer's current version is recorded, so a later change by the site marks it out of date.
    `seen` is the review's `updated_at` (ISO 8601) the form was drawn with, "" when there was none yet:
    if the review was saved since (the same expert on another device, e.g. a change sent from a phone
    after a day offline), nothing is saved and the answer is 409 `review_changed` with the saved one.
    None (callers that never loaded it) saves without the check."""
    if not rules.can_write_indicator_review(by, assessment):
        raise NotAllowed(
            error_codes.NOT_ASSIGNED,
            gettext("You are not assigned (without conflict) as an expert to this assessment."),
        )
    finding = _text(finding, field="finding", label="The finding")
    comment = _text(comment, field="comment", label="The comment")
    with transaction.atomic():
        locked = _locked(assessment)
        _require_in_review(locked)
        rating = _rating(locked, rating)
        target = _answer_of(locked, answer)
        assignment = ReviewAssignment.objects.cleared().get(assessment=locked, user=by)
        if seen is not None:
            _require_review_unchanged(assignment, target, seen)
        review, created = IndicatorReview.objects.update_or_create(
            assignment=assignment,
            answer=target,
            defaults={
                "rating": rating,
                "finding": finding,
                "comment": comment,
                "shared": bool(shared),
                "answer_version": target.version,
            },
        )
        audit_record(
            actor=by,
            action="review.indicator_saved",
            target=review,
            data={"assessment": locked.pk, "indicator": target.indicator_id, "rating": rating, "shared": bool(shared)},
        )
    return review


def _require_review_unchanged(assignment: ReviewAssignment, answer: Answer, seen: str) -> None:
    try:
        expected = datetime.datetime.fromisoformat(seen) if seen else None
    except ValueError:
        raise DomainError(
            error_codes.REVIEW_SEEN_INVALID, gettext("`seen` is not a moment in ISO 8601."), field="seen"
        ) from None
    # With no review yet this locks nothing: two first saves at once are serialised by the assessment
    # and answer rows the caller locked before (reviews/tests/test_review_first_save_race.py).
    current = IndicatorReview.objects.select_for_update().filter(assignment=assignment, answer=answer).first()
    saved_at = current.updated_at if current else None
    if saved_at != expected:
        raise Conflict(
            error_codes.REVIEW_CHANGED,
            gettext(
                "You saved this review from another device or tab since this page was loaded. "
                "The saved one is shown here; what you sent is still in the form: save again to keep it."
            ),
            data={
                "current": {
                    "rating": current.rating,
                    "finding": current.finding,
                    "comment": current.comment,
                    "updated_at": current.updated_at.isoformat(),
                }
                if current
                else None
            },
        )


def reviews_share(*, assessment: Assessment, by: User) -> int:
    """Share all of this expert's drafts on the assessment with the group at once."""
    if not rules.can_write_indicator_review(by, assessment):
        raise NotAllowed(error_codes.NOT_ASSIGNED, gettext("You are not assigned as an expert to this assessment."))
    with transaction.atomic():
        n = IndicatorReview.objects.filter(assignment__assessment=assessment, assignment__user=by, shared=False).update(
            shared=True, updated_at=timezone.now()
        )
        audit_record(actor=by, action="review.shared", target=assessment, data={"count": n})
    return n


def group_finding_save(
    *, assessment: Assessment, answer: Answer | int, by: User, rating: str, finding: str
) -> GroupFinding:
    """Record the group's consolidated rating and finding on one indicator."""
    if not rules.can_record_group_finding(by, assessment):
        raise NotAllowed(error_codes.NOT_ASSIGNED, gettext("Only the assigned experts record the group's finding."))
    finding = _text(finding, field="finding", required=True, label="The group's finding")
    with transaction.atomic():
        locked = _locked(assessment)
        _require_in_review(locked)
        rating = _rating(locked, rating)
        target = _answer_of(locked, answer)
        group, _ = GroupFinding.objects.update_or_create(
            answer=target,
            defaults={"rating": rating, "finding": finding, "answer_version": target.version, "recorded_by": by},
        )
        ratings_changed.send(sender=GroupFinding, assessment_id=locked.pk)  # expert scores follow the findings
        audit_record(
            actor=by,
            action="review.group_finding_saved",
            target=group,
            data={"assessment": locked.pk, "indicator": target.indicator_id, "rating": rating},
        )
    return group


# --- requests for information -------------------------------------------------------------------


def information_request_create(
    *, assessment: Assessment, answer: Answer | int, by: User, question: str
) -> InformationRequest:
    if not rules.can_ask_site(by, assessment):
        raise NotAllowed(
            error_codes.NOT_ASSIGNED, gettext("Only the assigned reviewers and staff ask the site questions.")
        )
    question = _text(question, field="question", required=True, label="The question")
    with transaction.atomic():
        locked = _locked(assessment)
        if locked.status not in ASSIGNABLE_STATUSES:
            raise Conflict(
                error_codes.NOT_IN_REVIEW,
                gettext("The assessment is '%(phase)s'.") % {"phase": locked.get_status_display()},
            )
        target = _answer_of(locked, answer)
        req = InformationRequest.objects.create(answer=target, asked_by=by, question=question)
        audit_record(
            actor=by,
            action="review.request_asked",
            target=req,
            data={"assessment": locked.pk, "indicator": target.indicator_id},
        )
        emails.request_email_queue(req)
    return req


def information_reply_create(
    *,
    request: InformationRequest,
    by: User,
    text: str,
    evidence_ids: Iterable[int] = (),
    file: UploadedFile[Any] | None = None,
    file_title: str = "",
) -> InformationReply:
    """Add to a request's thread. The site team may attach evidence: items it already uploaded, or a
    new file, in any phase while the question is open (stored through the evidence service and its
    pipeline; while the assessment is frozen the file belongs to the reply, not to the answer)."""
    assessment = request.answer.assessment
    if not rules.can_reply_to_request(by, assessment):
        raise NotAllowed(
            error_codes.NOT_ALLOWED, gettext("Only the site team and the reviewers can answer this question.")
        )
    text = _text(text, field="text", required=True, label="The answer")
    site_team = rules.is_site_team_of(by, assessment)
    if (evidence_ids or file is not None) and not site_team:
        raise NotAllowed(error_codes.NOT_ALLOWED, gettext("Only the site team attaches evidence."))
    with transaction.atomic():
        locked = InformationRequest.objects.select_for_update().get(pk=request.pk)
        if locked.status == RequestStatus.CLOSED:
            raise Conflict(
                error_codes.REQUEST_CLOSED, gettext("This question is closed: it can no longer be answered.")
            )
        try:
            ids = list(dict.fromkeys(int(i) for i in evidence_ids))
        except (TypeError, ValueError):
            raise DomainError(
                error_codes.INDICATOR_UNKNOWN, gettext("Evidence is named by item ids."), field="evidence"
            ) from None
        items = list(
            EvidenceItem.objects.filter(pk__in=ids, assessment__protected_area_id=assessment.protected_area_id)
        )
        if len(items) != len(ids):
            raise DomainError(
                error_codes.INDICATOR_UNKNOWN,
                gettext("Some of the evidence items are not this site's."),
                field="evidence",
            )
        if file is not None:
            from evidence.services import evidence_upload

            items.append(
                evidence_upload(
                    assessment=assessment,
                    user=by,
                    file=file,
                    title=file_title,
                    indicators=[request.answer.indicator_id],
                    answering_question=True,
                )
            )
        reply = InformationReply.objects.create(request=locked, author=by, text=text)
        if items:
            reply.evidence.set(items)
        if site_team and locked.status == RequestStatus.OPEN:
            locked.status = RequestStatus.ANSWERED
            locked.save(update_fields=["status"])
        if site_team:
            emails.reply_email_queue(reply)
        audit_record(
            actor=by,
            action="review.request_replied",
            target=locked,
            data={"reply": reply.pk, "evidence": sorted(i.pk for i in items)},
        )
    request.status = locked.status
    return reply


def information_request_close(*, request: InformationRequest, by: User) -> InformationRequest:
    assessment = request.answer.assessment
    if not rules.can_close_request(by, request, assessment):
        raise NotAllowed(
            error_codes.NOT_ALLOWED, gettext("Only the person who asked, or staff, can close this question.")
        )
    with transaction.atomic():
        locked = InformationRequest.objects.select_for_update().get(pk=request.pk)
        if locked.status == RequestStatus.CLOSED:
            raise Conflict(error_codes.REQUEST_CLOSED, gettext("This question is already closed."))
        locked.status = RequestStatus.CLOSED
        locked.closed_at = timezone.now()
        locked.save(update_fields=["status", "closed_at"])
        audit_record(actor=by, action="review.request_closed", target=locked, data={"assessment": assessment.pk})
    request.status, request.closed_at = locked.status, locked.closed_at
    return request


# --- recommendation, confirmation, release ------------------------------------------------------


class IndicatorsUnreviewed(DomainError):
    def __init__(self, numbers: list[str]):
        shown = ", ".join(numbers[:12]) + ("…" if len(numbers) > 12 else "")
        n = len(numbers)
        super().__init__(
            error_codes.INDICATORS_UNREVIEWED,
            ngettext(
                "The group has no current finding on %(n)s indicator (%(shown)s): record them before recommending.",
                "The group has no current finding on %(n)s indicators (%(shown)s): record them before recommending.",
                n,
            )
            % {"n": n, "shown": shown},
        )
        self.data = {"indicators": numbers}


def recommendation_make(*, assessment: Assessment, by: User, outcome: str, reasons: str) -> AssessmentReview:
    """The group's overall recommendation, once every indicator has a current group finding."""
    if not rules.can_recommend(by, assessment):
        raise NotAllowed(
            error_codes.NOT_ASSIGNED, gettext("Only the assigned experts make the group's recommendation.")
        )
    if outcome not in Outcome.values:
        raise DomainError(
            error_codes.OUTCOME_INVALID,
            gettext("Choose one of: %(outcomes)s.") % {"outcomes": ", ".join(str(label) for label in Outcome.labels)},
            field="outcome",
        )
    reasons = _text(reasons, field="reasons", required=True, label="The reasons")
    with transaction.atomic():
        locked = _locked(assessment)
        _require_in_review(locked)
        missing = selectors.unreviewed_indicators(locked)
        if missing:
            raise IndicatorsUnreviewed(missing)
        # Stakeholders were heard in the candidate phase: the group says how it considered each
        # accepted comment before it recommends (code stakeholder_comments_not_considered).
        require_comments_considered(locked)
        summary, _ = AssessmentReview.objects.select_for_update().get_or_create(assessment=locked)
        summary.outcome = outcome
        summary.reasons = reasons
        summary.recommended_by = by
        summary.recommended_at = timezone.now()
        # A new recommendation needs the independent reviewer's check again.
        summary.reviewer_decision = ReviewerDecision.PENDING
        summary.reviewer, summary.reviewer_at, summary.reviewer_note = None, None, ""
        summary.save()
        audit_record(
            actor=by, action="review.recommended", target=summary, data={"assessment": locked.pk, "outcome": outcome}
        )
    return summary


def process_confirm(*, assessment: Assessment, by: User, confirmed: bool, note: str = "") -> AssessmentReview:
    """The independent reviewer confirms the process was followed (the assessment then moves to
    recommended / not recommended) or returns the recommendation to the group with reasons."""
    if not rules.can_confirm_process(by, assessment):
        raise NotAllowed(
            error_codes.NOT_ASSIGNED, gettext("Only the assigned independent reviewer confirms the process.")
        )
    note = _text(note, field="note", required=not confirmed, label="The reasons for returning it")
    with transaction.atomic():
        locked = _locked(assessment)
        summary = AssessmentReview.objects.select_for_update().filter(assessment=locked).first()
        if summary is None or not summary.outcome:
            raise Conflict(error_codes.NO_RECOMMENDATION, gettext("The group has not made a recommendation yet."))
        if summary.reviewer_decision != ReviewerDecision.PENDING:
            # One whole sentence per decision (the English is the decision's label, lower-cased).
            if summary.reviewer_decision == ReviewerDecision.CONFIRMED:
                already = gettext("This recommendation was already process confirmed.")
            else:
                already = gettext("This recommendation was already returned with reasons.")
            raise Conflict(error_codes.ALREADY_DECIDED, already)
        _require_in_review(locked)
        summary.reviewer_decision = ReviewerDecision.CONFIRMED if confirmed else ReviewerDecision.RETURNED
        summary.reviewer, summary.reviewer_at, summary.reviewer_note = by, timezone.now(), note
        summary.save(update_fields=["reviewer_decision", "reviewer", "reviewer_at", "reviewer_note"])
        audit_record(
            actor=by,
            action="review.process_confirmed" if confirmed else "review.process_returned",
            target=summary,
            data={"assessment": locked.pk, "note": note},
        )
        if confirmed:
            # The workflow's guard checks this very confirmation (same transaction). The note is the
            # group's reasons only: the outcome is the review's own field, and a label written into the
            # log would stay in the language of whoever confirmed.
            transition(locked, concluded_status(summary.outcome), by=by, note=summary.reasons[:NOTE_MAX])
    assessment.status = locked.status
    return summary


def findings_release(*, assessment: Assessment, by: User) -> AssessmentReview:
    """Staff release the group's findings to the site team."""
    if not rules.can_manage_review(by, assessment):
        raise NotAllowed(error_codes.NOT_ALLOWED, gettext("Only IUCN staff release findings to the site."))
    with transaction.atomic():
        locked = _locked(assessment)
        if not GroupFinding.objects.filter(answer__assessment=locked).exists():
            raise Conflict(error_codes.NOTHING_TO_RELEASE, gettext("The group has recorded no findings yet."))
        summary, _ = AssessmentReview.objects.select_for_update().get_or_create(assessment=locked)
        summary.findings_released_at = timezone.now()
        summary.findings_released_by = by
        summary.save(update_fields=["findings_released_at", "findings_released_by"])
        audit_record(actor=by, action="review.findings_released", target=summary, data={"assessment": locked.pk})
    return summary
