"""The one state machine of a concern. Nothing else assigns `Concern.status`; the engine
(core.workflow) writes the ConcernTransition row (the dated step the raiser sees) and the audit
event ("concern.transition").

    unconfirmed → received                       the raiser confirms their e-mail address
    received → admissible | not_admissible       IUCN staff triage, with reasons
    admissible → answered                        the site team answers (concerns.services)
    answered → advised                           the expert group advises (concerns.services)
    advised → decided                            the Panel's chair records the Panel's outcome
    decided → closed                             IUCN staff close it
    closed → decided                             a later Panel outcome (reinstatement after a suspension)

Moves that store something with them (the answer, the advice, the outcome) are not offered as bare
buttons: their service checks and stores it in the same transaction.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts import rules as account_rules
from accounts.types import Person
from core.workflow import Codes, Move, StateMachine

from . import error_codes, rules
from .choices import ConcernStatus as S
from .models import REASON_MAX, Concern, ConcernTransition


def _raiser(user: Person | None, concern: Concern) -> bool:
    """The raiser has no account: their confirmation is the private link's doing (`by=None`)."""
    return user is None


def _staff(user: Person | None, concern: Concern) -> bool:
    return user is not None and rules.can_triage(user)


def _site_team(user: Person | None, concern: Concern) -> bool:
    return user is not None and rules.can_answer(user, concern)


def _group(user: Person | None, concern: Concern) -> bool:
    return user is not None and rules.can_advise(
        user, concern, frozenset(concern.advisers.values_list("pk", flat=True))
    )


def _panel_chair(user: Person | None, concern: Concern) -> bool:
    return user is not None and account_rules.chairs_panel(user)


TRANSITIONS: tuple[Move, ...] = (
    Move(S.UNCONFIRMED, S.RECEIVED, _raiser, (), _("Confirm"), offered=False),
    Move(S.RECEIVED, S.ADMISSIBLE, _staff, (), _("Admissible"), note_required=True),
    Move(S.RECEIVED, S.NOT_ADMISSIBLE, _staff, (), _("Not admissible"), note_required=True),
    Move(S.ADMISSIBLE, S.ANSWERED, _site_team, (), _("Answer"), offered=False),
    Move(S.ANSWERED, S.ADVISED, _group, (), _("Advise"), offered=False),
    Move(S.ADVISED, S.DECIDED, _panel_chair, (), _("Record the Panel's outcome"), offered=False),
    Move(S.DECIDED, S.CLOSED, _staff, (), _("Close")),
    Move(S.CLOSED, S.DECIDED, _panel_chair, (), _("Record a further Panel outcome"), offered=False),
)

MACHINE = StateMachine(
    name="concern",
    model=Concern,
    statuses=S,
    log_model=ConcernTransition,
    log_subject="concern",
    moves=TRANSITIONS,
    codes=Codes(
        impossible=error_codes.CONCERN_TRANSITION_NOT_ALLOWED,
        role=error_codes.CONCERN_ROLE,
        note_too_long=error_codes.FIELD_TOO_LONG,
        note_required=error_codes.REASONS_REQUIRED,
    ),
    noun="concern",
    impossible_message=_("The concern cannot move from “%(source)s” to “%(target)s”."),
    role_refused_message=_("You may not move this concern to '%(target)s'."),
    note_max=REASON_MAX,
    note_param="reason",
    final={S.NOT_ADMISSIBLE: (error_codes.CONCERN_FINAL, _("This concern was found not admissible; it is final."))},
)
available_moves = MACHINE.available_moves


def transition(concern: Concern, to: str, *, by: Person | None, reason: str = "") -> Concern:
    """Move the concern to `to`, or raise a DomainError saying why not; nothing changes then."""
    return MACHINE.transition(concern, to, by=by, note=reason)
