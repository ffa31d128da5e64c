"""Writes of the IUCN Green List Panel (issue 16): the secretariat opens a case, each member
declares conflicts of interest and votes, and the chair (or the secretariat) records the Panel's
decision once its rule is met, through `services.decision_record` (certificate, PDF and notices
as before). Nobody decides alone: the single-person decision is gone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts import rules as account_rules
from accounts.models import User
from assessments.models import Assessment
from audit.services import audit_record
from core.errors import Conflict, DomainError, NotAllowed
from core.outbox import queue_email
from core.text import clean_text
from reviews.selectors import conflict_warnings

from . import conditions as listing_conditions
from . import error_codes, rules, selectors, services
from .choices import DEFERRED, Outcome, PanelCaseStatus, PanelCoi, PanelVoteChoice
from .models import ORIGIN_PANEL, TEXT_MAX, PanelCase, PanelSeat, PanelVote


def _text(value: object, field: str, label: str, *, required: bool = False) -> str:
    # `label` names the field in logs and tests; the message is the reader's language's.
    return clean_text(
        value,
        field=field,
        limit=TEXT_MAX,
        required=required,
        required_code=error_codes.REASONS_REQUIRED,
        too_long_code=error_codes.FIELD_TOO_LONG,
    )


def panel_case_open(*, assessment: Assessment, by: User, members: Iterable[User]) -> PanelCase:
    """The secretariat puts a confirmed recommendation before the Panel, naming who sits.

    Each member must hold the Panel role today and must not have taken part in the assessment's
    review (ISO/IEC 17065). The experts' automatic conflict warnings are looked for on each
    member: a member with any sits conflicted from the start (no vote, no sight of the votes).
    Each member is e-mailed, in their language, after the commit."""
    if not account_rules.can_open_panel_case(by):
        raise NotAllowed(error_codes.PANEL_NOT_STAFF, _("Only IUCN staff (the secretariat) open Panel cases."))
    people = list({m.pk: m for m in members}.values())
    if not people:
        raise DomainError(error_codes.PANEL_MEMBERS_REQUIRED, _("Name the Panel members who sit."), field="members")
    for person in people:
        if not account_rules.is_panel_member(person):
            raise DomainError(
                error_codes.PANEL_NOT_MEMBER,
                _("%(person)s is not a Green List Panel member.") % {"person": person},
                field="members",
            )
    with transaction.atomic():
        locked = (
            Assessment.objects.select_for_update(of=("self",)).select_related("protected_area").get(pk=assessment.pk)
        )
        if locked.status not in services.DECIDABLE:
            raise Conflict(
                error_codes.ASSESSMENT_NOT_RECOMMENDED,
                _(
                    "Only an assessment whose recommendation the independent reviewer confirmed goes to the Panel; "
                    "this one is '%(phase)s'."
                )
                % {"phase": locked.get_status_display()},
            )
        reviewers = selectors.assessment_reviewer_ids(locked)
        for person in people:
            if person.pk in reviewers:
                raise DomainError(
                    error_codes.PANEL_MEMBER_REVIEWED,
                    _("%(person)s took part in the review of this assessment and cannot sit on its case.")
                    % {"person": person},
                    field="members",
                )
        if PanelCase.objects.filter(assessment=locked, status=PanelCaseStatus.OPEN).exists():
            raise Conflict(error_codes.PANEL_CASE_OPEN_ALREADY, _("This assessment already has an open Panel case."))
        try:
            with transaction.atomic():
                case = PanelCase.objects.create(assessment=locked, opened_by=by)
        except IntegrityError:  # opened by someone else a moment ago
            raise Conflict(error_codes.PANEL_CASE_OPEN_ALREADY, _("This assessment already has an open Panel case."))
        now = timezone.now()
        seats = []
        for person in people:
            warnings = conflict_warnings(assessment=locked, user=person)
            seats.append(
                PanelSeat.objects.create(
                    case=case,
                    user=person,
                    is_chair=account_rules.chairs_panel(person),
                    warnings=warnings,
                    # Excluded automatically: the same warnings that staff weigh for an expert.
                    coi_status=PanelCoi.CONFLICT if warnings else PanelCoi.PENDING,
                    coi_note="; ".join(w["detail"] for w in warnings),
                    coi_declared_at=now if warnings else None,
                )
            )
        audit_record(
            actor=by,
            action="panel.case_opened",
            target=case,
            data={
                "assessment": locked.pk,
                "members": [s.user.email for s in seats],
                "conflicted": [s.user.email for s in seats if s.coi_status == PanelCoi.CONFLICT],
            },
        )
        for seat in seats:
            _email_member(seat)
    return case


def _email_member(seat: PanelSeat) -> None:
    context = {
        "case": seat.case,
        "area": seat.case.assessment.protected_area,
        "seat": seat,
        "link": f"{settings.SITE_URL}{seat.case.get_absolute_url()}",
    }
    with translation.override(seat.user.language):
        subject = render_to_string("certification/email/panel_case_subject.txt", context).strip()
        body = render_to_string("certification/email/panel_case.txt", context)
    queue_email(
        kind="certification.panel_case",
        to=[seat.user.email],
        subject=subject,
        body=body,
        dedupe_key=f"panel_case:{seat.case_id}:{seat.user_id}",
    )


def _seat_for(case: PanelCase, user: User) -> PanelSeat:
    seat = PanelSeat.objects.select_for_update().filter(case=case, user_id=user.pk).first()
    if seat is None:
        raise NotAllowed(error_codes.PANEL_NOT_MEMBER, _("You do not sit on this Panel case."))
    return seat


def _check_open(case: PanelCase) -> None:
    if case.status != PanelCaseStatus.OPEN:
        raise Conflict(
            error_codes.PANEL_CASE_CLOSED,
            _("This Panel case is closed (%(status)s).") % {"status": case.get_status_display()},
        )


def _lock(case: PanelCase) -> PanelCase:
    return PanelCase.objects.select_for_update().get(pk=case.pk)


def panel_declare(*, case: PanelCase, by: User, has_conflict: bool, note: str = "") -> PanelSeat:
    """A member's declaration of conflicts of interest on the case, once, before voting."""
    note = _text(note, "note", "A description of the conflict", required=bool(has_conflict))
    with transaction.atomic():
        locked = _lock(case)
        seat = _seat_for(locked, by)  # who may act at all first (403), then the case's state (409)
        _check_open(locked)
        if seat.coi_status != PanelCoi.PENDING:
            raise Conflict(
                error_codes.PANEL_COI_DECLARED,
                _("Already declared on this case: %(declaration)s.") % {"declaration": seat.get_coi_status_display()},
            )
        seat.coi_status = PanelCoi.CONFLICT if has_conflict else PanelCoi.NO_CONFLICT
        seat.coi_note = note
        seat.coi_declared_at = timezone.now()
        seat.save(update_fields=["coi_status", "coi_note", "coi_declared_at"])
        audit_record(
            actor=by, action="panel.coi_declared", target=seat, data={"case": locked.pk, "conflict": bool(has_conflict)}
        )
    return seat


def panel_vote(*, case: PanelCase, by: User, choice: str, reasons: str, conditions: str = "") -> PanelVote:
    """A member's vote with reasons (changeable while the case is open). Refused to anyone not
    sitting, to a conflicted member, to one who has not declared, to one who reviewed."""
    if choice not in PanelVoteChoice.values:
        raise DomainError(
            error_codes.PANEL_VOTE_INVALID, _("Unknown vote '%(choice)s'.") % {"choice": choice}, field="choice"
        )
    reasons = _text(reasons, "reasons", "The reasons for the vote", required=True)
    needs_conditions = choice == PanelVoteChoice.GRANT_WITH_CONDITIONS
    conditions = _text(conditions, "conditions", "The conditions", required=needs_conditions)
    if conditions and not needs_conditions:
        raise DomainError(
            error_codes.PANEL_VOTE_INVALID, _("Conditions only go with a grant with conditions."), field="conditions"
        )
    with transaction.atomic():
        locked = _lock(case)
        seat = _seat_for(locked, by)
        _check_open(locked)
        if seat.coi_status == PanelCoi.CONFLICT:
            raise NotAllowed(error_codes.PANEL_CONFLICTED, _("You are conflicted on this case, so you do not vote."))
        if seat.coi_status == PanelCoi.PENDING:
            raise Conflict(error_codes.PANEL_COI_PENDING, _("Declare your conflicts of interest before you vote."))
        if not rules.can_vote_on_case(by, locked, seat):
            raise NotAllowed(error_codes.PANEL_NOT_MEMBER, _("You are no longer a Green List Panel member."))
        if by.pk in selectors.assessment_reviewer_ids(locked.assessment):
            raise NotAllowed(
                error_codes.PANEL_MEMBER_REVIEWED,
                _("You took part in the review of this assessment, so you do not vote."),
            )
        vote, _created = PanelVote.objects.update_or_create(
            seat=seat, defaults={"choice": choice, "reasons": reasons, "conditions": conditions}
        )
        audit_record(actor=by, action="panel.vote", target=vote, data={"case": locked.pk, "choice": choice})
    return vote


def _panel_reasons(case: PanelCase, tally: selectors.PanelTally) -> str:
    """The decision's internal reasons: the count, then each vote's reasons (members by name)."""
    votes = PanelVote.objects.filter(seat__case=case, seat__coi_status=PanelCoi.NO_CONFLICT).select_related(
        "seat__user"
    )
    lines = [
        f"Green List Panel, case {case.pk}: {tally.cast} vote(s) of {tally.clear} member(s) free of conflict "
        f"({tally.conflicted} conflicted); rule '{tally.rule}', quorum {tally.quorum}.",
        *(f"- {v.seat.user}: {v.get_choice_display()}. {v.reasons}" for v in votes.order_by("seat__user__email")),
    ]
    return "\n".join(lines)[:TEXT_MAX]


def panel_case_close(
    *,
    case: PanelCase,
    by: User,
    public_summary: str = "",
    conditions: str = "",
    condition_items: Iterable[Mapping[str, Any]] | None = None,
) -> PanelCase:
    """Record the Panel's decision when its rule is met: the chair (or the secretariat) writes
    the public summary and the grant's conditions. A majority to defer closes the case with no
    decision. Refused without quorum or majority.

    `condition_items` (issue 16): the grant's conditions as structured items (text, due_on,
    checked_by), attached to the new certificate (certification.conditions); `Decision.conditions`
    then keeps a readable summary of them. Every row is checked before anything is saved; an empty
    list is a grant without conditions. Without them (None), the free text `conditions` is kept as
    before (by default the conditions the members proposed)."""
    public_summary = _text(public_summary, "public_summary", "The public summary")
    conditions = _text(conditions, "conditions", "The conditions")
    rows: list[listing_conditions.ConditionRow] | None = None
    if condition_items is not None:
        today = timezone.localdate()
        rows = listing_conditions.condition_rows_clean(
            list(condition_items),
            expires_on=today + relativedelta(years=settings.CERTIFICATE_VALID_YEARS),
            today=today,
        )
    with transaction.atomic():
        locked = _lock(case)
        seat = PanelSeat.objects.filter(case=locked, user_id=by.pk).first()
        if not rules.can_close_panel_case(by, locked, seat):
            raise NotAllowed(
                error_codes.PANEL_NOT_CLOSER, _("The Panel's chair (or IUCN staff) records the Panel's decision.")
            )
        _check_open(locked)
        tally = selectors.panel_tally(locked)
        if not tally.quorum_met:
            raise Conflict(
                error_codes.PANEL_NO_QUORUM,
                _("No quorum: %(cast)s member(s) free of conflict voted; the Panel needs %(quorum)s.")
                % {"cast": tally.cast, "quorum": tally.quorum},
            )
        outcome = tally.outcome
        if outcome is None:
            raise Conflict(
                error_codes.PANEL_NO_MAJORITY, _("The votes cast meet no '%(rule)s' rule yet.") % {"rule": tally.rule}
            )
        locked.closed_by, locked.closed_at = by, timezone.now()
        if outcome == DEFERRED:
            locked.status = PanelCaseStatus.DEFERRED
            locked.save(update_fields=["status", "closed_by", "closed_at"])
            audit_record(actor=by, action="panel.case_deferred", target=locked, data={"cast": tally.cast})
            return locked
        if rows and outcome != Outcome.GRANTED:
            raise DomainError(
                error_codes.CONDITIONS_ONLY_WITH_GRANT,
                _("Conditions only go with a grant; the Panel's votes do not grant."),
                field="condition_items",
            )
        if rows is not None:
            language = selectors.site_team_language(locked.assessment.protected_area)
            conditions = listing_conditions.conditions_summary(rows, language=language)
        elif outcome == Outcome.GRANTED and not conditions and tally.with_conditions:
            conditions = "\n".join(
                PanelVote.objects.filter(seat__case=locked, choice=PanelVoteChoice.GRANT_WITH_CONDITIONS).values_list(
                    "conditions", flat=True
                )
            )[:TEXT_MAX]
        decision = services.decision_record(
            assessment=locked.assessment,
            user=by,
            outcome=outcome,
            reasons=_panel_reasons(locked, tally),
            conditions=conditions,
            public_summary=public_summary,
            panel_case=locked,
        )
        if rows:
            listing_conditions.conditions_create_for_decision(decision=decision, rows=rows, by=by, origin=ORIGIN_PANEL)
        locked.status, locked.decision = PanelCaseStatus.DECIDED, decision
        locked.save(update_fields=["status", "decision", "closed_by", "closed_at"])
        audit_record(
            actor=by,
            action="panel.case_decided",
            target=locked,
            data={"decision": decision.pk, "outcome": outcome, "votes": tally.by_choice},
        )
    return locked
