"""The one state machine of a certificate. Nothing else assigns `Certificate.status`.

TRANSITIONS lists every allowed move with the named rule that says who may make it and the
guards that must pass; the engine (core.workflow) checks the table and writes the
CertificateTransition row and the audit event in one database transaction. `by=None` is the
scheduler (celery beat).
"""

from __future__ import annotations

from contextvars import ContextVar

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts import rules
from accounts.types import Person
from core.errors import Conflict, NotAllowed
from core.workflow import Codes, Move, StateMachine

from . import error_codes
from .choices import CertificateStatus as S
from .models import TEXT_MAX, Certificate, CertificateTransition


def _staff(user: Person | None, certificate: Certificate) -> bool:
    return user is not None and rules.can_manage_certificates(user)


# Set only while `transition_on_panel_outcome` runs: the Green List Panel's outcome on a concern about
# a listed site (concerns.services), which the Panel's chair records on the Panel's behalf.
_applying_panel_outcome: ContextVar[bool] = ContextVar("applying_panel_outcome", default=False)


def _panel_chair_applying_outcome(user: Person | None) -> bool:
    return user is not None and _applying_panel_outcome.get() and rules.chairs_panel(user)


def _staff_or_panel_outcome(user: Person | None, certificate: Certificate) -> bool:
    """Staff, or the Panel's chair applying the Panel's outcome (never from the certificate's page)."""
    return _staff(user, certificate) or _panel_chair_applying_outcome(user)


def _scheduler(user: Person | None, certificate: Certificate) -> bool:
    """Expiry is the calendar's doing, never a person's."""
    return user is None


def guard_not_past_expiry(certificate: Certificate) -> None:
    # A certificate whose date has passed is expired even before beat has marked it so.
    if timezone.localdate() >= certificate.expires_on:
        raise Conflict(
            error_codes.CERTIFICATE_EXPIRED, gettext("The certificate has expired; it can no longer change status.")
        )


def guard_due(certificate: Certificate) -> None:
    if timezone.localdate() < certificate.expires_on:
        raise Conflict(error_codes.CERTIFICATE_NOT_DUE, gettext("The certificate's expiry date has not come yet."))


def _gate(user: Person | None) -> None:
    # A person other than staff is refused before the table is read (403, not "impossible").
    if user is not None and not rules.can_manage_certificates(user) and not _panel_chair_applying_outcome(user):
        raise NotAllowed(error_codes.CERTIFICATE_ROLE, gettext("Only IUCN staff may change a certificate's status."))


def _on_move(certificate: Certificate, move: Move, note: str) -> list[str]:
    # The log row keeps the note as the move's reason; the certificate shows the latest.
    certificate.status_reason = note
    certificate.status_changed_at = timezone.now()
    return ["status_reason", "status_changed_at"]


# The label of each move's note: the reason the certificate's page shows and its history keeps.
WHY_SUSPENDED = _("Why the certificate is suspended")
WHY_REINSTATED = _("Why the certificate is reinstated")
WHY_WITHDRAWN = _("Why the certificate is withdrawn")

TRANSITIONS: tuple[Move, ...] = (
    Move(
        S.ACTIVE,
        S.SUSPENDED,
        _staff_or_panel_outcome,
        (guard_not_past_expiry,),
        _("Suspend"),
        note_required=True,
        note_label=WHY_SUSPENDED,
    ),
    Move(
        S.SUSPENDED,
        S.ACTIVE,
        _staff_or_panel_outcome,
        (guard_not_past_expiry,),
        _("Reinstate"),
        note_required=True,
        note_label=WHY_REINSTATED,
    ),
    Move(
        S.ACTIVE, S.WITHDRAWN, _staff_or_panel_outcome, (), _("Withdraw"), note_required=True, note_label=WHY_WITHDRAWN
    ),
    Move(
        S.SUSPENDED,
        S.WITHDRAWN,
        _staff_or_panel_outcome,
        (),
        _("Withdraw"),
        note_required=True,
        note_label=WHY_WITHDRAWN,
    ),
    Move(S.ACTIVE, S.EXPIRED, _scheduler, (guard_due,), _("Expire")),
    Move(S.SUSPENDED, S.EXPIRED, _scheduler, (guard_due,), _("Expire")),
)

MACHINE = StateMachine(
    name="certificate",
    model=Certificate,
    statuses=S,
    log_model=CertificateTransition,
    log_subject="certificate",
    moves=TRANSITIONS,
    codes=Codes(
        impossible=error_codes.CERTIFICATE_TRANSITION_NOT_ALLOWED,
        role=error_codes.CERTIFICATE_ROLE,
        note_too_long=error_codes.FIELD_TOO_LONG,
        note_required=error_codes.STATUS_REASON_REQUIRED,
    ),
    noun="certificate",
    impossible_message=_("The certificate cannot move from “%(source)s” to “%(target)s”."),
    role_refused_message=_("You may not move this certificate to '%(target)s'."),
    note_max=TEXT_MAX,
    log_note_field="reason",
    note_param="reason",
    gate=_gate,
    on_move=_on_move,
    final={S.EXPIRED: (error_codes.CERTIFICATE_EXPIRED, _("The certificate has expired; its status is final."))},
)
available_moves = MACHINE.available_moves


def transition(certificate: Certificate, to: str, *, by: Person | None, reason: str = "") -> Certificate:
    """Move the certificate to `to`, or raise a DomainError saying why not; nothing changes then."""
    return MACHINE.transition(certificate, to, by=by, note=reason)


def transition_on_panel_outcome(certificate: Certificate, to: str, *, chair: Person, reason: str) -> Certificate:
    """The Panel's chair applies the Panel's outcome on a concern (suspend, reinstate, withdraw):
    the same moves, guards, log and audit as staff's; the caller has checked the Panel's record."""
    token = _applying_panel_outcome.set(True)
    try:
        return MACHINE.transition(certificate, to, by=chair, note=reason)
    finally:
        _applying_panel_outcome.reset(token)
