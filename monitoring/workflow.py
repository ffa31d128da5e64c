"""The one state machine of a monitoring dataset: received → processing → ready | failed, and back
to processing when it is processed again (new parameters, a fixed reader). A worker lost mid-way
leaves its message to be redelivered (acks late), and the task reads a "processing" dataset again,
at most services.MAX_ATTEMPTS times (then it fails: the files kill the worker).
Nothing else assigns `MonitoringDataset.status`; the engine (core.workflow) writes the transition
row and the audit event ("monitoring_dataset.transition") with the move. Every move is made by the processing service
(`monitoring.services`), never offered as a bare button: `by` is the person who asked, or None for
the worker.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from core.workflow import Codes, Move, StateMachine

from . import error_codes
from .choices import DatasetStatus as S
from .models import MonitoringDataset, MonitoringDatasetTransition

NOTE_MAX = 5000


def _service(user: Any, dataset: MonitoringDataset) -> bool:
    # Who may ask for processing is checked by the service (monitoring.rules) before it moves.
    return True


TRANSITIONS: tuple[Move, ...] = (
    Move(S.RECEIVED, S.PROCESSING, _service, label=_("Process"), offered=False),
    Move(S.PROCESSING, S.READY, _service, label=_("Ready"), offered=False),
    Move(S.PROCESSING, S.FAILED, _service, label=_("Failed"), offered=False),
    # Processing again: the values stay until the new ones replace them in one transaction.
    Move(S.READY, S.PROCESSING, _service, label=_("Process again"), offered=False),
    Move(S.FAILED, S.PROCESSING, _service, label=_("Process again"), offered=False),
)

MACHINE = StateMachine(
    name="monitoring_dataset",
    model=MonitoringDataset,
    statuses=S,
    log_model=MonitoringDatasetTransition,
    log_subject="dataset",
    moves=TRANSITIONS,
    codes=Codes(
        impossible=error_codes.MONITORING_TRANSITION_NOT_ALLOWED,
        role=error_codes.MONITORING_ROLE,
        note_too_long=error_codes.MONITORING_NOTE_TOO_LONG,
        note_required=error_codes.MONITORING_NOTE_REQUIRED,
    ),
    noun="monitoring dataset",
    impossible_message=_("The monitoring dataset cannot move from “%(source)s” to “%(target)s”."),
    role_refused_message=_("You may not move this monitoring dataset to '%(target)s'."),
    note_max=NOTE_MAX,
)


def transition(dataset: MonitoringDataset, to: str, *, by: Any = None, note: str = "") -> MonitoringDataset:
    """Move the dataset to `to`, or raise a DomainError saying why not; nothing changes then."""
    return MACHINE.transition(dataset, to, by=by, note=note[:NOTE_MAX])
