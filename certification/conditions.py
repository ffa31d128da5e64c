"""Conditions on a Green List listing (issue 16): what must be done, by when, and who checks it.

The Panel sets them when it grants (`panel.panel_case_close` hands its rows to
`conditions_create_for_decision`); later a concern's outcome or a mid-term review may add more
(`condition_add`, by the secretariat or the Panel's chair). The site team reports progress while a
condition is open; the checker it names marks it fulfilled or not fulfilled, and staff may waive
it, each with a note, through the one state machine below (a `ConditionTransition` row and an
audit event per move). Beat reminds the site team and the checker before the due date and tells
them the day after it (`conditions_remind`, called by `services.reminders_send`).

Other apps code against `condition_add`, `conditions_for` and `condition_report_progress`: keep
their names and signatures.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import rules as account_rules
from accounts.models import User
from accounts.types import Person
from audit.services import audit_record
from core.errors import Conflict, DomainError, NotAllowed
from core.outbox import queue_email
from core.text import clean_text
from core.workflow import Codes, Move, StateMachine

from . import error_codes, rules, selectors
from .choices import LISTED_STATUSES, ConditionChecker, ConditionStatus, NoticeKind
from .models import (
    ORIGIN_PANEL,
    TEXT_MAX,
    Certificate,
    ConditionProgress,
    ConditionTransition,
    Decision,
    ListingCondition,
)

S = ConditionStatus
ROW_FIELDS = ("text", "due_on", "checked_by")


# --- checking one condition's fields -------------------------------------------------------------


@dataclass(frozen=True)
class ConditionRow:
    text: str
    due_on: datetime.date
    checked_by: str


def _due_date(value: object) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        return None


def condition_row_errors(
    row: Mapping[str, Any], *, expires_on: datetime.date, today: datetime.date
) -> tuple[ConditionRow | None, dict[str, tuple[str, str]]]:
    """One condition's fields checked: the clean row, or each field's (code, message)."""
    errors: dict[str, tuple[str, str]] = {}
    text = str(row.get("text") or "").strip()
    if not text:
        errors["text"] = (error_codes.CONDITION_TEXT_REQUIRED, _("Say what the condition asks for."))
    elif len(text) > TEXT_MAX:
        errors["text"] = (
            error_codes.FIELD_TOO_LONG,
            _("The condition is over %(max)s characters.")
            % {"max": formats.number_format(TEXT_MAX, force_grouping=True)},
        )
    raw_due = row.get("due_on")
    due_on = _due_date(raw_due) if raw_due not in (None, "") else None
    if due_on is None:
        errors["due_on"] = (error_codes.CONDITION_DUE_INVALID, _("Give the due date as a date (YYYY-MM-DD)."))
    elif due_on < today:
        errors["due_on"] = (error_codes.CONDITION_DUE_PAST, _("The due date is in the past."))
    elif due_on >= expires_on:
        errors["due_on"] = (
            error_codes.CONDITION_DUE_AFTER_EXPIRY,
            _("The due date must come before the certificate expires (%(date)s).") % {"date": expires_on.isoformat()},
        )
    checked_by = str(row.get("checked_by") or "")
    if checked_by not in ConditionChecker.values:
        errors["checked_by"] = (
            error_codes.CONDITION_CHECKER_UNKNOWN,
            _("Choose who checks the condition: %(choices)s.") % {"choices": ", ".join(ConditionChecker.values)},
        )
    if errors or due_on is None:
        return None, errors
    return ConditionRow(text=text, due_on=due_on, checked_by=checked_by), {}


def _raise_first(errors: dict[str, tuple[str, str]]) -> None:
    name, (code, message) = next(iter(errors.items()))
    raise DomainError(code, message, field=name, data={"errors": {k: [m] for k, (_c, m) in errors.items()}})


def condition_rows_clean(
    rows: Iterable[Mapping[str, Any]], *, expires_on: datetime.date, today: datetime.date
) -> list[ConditionRow]:
    """Several rows (the Panel's grant): all clean, or a DomainError whose `errors` lists each
    row's field errors in order (an empty object for a good row), so that nothing is saved."""
    clean: list[ConditionRow] = []
    per_row: list[dict[str, list[str]]] = []
    for row in rows:
        if not isinstance(row, Mapping):
            row = {}
        ok, errors = condition_row_errors(row, expires_on=expires_on, today=today)
        per_row.append({k: [m] for k, (_c, m) in errors.items()})
        if ok is not None:
            clean.append(ok)
    if any(per_row):
        raise DomainError(
            error_codes.CONDITION_ROWS_INVALID,
            _("Some conditions are not valid; nothing was saved."),
            field="condition_items",
            data={"errors": {"condition_items": per_row}},
        )
    return clean


# --- the contract other lanes use ----------------------------------------------------------------


def _create(
    *, certificate: Certificate, decision: Decision, row: ConditionRow, by: User, origin: str
) -> ListingCondition:
    condition = ListingCondition.objects.create(
        certificate=certificate,
        decision=decision,
        text=row.text,
        due_on=row.due_on,
        checked_by=row.checked_by,
        origin=origin,
        added_by=by,
    )
    audit_record(
        actor=by,
        action="condition.added",
        target=condition,
        data={
            "certificate": certificate.number,
            "due_on": row.due_on.isoformat(),
            "checked_by": row.checked_by,
            "origin": origin,
        },
    )
    return condition


def condition_add(
    *, certificate: Certificate, text: str, due_on: datetime.date, checked_by: str, by: User, origin: str = ""
) -> ListingCondition:
    """Attach a condition to a listed certificate (active or suspended): the secretariat or the
    Panel's chair, e.g. as a concern's outcome or after a mid-term review (`origin` says which,
    in a few words). The due date falls from today up to the day before the certificate expires."""
    if not rules.can_add_condition(by):
        raise NotAllowed(
            error_codes.CONDITION_NOT_ALLOWED, _("Only IUCN staff or the Panel's chair add conditions to a listing.")
        )
    origin = str(origin or "").strip()[:200]
    row, errors = condition_row_errors(
        {"text": text, "due_on": due_on, "checked_by": checked_by},
        expires_on=certificate.expires_on,
        today=timezone.localdate(),
    )
    if row is None:
        _raise_first(errors)
    assert row is not None  # for mypy: _raise_first raised otherwise
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().select_related("decision").get(pk=certificate.pk)
        if locked.status not in LISTED_STATUSES:
            raise Conflict(
                error_codes.CONDITION_CERTIFICATE_NOT_LISTED,
                _("Conditions are added to a listed certificate; this one is %(status)s.")
                % {"status": locked.get_status_display()},
            )
        condition = _create(certificate=locked, decision=locked.decision, row=row, by=by, origin=origin)
        _email_added(condition)
    return condition


def _email_added(condition: ListingCondition) -> None:
    """A condition added after the grant (a concern's outcome, a review's): the site team and the
    checker hear of it, in the certificate's language, through the outbox."""
    certificate = condition.certificate
    team = selectors.site_team_emails([certificate.protected_area_id]).get(certificate.protected_area_id, [])
    context = {
        "condition": condition,
        "certificate": certificate,
        "added": True,
        "link": f"{settings.SITE_URL}{condition.get_absolute_url()}",
    }
    with translation.override(certificate.language):
        subject = render_to_string("certification/email/condition_subject.txt", context).strip()
        body = render_to_string("certification/email/condition.txt", context)
    queue_email(
        kind="certification.condition_added",
        to=sorted(set(team) | set(_checker_emails([condition])[condition.pk])),
        subject=subject,
        body=body,
        dedupe_key=f"condition_added:{condition.pk}",
    )


def conditions_for(certificate: Certificate) -> QuerySet[ListingCondition]:
    """Every condition of the certificate, soonest due first."""
    return ListingCondition.objects.filter(certificate=certificate).order_by("due_on", "id")


def clean_progress_text(value: Any) -> str:
    """A progress report's text: required, at most TEXT_MAX characters (the form's maxlength)."""
    return clean_text(
        value,
        field="text",
        limit=TEXT_MAX,
        required=True,
        required_code=error_codes.REASONS_REQUIRED,
        too_long_code=error_codes.FIELD_TOO_LONG,
        required_message=_("Write the progress report."),
    )


def condition_report_progress(*, condition: ListingCondition, by: User, text: str) -> ConditionProgress:
    """The site team says how far it has got with an open condition."""
    text = clean_progress_text(text)
    with transaction.atomic():
        locked = ListingCondition.objects.select_for_update().select_related("certificate").get(pk=condition.pk)
        if not rules.can_report_condition_progress(by, locked):
            raise NotAllowed(error_codes.CONDITION_NOT_ALLOWED, _("Only the site team reports progress."))
        if locked.status != S.OPEN:
            raise Conflict(
                error_codes.CONDITION_CLOSED,
                _("This condition is closed (%(status)s).") % {"status": locked.get_status_display()},
            )
        report = ConditionProgress.objects.create(condition=locked, text=text, by=by)
        audit_record(actor=by, action="condition.progress", target=report, data={"condition": locked.pk})
    return report


# --- the Panel's grant ---------------------------------------------------------------------------


def checker_in_sentence(checked_by: str) -> str:
    """Who checks a condition, to go mid-sentence: "the expert group" (a label opening with an
    acronym keeps it: "IUCN staff (the secretariat)")."""
    label = str(ConditionChecker(checked_by).label)
    first = label.split(maxsplit=1)[0] if label else ""
    return label if len(first) > 1 and first.isupper() else label[:1].lower() + label[1:]


def condition_line(row: ConditionRow | ListingCondition) -> str:
    """One condition as a line in the active language: what, by when (the pages' DATE_FORMAT) and
    who checks it."""
    return _("%(text)s (due %(date)s; checked by %(checker)s)") % {
        "text": row.text,
        "date": formats.date_format(row.due_on, "DATE_FORMAT"),
        "checker": checker_in_sentence(row.checked_by),
    }


def decision_condition_lines(decision: Decision) -> list[str]:
    """The Panel's conditions of a grant, one line each, from their structured rows (in the order
    the Panel gave them); empty for an older decision that only has `Decision.conditions`' text."""
    rows = decision.listing_conditions.filter(origin=ORIGIN_PANEL).order_by("id")
    return [condition_line(row) for row in rows]


def conditions_summary(rows: Iterable[ConditionRow], *, language: str) -> str:
    """`Decision.conditions`: the structured items as readable lines, in the site team's language
    (pages and the PDF show the rows themselves, `decision_condition_lines`)."""
    with translation.override(language):
        lines = [f"{i}. {condition_line(r)}" for i, r in enumerate(rows, 1)]
    return "\n".join(lines)[:TEXT_MAX]


def conditions_create_for_decision(
    *, decision: Decision, rows: Iterable[ConditionRow], by: User, origin: str
) -> list[ListingCondition]:
    """The Panel's grant: its conditions, checked beforehand, attached to the new certificate
    (inside the transaction that records the decision)."""
    certificate = decision.certificate
    return [_create(certificate=certificate, decision=decision, row=row, by=by, origin=origin) for row in rows]


# --- the state machine ---------------------------------------------------------------------------


def _assessment_of(condition: ListingCondition) -> Any:
    return condition.decision.assessment


def _checker(user: Person | None, condition: ListingCondition) -> bool:
    return user is not None and rules.can_check_condition(user, condition, _assessment_of(condition))


def _staff(user: Person | None, condition: ListingCondition) -> bool:
    return user is not None and rules.can_waive_condition(user)


def _on_move(condition: ListingCondition, move: Move, note: str) -> list[str]:
    condition.status_note = note
    condition.status_changed_at = timezone.now()
    return ["status_note", "status_changed_at"]


TRANSITIONS: tuple[Move, ...] = (
    Move(
        S.OPEN,
        S.FULFILLED,
        _checker,
        (),
        gettext_lazy("Mark fulfilled"),
        note_required=True,
        note_label=gettext_lazy("How the condition was fulfilled"),
    ),
    Move(
        S.OPEN,
        S.NOT_FULFILLED,
        _checker,
        (),
        gettext_lazy("Mark not fulfilled"),
        note_required=True,
        note_label=gettext_lazy("Why the condition is not fulfilled"),
    ),
    Move(
        S.OPEN,
        S.WAIVED,
        _staff,
        (),
        gettext_lazy("Waive"),
        note_required=True,
        note_label=gettext_lazy("Why the condition is waived"),
    ),
)

MACHINE = StateMachine(
    name="condition",
    model=ListingCondition,
    statuses=S,
    log_model=ConditionTransition,
    log_subject="condition",
    moves=TRANSITIONS,
    codes=Codes(
        impossible=error_codes.CONDITION_TRANSITION_NOT_ALLOWED,
        role=error_codes.CONDITION_ROLE,
        note_too_long=error_codes.FIELD_TOO_LONG,
        note_required=error_codes.CONDITION_NOTE_REQUIRED,
    ),
    noun="condition",
    impossible_message=gettext_lazy("The condition cannot move from “%(source)s” to “%(target)s”."),
    role_refused_message=gettext_lazy("You may not move this condition to '%(target)s'."),
    note_max=TEXT_MAX,
    on_move=_on_move,
)
available_moves = MACHINE.available_moves


def condition_transition(*, condition: ListingCondition, to: str, by: User, note: str) -> ListingCondition:
    """Mark fulfilled / not fulfilled (the checker) or waive (staff), with a note; or a DomainError."""
    return MACHINE.transition(condition, to, by=by, note=note)


# --- reminders (celery beat, through services.reminders_send) -------------------------------------


def _checker_emails(conditions: list[ListingCondition]) -> dict[int, list[str]]:
    """Each condition's checkers' e-mails, by condition id: the group's cleared experts or the
    independent reviewer assigned to the assessment decided on, or IUCN staff. Two queries."""
    from reviews.choices import AssignmentRole
    from reviews.models import ReviewAssignment

    by_role = {
        ConditionChecker.EXPERT_GROUP: AssignmentRole.EXPERT,
        ConditionChecker.INDEPENDENT_REVIEWER: AssignmentRole.INDEPENDENT_REVIEWER,
    }
    seats: dict[tuple[int, str], list[str]] = {}
    rows = (
        ReviewAssignment.objects.cleared()
        .filter(assessment_id__in={c.decision.assessment_id for c in conditions}, user__is_active=True)
        .values_list("assessment_id", "role", "user__email")
        .order_by("user__email")
    )
    for assessment_id, role, email in rows:
        seats.setdefault((assessment_id, role), []).append(email)
    staff = selectors.staff_emails()
    out: dict[int, list[str]] = {}
    for c in conditions:
        seat_role = by_role.get(ConditionChecker(c.checked_by))
        out[c.pk] = seats.get((c.decision.assessment_id, seat_role), []) if seat_role else staff
    return out


def conditions_remind(*, today: datetime.date, notify: Any) -> int:
    """Remind the site team and the checker GREENLIST_CONDITION_REMINDER_DAYS before an open
    condition of a listed certificate is due, and tell them the day after it passed; each once
    (the notice's key). Only the most urgent is sent: a condition found overdue gets no reminder."""
    lead = settings.GREENLIST_CONDITION_REMINDER_DAYS
    due = list(
        ListingCondition.objects.filter(
            status=S.OPEN,
            certificate__status__in=LISTED_STATUSES,
            due_on__lte=today + relativedelta(days=lead),
        )
        .select_related("certificate__protected_area", "decision")
        .order_by("due_on", "pk")
    )
    if not due:
        return 0
    teams = selectors.site_team_emails({c.certificate.protected_area_id for c in due})
    checkers = _checker_emails(due)
    sent = 0
    for condition in due:
        certificate = condition.certificate
        overdue = condition.due_on < today
        kind = NoticeKind.CONDITION_OVERDUE if overdue else NoticeKind.CONDITION_DUE
        context = {
            "condition": condition,
            "certificate": certificate,
            "overdue": overdue,
            "link": f"{settings.SITE_URL}{condition.get_absolute_url()}",
        }
        with translation.override(certificate.language):
            subject = render_to_string("certification/email/condition_subject.txt", context).strip()
            body = render_to_string("certification/email/condition.txt", context)
        sent += notify(
            key=f"condition:{condition.pk}:{kind}",
            kind=kind,
            due_on=condition.due_on if not overdue else condition.due_on + relativedelta(days=1),
            recipients=sorted(set(teams.get(certificate.protected_area_id, [])) | set(checkers[condition.pk])),
            subject=subject,
            body=body,
            certificate=certificate,
        )
    return sent


def is_checker_for(user: Person, condition: ListingCondition) -> bool:
    """For pages: may this person mark the condition (it must be open)?"""
    return condition.status == S.OPEN and _checker(user, condition)


def may_waive(user: Person, condition: ListingCondition) -> bool:
    return condition.status == S.OPEN and account_rules.is_iucn_staff(user)
