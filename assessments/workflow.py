"""The one state machine of an assessment. Nothing else assigns `Assessment.status`.

TRANSITIONS lists every allowed move: from which phase, to which phase, who may make it (a
named rule from accounts.rules) and the guards that must pass. The engine (core.workflow) checks
the table, writes the AssessmentTransition row and the audit event in one database transaction,
and answers an impossible move with `ImpossibleMove` (409).
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import rules
from core.errors import Conflict, DomainError
from core.workflow import Codes, Move, StateMachine
from reviews.choices import Outcome, ReviewerDecision

from . import error_codes
from .choices import Status
from .models import Assessment, AssessmentTransition


class AssessmentIncomplete(DomainError):
    """Submission refused; `missing` says, indicator by indicator, what is still to do."""

    def __init__(self, missing: list[dict]):
        n = len(missing)
        super().__init__(
            error_codes.ASSESSMENT_INCOMPLETE,
            f"The assessment cannot be submitted yet: {n} indicator{'s' if n != 1 else ''} still need work.",
        )
        self.missing = missing
        self.data = {"missing": missing}


def guard_complete(assessment: Assessment) -> None:
    from .selectors import missing_for_submission

    missing = missing_for_submission(assessment)
    if missing:
        raise AssessmentIncomplete(missing)


def concluded_status(outcome: str) -> Status:
    """Where the group's confirmed recommendation takes the assessment: "recommend" to
    recommended, anything else ("not yet", "do not recommend") to not recommended."""
    return Status.RECOMMENDED if outcome == Outcome.RECOMMEND else Status.NOT_RECOMMENDED


def _review_confirmed_for(target: Status) -> Callable[[Assessment], None]:
    def guard_review_confirmed(assessment: Assessment) -> None:
        """The review path, enforced here rather than trusted to callers: the Expert Assessment
        Group recommended, the independent reviewer confirmed, and the move goes where that
        recommendation says (`reviews.services.process_confirm` confirms, then moves, in one
        transaction)."""
        from reviews.models import AssessmentReview

        review = (
            AssessmentReview.objects.filter(assessment_id=assessment.pk).only("outcome", "reviewer_decision").first()
        )
        if review is None or not review.outcome:
            raise Conflict(
                error_codes.REVIEW_NOT_CONFIRMED,
                f"The assessment cannot move to '{target.label}': the Expert Assessment Group "
                "has made no recommendation yet.",
            )
        if review.reviewer_decision != ReviewerDecision.CONFIRMED:
            raise Conflict(
                error_codes.REVIEW_NOT_CONFIRMED,
                f"The assessment cannot move to '{target.label}': the independent reviewer has not "
                "confirmed the group's recommendation (they confirm it on the review page).",
            )
        expected = concluded_status(review.outcome)
        if expected != target:
            raise Conflict(
                error_codes.REVIEW_OUTCOME_MISMATCH,
                f"The confirmed recommendation is '{review.get_outcome_display()}': the assessment "
                f"moves to '{expected.label}', not '{target.label}'.",
            )

    return guard_review_confirmed


def _on_move(assessment: Assessment, move: Move, note: str) -> list[str]:
    if move.target in (Status.SUBMITTED, Status.RESUBMITTED):
        assessment.submitted_at = timezone.now()
        return ["updated_at", "submitted_at"]
    return ["updated_at"]


TRANSITIONS: tuple[Move, ...] = (
    Move(Status.APPLICATION, Status.CANDIDATE, rules.can_accept_candidate, label=_("Accept as candidate")),
    Move(Status.CANDIDATE, Status.SUBMITTED, rules.can_submit_assessment, (guard_complete,), _("Submit for review")),
    Move(Status.SUBMITTED, Status.IN_REVIEW, rules.can_review_assessment, label=_("Start review")),
    Move(Status.IN_REVIEW, Status.CHANGES_REQUESTED, rules.can_review_assessment, label=_("Request changes")),
    Move(
        Status.CHANGES_REQUESTED,
        Status.RESUBMITTED,
        rules.can_submit_assessment,
        (guard_complete,),
        _("Resubmit for review"),
    ),
    Move(Status.RESUBMITTED, Status.IN_REVIEW, rules.can_review_assessment, label=_("Start review again")),
    # Only the assigned independent reviewer, once they confirmed the group's recommendation
    # (reviews.services.process_confirm); not IUCN staff, whose shortcut skipped the review.
    Move(
        Status.IN_REVIEW,
        Status.RECOMMENDED,
        rules.can_conclude_review,
        (_review_confirmed_for(Status.RECOMMENDED),),
        _("Recommend"),
        offered=False,
    ),
    Move(
        Status.IN_REVIEW,
        Status.NOT_RECOMMENDED,
        rules.can_conclude_review,
        (_review_confirmed_for(Status.NOT_RECOMMENDED),),
        _("Do not recommend"),
        offered=False,
    ),
    Move(Status.RECOMMENDED, Status.DECIDED, rules.can_decide_assessment, label=_("Record decision")),
    Move(Status.NOT_RECOMMENDED, Status.DECIDED, rules.can_decide_assessment, label=_("Record decision")),
)

NOTE_MAX = 5000

# Answer saves take the same row lock, so no answer changes after submission.
MACHINE = StateMachine(
    name="assessment",
    model=Assessment,
    statuses=Status,
    log_model=AssessmentTransition,
    log_subject="assessment",
    moves=TRANSITIONS,
    codes=Codes(
        impossible=error_codes.TRANSITION_NOT_ALLOWED,
        role=error_codes.TRANSITION_ROLE,
        note_too_long=error_codes.FIELD_TOO_LONG,
        note_required=error_codes.FIELD_TOO_LONG,  # no assessment move requires a note
    ),
    noun="assessment",
    note_max=NOTE_MAX,
    on_move=_on_move,
)
moves_from = MACHINE.moves_from
available_moves = MACHINE.available_moves


def transition(assessment: Assessment, to: str, *, by, note: str = "") -> Assessment:
    """Move the assessment to `to`, or raise a DomainError saying why not (core.workflow)."""
    return MACHINE.transition(assessment, to, by=by, note=note)
