"""The one state machine of a mid-term review: opened → update filed → group reviewed → Panel noted,
or Panel asks for action. Nothing else assigns `MidtermReview.status`; the engine (core.workflow)
writes the MidtermReviewTransition row and the audit event ("midterm_review.transition").

The first two moves are made only by their services (listing_reviews.services), which store the
update or the findings in the same transaction; the Panel's two are the chair's, with a note.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts.types import Person
from core.workflow import Codes, Move, StateMachine

from . import error_codes, rules
from .choices import MidtermStatus as S
from .models import TEXT_MAX, MidtermReview, MidtermReviewTransition


def _site_team(user: Person | None, review: MidtermReview) -> bool:
    return user is not None and rules.can_file_update(user, review)


def _group(user: Person | None, review: MidtermReview) -> bool:
    return user is not None and rules.can_review_update(user, review)


def _panel_chair(user: Person | None, review: MidtermReview) -> bool:
    return user is not None and rules.can_record_panel_outcome(user, review)


TRANSITIONS: tuple[Move, ...] = (
    Move(S.OPENED, S.UPDATE_FILED, _site_team, (), _("File the update"), offered=False),
    Move(S.UPDATE_FILED, S.GROUP_REVIEWED, _group, (), _("Record the group's review"), offered=False),
    Move(S.GROUP_REVIEWED, S.PANEL_NOTED, _panel_chair, (), _("The Panel takes note"), note_required=True),
    Move(S.GROUP_REVIEWED, S.PANEL_ACTED, _panel_chair, (), _("The Panel asks for action"), note_required=True),
)

MACHINE = StateMachine(
    name="midterm_review",
    model=MidtermReview,
    statuses=S,
    log_model=MidtermReviewTransition,
    log_subject="review",
    moves=TRANSITIONS,
    codes=Codes(
        impossible=error_codes.MIDTERM_TRANSITION_NOT_ALLOWED,
        role=error_codes.MIDTERM_ROLE,
        note_too_long=error_codes.MIDTERM_TEXT_TOO_LONG,
        note_required=error_codes.MIDTERM_TEXT_REQUIRED,
    ),
    noun="mid-term review",
    impossible_message=_("The mid-term review cannot move from “%(source)s” to “%(target)s”."),
    role_refused_message=_("You may not move this mid-term review to '%(target)s'."),
    note_max=TEXT_MAX,
    final={
        S.PANEL_NOTED: (error_codes.MIDTERM_FINAL, _("The Panel has closed this mid-term review.")),
        S.PANEL_ACTED: (error_codes.MIDTERM_FINAL, _("The Panel has closed this mid-term review.")),
    },
)


def transition(review: MidtermReview, to: str, *, by: Person, note: str = "") -> MidtermReview:
    """Move the review to `to`, or raise a DomainError saying why not; nothing changes then."""
    return MACHINE.transition(review, to, by=by, note=note)
