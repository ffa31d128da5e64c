"""The one transition engine behind every lifecycle (assessments, certificates, and those to come).

A lifecycle is a `StateMachine`: a table of `Move`s (from, to, the named rule that says who may make
it, the guards that must pass) and the model that logs each move. `StateMachine.transition()` is the
only code that assigns a lifecycle's status, always in the same steps:

1. check the input (a known status, a note within its length, a note where the move needs one);
2. lock the row (`select_for_update`), so concurrent moves and the edits that take the same lock
   happen one after the other, and read the status again under the lock;
3. find the move in the table: none is an **impossible move**, answered everywhere with
   `ImpossibleMove` (HTTP 409, the lifecycle's stable code), on pages as on the API;
4. check the person's rule (`NotAllowed`, 403), then the guards (their own `DomainError`s);
5. write the status (and what the lifecycle's `on_move` adds), one log row, one audit event, then run
   the effects apps provided for the move (`provide_effect`), in the same transaction.

One vocabulary: a move's free text is its `note` (the certificate's log keeps it in its `reason`
column); `by=None` is the scheduler (celery beat).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from audit.services import audit_record

from .errors import Conflict, DomainError, NotAllowed


class ImpossibleMove(Conflict):
    """No move leads from the object's status to the one asked for (HTTP 409, pages and API alike)."""


Rule = Callable[[Any, Any], bool]  # (person or None, object) -> may they make this move
Guard = Callable[[Any], None]  # (locked object) -> None, or raises a DomainError saying why not
# A label or sentence: a plain string or a lazily translated one (gettext_lazy), rendered in the
# language of the request that shows it.
Text = str | Promise
Obj = TypeVar("Obj", bound=models.Model)

# The note's length refusal, one whole sentence per note field (a field name glued into one sentence
# reads badly in French and Spanish): marked here, translated when raised, in the reader's language.
_NOTE_TOO_LONG: dict[str, str] = {
    "note": gettext_noop("The note is over %(limit)s characters."),
    "reason": gettext_noop("The reason is over %(limit)s characters."),
}


@dataclass(frozen=True)
class Move:
    source: str
    target: str
    allowed: Rule
    guards: tuple[Guard, ...] = ()
    label: Text = ""
    # False: only a service makes this move (e.g. the reviewer's confirmation), so pages offer no
    # button for it; `transition()` checks it like any other move.
    offered: bool = True
    note_required: bool = False
    # The label of the note's field on a page, a whole sentence of its own per move ("Why the
    # certificate is suspended"): "Reason (Suspend)" glued from two labels reads badly and cannot
    # be translated as a whole.
    note_label: Text = ""
    # Guards that an app above this one owns (it has the data they read) and hands over at start-up
    # with `StateMachine.provide_guard(name, guard)`; a guard is then called as guard(obj, target).
    # A move whose provided guard is missing refuses to run (ImproperlyConfigured), never skips it.
    provided_guards: tuple[str, ...] = ()
    # What an app above this one does once the move is made (e-mails about data it owns), handed
    # over like a guard with `StateMachine.provide_effect(name, effect)` and called as
    # effect(obj, by) in the move's transaction, after its log row: an effect's writes (an outbox
    # row) commit with the move or not at all. A missing effect refuses the move, as a guard does.
    provided_effects: tuple[str, ...] = ()


@dataclass(frozen=True)
class Codes:
    """The lifecycle's stable error codes (declared in its app's error_codes.py)."""

    impossible: str
    role: str
    note_too_long: str
    note_required: str


@dataclass
class StateMachine:
    name: str  # audit action prefix: "<name>.transition"
    model: type[models.Model]
    statuses: type[models.TextChoices]
    log_model: type[models.Model]  # one row per move: <subject>, from_status, to_status, by, <note>
    log_subject: str  # the log row's foreign key to the object
    moves: tuple[Move, ...]
    codes: Codes
    noun: str  # "assessment", "certificate": for messages
    note_max: int = 5000
    log_note_field: str = "note"
    note_param: str = "note"  # the form/API field that carries the note, for field errors
    # The sentence for an impossible move, translated (placeholders %(source)s and %(target)s, the
    # statuses' labels); shown whole on the 409 page.
    impossible_message: Text = ""
    # The sentence refusing a move the person's role may not make, translated (placeholder
    # %(target)s, the status's label); without one, an English sentence naming `noun`.
    role_refused_message: Text = ""
    # Checked before anything else: who may move this kind of object at all (raises NotAllowed).
    gate: Callable[[Any], None] | None = None
    # Extra writes when a move happens: (locked object, move, note) -> names of the fields it set.
    on_move: Callable[[Any, Move, str], Iterable[str]] | None = None
    # Statuses nothing leaves, with the code and sentence that say so (not "cannot move from … to …").
    final: dict[str, tuple[str, Text]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._provided: dict[str, Callable[[Any, str], None]] = {}
        self._effects: dict[str, Callable[[Any, Any], None]] = {}
        self._by_edge = {(m.source, m.target): m for m in self.moves}
        if len(self._by_edge) != len(self.moves):
            raise ValueError(f"{self.name}: two moves share the same edge")
        unknown = {s for m in self.moves for s in (m.source, m.target)} - set(self.statuses.values)
        if unknown:
            raise ValueError(f"{self.name}: moves name unknown statuses {sorted(unknown)}")

    def provide_guard(self, name: str, guard: Callable[[Any, str], None]) -> None:
        """Called from the owning app's AppConfig.ready(); a second call replaces the first."""
        if not any(name in m.provided_guards for m in self.moves):
            raise ImproperlyConfigured(f"{self.name}: no move needs a guard named {name!r}.")
        self._provided[name] = guard

    def provide_effect(self, name: str, effect: Callable[[Any, Any], None]) -> None:
        """Called from the owning app's AppConfig.ready(); a second call replaces the first."""
        if not any(name in m.provided_effects for m in self.moves):
            raise ImproperlyConfigured(f"{self.name}: no move has an effect named {name!r}.")
        self._effects[name] = effect

    def _provided_guard(self, name: str) -> Callable[[Any, str], None]:
        try:
            return self._provided[name]
        except KeyError:
            raise ImproperlyConfigured(
                f"{self.name}: the guard {name!r} was never provided (is the app that owns it installed?)."
            ) from None

    def _role_refused(self, target: Text) -> str:
        if not self.role_refused_message:
            return f"You may not move this {self.noun} to '{target}'."
        return str(self.role_refused_message) % {"target": target}

    def _note_too_long(self) -> str:
        sentence = _NOTE_TOO_LONG.get(self.note_param)
        if sentence is None:
            return f"The {self.note_param} is over {self.note_max} characters."
        return _(sentence) % {"limit": self.note_max}

    # --- reading the table ---------------------------------------------------------------------

    def moves_from(self, status: str) -> list[Move]:
        return [m for m in self.moves if m.source == status]

    def move(self, source: str, target: str) -> Move | None:
        return self._by_edge.get((source, target))

    def available_moves(self, obj: Any, user: Any) -> list[Move]:
        """Moves this person may try now (guards are checked only when they try)."""
        return [m for m in self.moves_from(obj.status) if m.offered and m.allowed(user, obj)]

    # --- making a move -------------------------------------------------------------------------

    def transition(self, obj: Obj, to: str, *, by: Any, note: str = "") -> Obj:
        """Move `obj` to `to`, or raise a DomainError saying why not; nothing changes then."""
        label = self.statuses
        note = (note or "").strip()
        if to not in label.values:
            raise DomainError(self.codes.impossible, _("Unknown status '%(status)s'.") % {"status": to}, field="to")
        if len(note) > self.note_max:
            raise DomainError(self.codes.note_too_long, self._note_too_long(), field=self.note_param)
        if self.gate is not None:
            self.gate(by)
        with transaction.atomic():
            locked: Any = self.model._default_manager.select_for_update().get(pk=obj.pk)
            source = locked.status
            move = self.move(source, to)
            if move is None:
                code, message = self.final.get(source) or (
                    self.codes.impossible,
                    (self.impossible_message or f"The {self.noun} cannot move from '%(source)s' to '%(target)s'.")
                    % {"source": label(source).label, "target": label(to).label},
                )
                raise ImpossibleMove(code, str(message), field="to")
            if not move.allowed(by, locked):
                raise NotAllowed(self.codes.role, self._role_refused(label(to).label))
            if move.note_required and not note:
                raise DomainError(
                    self.codes.note_required, _("Give the reason for this change."), field=self.note_param
                )
            for guard in move.guards:
                guard(locked)
            for name in move.provided_guards:
                self._provided_guard(name)(locked, to)
            locked.status = to
            fields = ["status", *(self.on_move(locked, move, note) if self.on_move else ())]
            locked.save(update_fields=fields)
            self.log_model._default_manager.create(
                **{
                    self.log_subject: locked,
                    "from_status": source,
                    "to_status": to,
                    "by": by,
                    self.log_note_field: note,
                }
            )
            audit_record(
                actor=by,
                action=f"{self.name}.transition",
                target=locked,
                data={"from": source, "to": to, self.log_note_field: note},
            )
            for name in move.provided_effects:
                effect = self._effects.get(name)
                if effect is None:
                    raise ImproperlyConfigured(f"{self.name}: the effect {name!r} was never provided.")
                effect(locked, by)
        for name in fields:
            setattr(obj, name, getattr(locked, name))
        return obj
