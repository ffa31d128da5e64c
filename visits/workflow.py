"""The one state machine of a site visit: planned → held, or planned → cancelled. Nothing else
assigns `SiteVisit.status`; the engine (core.workflow) writes the SiteVisitTransition row and the
audit event ("site_visit.transition") with the move.

Held is reached only through `visits.services.visit_record_held`, which checks and stores the dates
the visit took place in the same transaction (so the move is not offered as a bare button).
"""

from __future__ import annotations

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.types import Person
from core.errors import Conflict, NotAllowed
from core.workflow import Codes, Move, StateMachine

from . import error_codes, rules
from .choices import VISIT_PHASES
from .choices import VisitStatus as S
from .models import TEXT_MAX, SiteVisit, SiteVisitTransition


def _group_or_staff(user: Person | None, visit: SiteVisit) -> bool:
    return user is not None and rules.can_manage_visits(user, visit.assessment)


def guard_assessment_in_visit_phase(visit: SiteVisit) -> None:
    """A visit belongs to the candidate phase and its review: once the assessment is concluded,
    what happened on the visit is kept as it was."""
    if visit.assessment.status not in VISIT_PHASES:
        raise Conflict(
            error_codes.VISIT_PHASE,
            gettext(
                "The assessment is no longer in the candidate phase or under review: its visits are kept as they were."
            ),
        )


TRANSITIONS: tuple[Move, ...] = (
    Move(S.PLANNED, S.HELD, _group_or_staff, (guard_assessment_in_visit_phase,), _("Record as held"), offered=False),
    Move(S.PLANNED, S.CANCELLED, _group_or_staff, (guard_assessment_in_visit_phase,), _("Cancel"), note_required=True),
)

MACHINE = StateMachine(
    name="site_visit",
    model=SiteVisit,
    statuses=S,
    log_model=SiteVisitTransition,
    log_subject="visit",
    moves=TRANSITIONS,
    codes=Codes(
        impossible=error_codes.VISIT_TRANSITION_NOT_ALLOWED,
        role=error_codes.VISIT_ROLE,
        note_too_long=error_codes.VISIT_TEXT_TOO_LONG,
        note_required=error_codes.VISIT_REASON_REQUIRED,
    ),
    noun="site visit",
    impossible_message=_("The site visit cannot move from “%(source)s” to “%(target)s”."),
    role_refused_message=_("You may not move this site visit to '%(target)s'."),
    note_max=TEXT_MAX,
    note_param="reason",
    final={
        S.HELD: (error_codes.VISIT_FINAL, _("This visit was held; its status no longer changes.")),
        S.CANCELLED: (error_codes.VISIT_FINAL, _("This visit was cancelled; its status no longer changes.")),
    },
)


def transition(visit: SiteVisit, to: str, *, by: Person, reason: str = "") -> SiteVisit:
    """Move the visit to `to`, or raise a DomainError saying why not; nothing changes then."""
    if not rules.can_manage_visits(by, visit.assessment):
        raise NotAllowed(
            error_codes.VISIT_ROLE, gettext("Only IUCN staff and the assigned expert group manage site visits.")
        )
    return MACHINE.transition(visit, to, by=by, note=reason)
