"""The one state machine of a certificate. Nothing else assigns `Certificate.status`.

TRANSITIONS lists every allowed move with the named rule that says who may make it and the
guards that must pass; `transition()` checks the table and writes the CertificateTransition row
and the audit event in one database transaction. `by=None` is the scheduler (celery beat).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import rules
from audit.services import audit_record
from core.errors import Conflict, DomainError, NotAllowed

from . import error_codes
from .choices import CertificateStatus as S
from .models import TEXT_MAX, Certificate, CertificateTransition


def _staff(user, certificate) -> bool:
    return user is not None and rules.can_manage_certificates(user)


def _scheduler(user, certificate) -> bool:
    """Expiry is the calendar's doing, never a person's."""
    return user is None


def guard_not_past_expiry(certificate: Certificate) -> None:
    # A certificate whose date has passed is expired even before beat has marked it so.
    if timezone.localdate() >= certificate.expires_on:
        raise Conflict(error_codes.CERTIFICATE_EXPIRED, "The certificate has expired; it can no longer change status.")


def guard_due(certificate: Certificate) -> None:
    if timezone.localdate() < certificate.expires_on:
        raise Conflict(error_codes.CERTIFICATE_NOT_DUE, "The certificate's expiry date has not come yet.")


@dataclass(frozen=True)
class Move:
    source: S
    target: S
    allowed: Callable[..., bool]
    guards: tuple[Callable[[Certificate], None], ...] = ()
    reason_required: bool = False
    label: str = ""


TRANSITIONS: tuple[Move, ...] = (
    Move(S.ACTIVE, S.SUSPENDED, _staff, (guard_not_past_expiry,), True, _("Suspend")),
    Move(S.SUSPENDED, S.ACTIVE, _staff, (guard_not_past_expiry,), True, _("Reinstate")),
    Move(S.ACTIVE, S.WITHDRAWN, _staff, (), True, _("Withdraw")),
    Move(S.SUSPENDED, S.WITHDRAWN, _staff, (), True, _("Withdraw")),
    Move(S.ACTIVE, S.EXPIRED, _scheduler, (guard_due,), False, _("Expire")),
    Move(S.SUSPENDED, S.EXPIRED, _scheduler, (guard_due,), False, _("Expire")),
)
_BY_EDGE = {(m.source, m.target): m for m in TRANSITIONS}


def available_moves(certificate: Certificate, user) -> list[Move]:
    return [m for m in TRANSITIONS if m.source == certificate.status and m.allowed(user, certificate)]


def transition(certificate: Certificate, to: str, *, by, reason: str = "") -> Certificate:
    """Move the certificate to `to`, or raise a DomainError saying why not; nothing changes then."""
    reason = (reason or "").strip()
    if to not in S.values:
        raise DomainError(error_codes.CERTIFICATE_TRANSITION_NOT_ALLOWED, f"Unknown status '{to}'.", field="to")
    if len(reason) > TEXT_MAX:
        raise DomainError(error_codes.FIELD_TOO_LONG, f"The reason is over {TEXT_MAX} characters.", field="reason")
    if by is not None and not rules.can_manage_certificates(by):
        raise NotAllowed(error_codes.CERTIFICATE_ROLE, "Only IUCN staff may change a certificate's status.")
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
        source = locked.status
        move = _BY_EDGE.get((source, to))
        if move is None:
            if source == S.EXPIRED:
                raise Conflict(error_codes.CERTIFICATE_EXPIRED, "The certificate has expired; its status is final.")
            raise Conflict(
                error_codes.CERTIFICATE_TRANSITION_NOT_ALLOWED,
                f"A certificate cannot move from '{S(source).label}' to '{S(to).label}'.",
            )
        if not move.allowed(by, locked):
            raise NotAllowed(error_codes.CERTIFICATE_ROLE, f"You may not change this certificate to '{S(to).label}'.")
        if move.reason_required and not reason:
            raise DomainError(error_codes.STATUS_REASON_REQUIRED, "Give the reason for this change.", field="reason")
        for guard in move.guards:
            guard(locked)
        locked.status = to
        locked.status_reason = reason
        locked.status_changed_at = timezone.now()
        locked.save(update_fields=["status", "status_reason", "status_changed_at"])
        CertificateTransition.objects.create(certificate=locked, from_status=source, to_status=to, by=by, reason=reason)
        audit_record(
            actor=by,
            action="certificate.transition",
            target=locked,
            data={"from": source, "to": to, "reason": reason},
        )
    certificate.status = locked.status
    certificate.status_reason = locked.status_reason
    certificate.status_changed_at = locked.status_changed_at
    return certificate
