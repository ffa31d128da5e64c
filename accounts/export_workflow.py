"""The one state machine of a person's data export: requested → building → ready | failed, and
ready → expired when beat deletes the file. Every move is made by accounts.personal_data (the
request, the worker, beat), never offered as a button: `by` is the person who asked, or None.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from core.workflow import Codes, Move, StateMachine

from . import error_codes
from .choices import ExportStatus as S
from .models import DataExport, DataExportTransition

NOTE_MAX = 2000


def _service(user: Any, export: DataExport) -> bool:
    # Who may ask is checked by the service (accounts.rules) before it moves.
    return True


TRANSITIONS: tuple[Move, ...] = (
    Move(S.REQUESTED, S.BUILDING, _service, label=_("Prepare"), offered=False),
    Move(S.BUILDING, S.READY, _service, label=_("Ready"), offered=False),
    Move(S.BUILDING, S.FAILED, _service, label=_("Failed"), offered=False),
    # A worker lost mid-way: the task starts over when the message is redelivered.
    Move(S.BUILDING, S.BUILDING, _service, label=_("Prepare again"), offered=False),
    Move(S.READY, S.EXPIRED, _service, label=_("Expire"), offered=False),
    Move(S.FAILED, S.EXPIRED, _service, label=_("Expire"), offered=False),
    Move(S.REQUESTED, S.EXPIRED, _service, label=_("Expire"), offered=False),
)

MACHINE = StateMachine(
    name="data_export",
    model=DataExport,
    statuses=S,
    log_model=DataExportTransition,
    log_subject="export",
    moves=TRANSITIONS,
    codes=Codes(
        impossible=error_codes.DATA_EXPORT_TRANSITION_NOT_ALLOWED,
        role=error_codes.DATA_EXPORT_ROLE,
        note_too_long=error_codes.DATA_EXPORT_NOTE_TOO_LONG,
        note_required=error_codes.DATA_EXPORT_NOTE_REQUIRED,
    ),
    noun="data export",
    impossible_message=_("The data export cannot move from “%(source)s” to “%(target)s”."),
    role_refused_message=_("You may not move this data export to '%(target)s'."),
    note_max=NOTE_MAX,
)


def transition(export: DataExport, to: str, *, by: Any = None, note: str = "") -> DataExport:
    """Move the export to `to`, or raise a DomainError saying why not; nothing changes then."""
    return MACHINE.transition(export, to, by=by, note=note[:NOTE_MAX])
