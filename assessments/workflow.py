"""The one state machine of an assessment. Nothing else assigns `Assessment.status`.

TRANSITIONS lists every allowed move: from which phase, to which phase, who may make it (a
named rule from accounts.rules) and the guards that must pass. The engine (core.workflow) checks
the table, writes the AssessmentTransition row and the audit event in one database transaction,
and answers an impossible move with `ImpossibleMove` (409).
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts import rules
from accounts.types import Person
from core.errors import DomainError
from core.workflow import Codes, Move, StateMachine

from . import error_codes
from .choices import Status
from .models import Assessment, AssessmentTransition


class AssessmentIncomplete(DomainError):
    """Submission refused; `missing` says, indicator by indicator, what is still to do."""

    def __init__(self, missing: list[dict[str, Any]]):
        n = len(missing)
        super().__init__(
            error_codes.ASSESSMENT_INCOMPLETE,
            ngettext(
                "The assessment cannot be submitted yet: %(n)s indicator still need work.",
                "The assessment cannot be submitted yet: %(n)s indicators still need work.",
                n,
            )
            % {"n": n},
        )
        self.missing = missing
        self.data = {"missing": missing}


def guard_complete(assessment: Assessment) -> None:
    from .selectors import missing_for_submission

    missing = missing_for_submission(assessment)
    if missing:
        raise AssessmentIncomplete(missing)


def _on_move(assessment: Assessment, move: Move, note: str) -> list[str]:
    if move.target in (Status.SUBMITTED, Status.RESUBMITTED):
        assessment.submitted_at = timezone.now()
        return ["updated_at", "submitted_at"]
    return ["updated_at"]


# The review path, enforced by the engine rather than trusted to callers: the Expert Assessment
# Group recommended, the independent reviewer confirmed, and the move goes where that
# recommendation says. The reviews app owns that data and provides the guard (reviews.guards).
REVIEW_CONFIRMED = "review_confirmed"
# certification provides it: a Green List Panel case on the assessment whose rule is met.
PANEL_DECIDED = "panel_decided"
# The eligibility gate closing the application phase: the group found the site eligible and the
# independent reviewer confirmed it, or IUCN staff recorded an override with a reason. The
# eligibility app owns those records and provides the guard (eligibility.guards).
ELIGIBILITY_ESTABLISHED = "eligibility_established"
# Once a candidate, the site team is told by e-mail; the eligibility app writes it (eligibility.emails).
CANDIDATE_ANNOUNCED = "candidate_announced"

TRANSITIONS: tuple[Move, ...] = (
    Move(
        Status.APPLICATION,
        Status.CANDIDATE,
        rules.can_accept_candidate,
        label=_("Accept as candidate"),
        provided_guards=(ELIGIBILITY_ESTABLISHED,),
        provided_effects=(CANDIDATE_ANNOUNCED,),
    ),
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
        label=_("Recommend"),
        offered=False,
        provided_guards=(REVIEW_CONFIRMED,),
    ),
    Move(
        Status.IN_REVIEW,
        Status.NOT_RECOMMENDED,
        rules.can_conclude_review,
        label=_("Do not recommend"),
        offered=False,
        provided_guards=(REVIEW_CONFIRMED,),
    ),
    # Only through the Green List Panel's decision (certification.panel, issue 16): never offered
    # on the generic phase page, and refused there unless a Panel case's rule is met.
    Move(
        Status.RECOMMENDED,
        Status.DECIDED,
        rules.can_decide_assessment,
        label=_("Record decision"),
        offered=False,
        provided_guards=(PANEL_DECIDED,),
    ),
    Move(
        Status.NOT_RECOMMENDED,
        Status.DECIDED,
        rules.can_decide_assessment,
        label=_("Record decision"),
        offered=False,
        provided_guards=(PANEL_DECIDED,),
    ),
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
    impossible_message=_("The assessment cannot move from “%(source)s” to “%(target)s”."),
    role_refused_message=_("You may not move this assessment to '%(target)s'."),
    note_max=NOTE_MAX,
    on_move=_on_move,
)
moves_from = MACHINE.moves_from
available_moves = MACHINE.available_moves

# Phases nothing leaves, read from the table rather than listed by hand (today only "decided"): a
# cycle in one of them is closed; any other is the site's open cycle, and while it is open no new
# cycle may start (assessments.services.assessment_create, issue 15).
CLOSED_STATUSES = frozenset(status for status in Status.values if not MACHINE.moves_from(status))


def transition(assessment: Assessment, to: str, *, by: Person, note: str = "") -> Assessment:
    """Move the assessment to `to`, or raise a DomainError saying why not (core.workflow)."""
    return MACHINE.transition(assessment, to, by=by, note=note)
