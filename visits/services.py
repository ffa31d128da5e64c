"""Writes of site visits: plan, record as held, cancel, release the group's notes, add photos or
tracks as evidence. Every rule is checked here (visits.rules, the phase, the dates); pages and API
only call these."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from assessments.models import Assessment
from audit.services import audit_record
from core.errors import Conflict, DomainError, NotAllowed
from evidence.models import EvidenceItem
from evidence.services import evidence_upload
from standards.models import Indicator

from . import emails, error_codes, rules, selectors, workflow
from .choices import VISIT_PHASES, VisitStatus
from .models import OTHERS_MAX, TEXT_MAX, SiteVisit


def _check_allowed(user: User, assessment: Assessment) -> None:
    if not rules.can_manage_visits(user, assessment):
        raise NotAllowed(error_codes.VISIT_ROLE, _("Only IUCN staff and the assigned expert group manage site visits."))


def _check_phase(assessment: Assessment) -> None:
    if assessment.status not in VISIT_PHASES:
        raise Conflict(
            error_codes.VISIT_PHASE,
            _("Site visits belong to the candidate phase and its review; this assessment is not in either."),
        )


# One whole sentence per field (translated when raised, in the reader's language), never a field
# name put into a shared sentence.
_TOO_LONG = {
    "agenda": gettext_noop("The agenda is over %(limit)d characters."),
    "notes": gettext_noop("The notes is over %(limit)d characters."),
    "other_participants": gettext_noop("The other_participants is over %(limit)d characters."),
}


def _check_text(value: str, field: str, limit: int = TEXT_MAX) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise DomainError(error_codes.VISIT_TEXT_TOO_LONG, _(_TOO_LONG[field]) % {"limit": limit}, field=field)
    return value


def clean_agenda(text: str) -> str:
    return _check_text(text, "agenda")


def clean_notes(text: str) -> str:
    return _check_text(text, "notes")


def clean_other_participants(text: str) -> str:
    return _check_text(text, "other_participants", OTHERS_MAX)


def _participants(assessment: Assessment, people: Iterable[User | int]) -> list[User]:
    ids = {p.pk if isinstance(p, User) else p for p in people}
    found = list(selectors.group_members(assessment.pk).filter(pk__in=ids))
    if len(found) != len(ids):
        raise DomainError(
            error_codes.VISIT_PARTICIPANT_UNKNOWN,
            _(
                "Participants are chosen among the assessment's assigned experts; name anyone else in "
                "“other participants”."
            ),
            field="participants",
        )
    return found


def visit_plan(
    *,
    assessment: Assessment,
    by: User,
    planned_from: datetime.date,
    planned_to: datetime.date | None = None,
    agenda: str = "",
    participants: Iterable[User | int] = (),
    other_participants: str = "",
) -> SiteVisit:
    """Plan a visit of the expert group to the assessment's site; the site team is told by e-mail."""
    _check_allowed(by, assessment)
    planned_to = planned_to or planned_from
    if planned_from < timezone.localdate():
        raise DomainError(
            error_codes.VISIT_PLANNED_IN_PAST, _("A visit is planned for today or later."), field="planned_from"
        )
    if planned_to < planned_from:
        raise DomainError(
            error_codes.VISIT_DATES_INVALID, _("The last day comes before the first."), field="planned_to"
        )
    agenda = clean_agenda(agenda)
    other_participants = clean_other_participants(other_participants)
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().select_related("protected_area").get(pk=assessment.pk)
        _check_phase(locked)
        people = _participants(locked, participants)
        visit = SiteVisit.objects.create(
            assessment=locked,
            planned_from=planned_from,
            planned_to=planned_to,
            agenda=agenda,
            other_participants=other_participants,
            created_by=by,
        )
        visit.participants.set(people)
        audit_record(
            actor=by,
            action="site_visit.planned",
            target=visit,
            data={"assessment": locked.pk, "from": planned_from.isoformat(), "to": planned_to.isoformat()},
        )
        emails.planned_email_queue(visit)
    return visit


def visit_record_held(
    *,
    visit: SiteVisit,
    by: User,
    held_from: datetime.date,
    held_to: datetime.date | None = None,
    notes: str = "",
    participants: Iterable[User | int] | None = None,
    other_participants: str | None = None,
) -> SiteVisit:
    """Record that the visit took place (planned → held), with its dates and the group's notes.

    A held date cannot come before the day the visit was planned, nor after today."""
    _check_allowed(by, visit.assessment)
    held_to = held_to or held_from
    if held_to > timezone.localdate():
        raise DomainError(
            error_codes.DATE_IN_FUTURE, _("A visit is recorded once it has taken place."), field="held_to"
        )
    if held_to < held_from:
        raise DomainError(error_codes.VISIT_DATES_INVALID, _("The last day comes before the first."), field="held_to")
    planned_on = timezone.localdate(visit.created_at)
    if held_from < planned_on:
        raise DomainError(
            error_codes.VISIT_HELD_BEFORE_PLANNED,
            _("The visit was planned on %(date)s; it cannot have been held before that.")
            % {"date": planned_on.isoformat()},
            field="held_from",
        )
    notes = clean_notes(notes)
    changes: dict[str, Any] = {"held_from": held_from, "held_to": held_to, "notes": notes}
    if other_participants is not None:
        changes["other_participants"] = clean_other_participants(other_participants)
    with transaction.atomic():
        # The dates are written first (a held visit without them breaks a constraint); when the move
        # is refused below, the transaction takes them back.
        SiteVisit.objects.filter(pk=visit.pk, status=VisitStatus.PLANNED).update(**changes)
        if participants is not None:
            visit.participants.set(_participants(visit.assessment, participants))
        workflow.transition(visit, VisitStatus.HELD, by=by)
    for name, value in changes.items():
        setattr(visit, name, value)
    return visit


def visit_cancel(*, visit: SiteVisit, by: User, reason: str) -> SiteVisit:
    return workflow.transition(visit, VisitStatus.CANCELLED, by=by, reason=reason)


def visit_notes_release(*, visit: SiteVisit, by: User) -> SiteVisit:
    """Let the site team read the group's notes (they read the rest of the visit from the start)."""
    _check_allowed(by, visit.assessment)
    with transaction.atomic():
        locked = SiteVisit.objects.select_for_update().get(pk=visit.pk)
        if locked.notes_released_at is not None:
            raise Conflict(error_codes.VISIT_NOTES_ALREADY_RELEASED, _("The notes were released already."))
        if locked.status != VisitStatus.HELD:
            raise Conflict(error_codes.VISIT_NOT_HELD, _("Notes are released once the visit was held."))
        locked.notes_released_at = timezone.now()
        locked.save(update_fields=["notes_released_at"])
        audit_record(actor=by, action="site_visit.notes_released", target=locked, data={})
    visit.notes_released_at = locked.notes_released_at
    return visit


def visit_evidence_add(
    *,
    visit: SiteVisit,
    by: User,
    file: File[Any] | None,
    title: str = "",
    indicators: Iterable[Indicator | int] = (),
) -> EvidenceItem:
    """Add a photo or GPS track taken on a held visit as evidence of the assessment, through the
    evidence app's upload and pipeline (type checks, facts, thumbnails, location), dated the day the
    visit began and linked to `indicators`, so reviewers find it beside them."""
    _check_allowed(by, visit.assessment)
    with transaction.atomic():
        locked = SiteVisit.objects.select_for_update().select_related("assessment").get(pk=visit.pk)
        if locked.status != VisitStatus.HELD:
            raise Conflict(error_codes.VISIT_NOT_HELD, _("Photos and tracks are added once the visit was held."))
        _check_phase(locked.assessment)
        item = evidence_upload(
            assessment=locked.assessment,
            user=by,
            file=file,
            title=title,
            indicators=indicators,
            evidence_date=locked.held_from,
            gathered_by_group=True,
        )
        locked.evidence.add(item)
        audit_record(actor=by, action="site_visit.evidence_added", target=locked, data={"evidence": item.pk})
    return item
