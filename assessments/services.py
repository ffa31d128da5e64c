"""Writes for assessments: start a cycle (optionally from the previous one) and save answers.

Phase changes are not here: they go through `assessments.workflow.transition`.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import rules
from accounts.models import User
from audit.services import audit_record
from core.errors import Conflict, DomainError, NotAllowed
from core.limits import max_length
from core.text import too_long_message
from protected_areas.models import ProtectedArea
from standards.selectors import indicator_set_for

from . import error_codes, selectors
from .models import ACTION_MAX, JUSTIFICATION_MAX, Answer, Assessment
from .signals import ratings_changed

ANSWER_FIELDS = ("rating", "justification", "evidence_date", "action_text", "action_owner", "action_due")
COPIED_FIELDS = ANSWER_FIELDS


class AnswerConflict(Conflict):
    """Someone saved this answer since the client loaded it; `current` is what they saved."""

    def __init__(self, current: Answer):
        # Two whole sentences: "someone else" is not a name to put into the named one.
        if current.updated_by:
            message = _(
                "This indicator was changed by %(who)s while you were editing. Your text is kept: "
                "compare it with theirs and save again."
            ) % {"who": current.updated_by.get_full_name()}
        else:
            message = _(
                "This indicator was changed by someone else while you were editing. Your text is kept: "
                "compare it with theirs and save again."
            )
        super().__init__(error_codes.ANSWER_CHANGED, message)
        self.current = current


class CycleStillOpen(Conflict):
    """A new cycle of a site whose current cycle is not decided yet; `open_cycle` is that cycle."""

    def __init__(self, open_cycle: Assessment):
        super().__init__(
            error_codes.CYCLE_STILL_OPEN,
            _(
                "Cycle %(cycle)s (%(year)s) of %(site)s is still open (“%(phase)s”): continue it; a new cycle "
                "can start once it is decided."
            )
            % {
                "cycle": open_cycle.cycle,
                "year": open_cycle.year,
                "site": open_cycle.protected_area.name,
                "phase": open_cycle.get_status_display(),
            },
            field="protected_area",
        )
        self.open_cycle = open_cycle


class AssessmentFrozen(Conflict):
    def __init__(self, assessment: Assessment):
        super().__init__(
            error_codes.ASSESSMENT_FROZEN,
            _("The assessment is '%(phase)s' and can no longer be edited.")
            % {"phase": assessment.get_status_display()},
        )


def _check_year(year: Any) -> int:
    try:
        number = int(year)
    except (TypeError, ValueError):
        raise DomainError(error_codes.YEAR_INVALID, _("The year must be a number."), field="year")
    this_year = timezone.localdate().year
    if not 2000 <= number <= this_year + 1:
        raise DomainError(
            error_codes.YEAR_INVALID,
            _("The year must be between 2000 and %(last)s.") % {"last": this_year + 1},
            field="year",
        )
    return number


def assessment_create(
    *, protected_area: ProtectedArea, user: User, year: int, previous: Assessment | None = None
) -> Assessment:
    """Start the next cycle for a site, with one empty answer per indicator of the set it uses.

    With `previous`, answers and evidence links are copied from that cycle (matched by indicator
    number, so a newer Standard version still picks up what carries over) and marked carried over.
    """
    if not rules.can_start_assessment(user, protected_area):
        raise NotAllowed(error_codes.NOT_SITE_TEAM, _("Only the site's team can start an assessment of it."))
    year = _check_year(year)
    if previous is not None and previous.protected_area_id != protected_area.pk:
        raise DomainError(
            error_codes.PREVIOUS_OTHER_SITE, _("The previous cycle belongs to another site."), field="previous"
        )
    indicator_set = indicator_set_for(protected_area)
    if indicator_set is None:
        raise DomainError(error_codes.NO_STANDARD, _("No version of the Standard is loaded yet."))
    standard = indicator_set.standard
    with transaction.atomic():
        # Serialise starts for one site so two clicks cannot race for the same cycle number.
        ProtectedArea.objects.select_for_update().filter(pk=protected_area.pk).first()
        # Under the same lock: one open cycle per site. Two open cycles split the team's answers and
        # evidence, and the reviewers would not know which one the site stands by (issue 15).
        current = selectors.open_cycle(protected_area)
        if current is not None:
            raise CycleStillOpen(current)
        # Nor a cycle of a site that another open application covers (assessments.sites, issue 16).
        covering = selectors.open_application_covering(protected_area)
        if covering is not None:
            raise Conflict(
                error_codes.SITE_IN_OPEN_APPLICATION,
                _("%(site)s is covered by the open application of %(main)s: it can start a cycle once that is decided.")
                % {"site": protected_area.name, "main": covering.protected_area.name},
                field="protected_area",
            )
        last = Assessment.objects.filter(protected_area=protected_area).aggregate(m=Max("cycle"))["m"] or 0
        assessment = Assessment.objects.create(
            protected_area=protected_area,
            cycle=last + 1,
            year=year,
            standard=standard,
            adapted_set=indicator_set.adapted_set,
            previous=previous,
            created_by=user,
        )
        indicators = list(standard.indicators.order_by("position"))
        old: dict[str, Answer] = {}
        if previous is not None:
            old = {
                a.indicator.number: a for a in previous.answers.select_related("indicator").prefetch_related("evidence")
            }
        scale_codes = set(standard.rating_codes)
        answers = []
        for indicator in indicators:
            answer = Answer(assessment=assessment, indicator=indicator, updated_by=user)
            prior = old.get(indicator.number)
            if prior is not None:
                for name in COPIED_FIELDS:
                    setattr(answer, name, getattr(prior, name))
                if answer.rating not in scale_codes:
                    answer.rating = ""  # a rating the new version's scale no longer has
                answer.carried_over = True
            answers.append(answer)
        Answer.objects.bulk_create(answers)
        if old:
            through = Answer.evidence.through
            links = [
                through(answer_id=answer.pk, evidenceitem_id=item.pk)
                for answer in answers
                if answer.indicator.number in old
                for item in old[answer.indicator.number].evidence.all()
            ]
            through.objects.bulk_create(links)
        audit_record(
            actor=user,
            action="assessment.created",
            target=assessment,
            data={
                "standard": str(standard),
                "adapted_set": indicator_set.adapted_set.pk if indicator_set.adapted_set else None,
                "previous": previous.pk if previous else None,
            },
        )
    return assessment


def _validate_changes(assessment: Assessment, changes: dict[str, Any]) -> None:
    if "rating" in changes:
        rating = changes["rating"] or ""
        if rating and rating not in assessment.standard.rating_codes:
            allowed = ", ".join(assessment.standard.rating_codes)
            raise DomainError(
                error_codes.RATING_INVALID,
                _("'%(rating)s' is not a rating on this Standard's scale (use one of: %(allowed)s).")
                % {"rating": rating, "allowed": allowed},
                field="rating",
            )
        changes["rating"] = rating
    for name in ("justification", "action_text", "action_owner"):
        if name in changes:
            changes[name] = (changes[name] or "").replace("\r\n", "\n")
    limits = {
        "justification": JUSTIFICATION_MAX,
        "action_text": ACTION_MAX,
        "action_owner": max_length(Answer, "action_owner"),
    }
    for name, limit in limits.items():
        value = changes.get(name) or ""
        if len(value) > limit:
            code = error_codes.JUSTIFICATION_TOO_LONG if name == "justification" else error_codes.FIELD_TOO_LONG
            raise DomainError(code, too_long_message(len(value), limit), field=name)
    for name in ("evidence_date", "action_due"):
        if name in changes and changes[name] is not None and not isinstance(changes[name], datetime.date):
            raise DomainError(error_codes.DATE_INVALID, _("Enter a date as YYYY-MM-DD."), field=name)
    if "evidence_date" in changes and changes["evidence_date"] and changes["evidence_date"] > timezone.localdate():
        raise DomainError(
            error_codes.DATE_IN_FUTURE, _("The evidence cannot refer to a date in the future."), field="evidence_date"
        )


def _evidence_items(assessment: Assessment, user: User, ids: Iterable[int]) -> list[Any]:
    """The items to link: evidence of the same site (any cycle) that `user` may see (the evidence
    app's one visibility rule, `visible_to`, reached through the answer's own key: assessments sits
    below evidence and does not import it).

    An id that does not exist and an id of another site's item get the same answer, which names
    no item: the red team read another site's evidence titles, and told existing ids from missing
    ones, through the message that said which item belonged elsewhere (issue 12)."""
    wanted = list(dict.fromkeys(ids))
    # evidence.EvidenceItem, which mypy cannot name here either: Any.
    evidence_item: Any = Answer._meta.get_field("evidence").related_model
    items = list(
        evidence_item.objects.visible_to(user).filter(
            pk__in=wanted, assessment__protected_area_id=assessment.protected_area_id
        )
    )
    if len(items) != len(wanted):
        raise DomainError(
            error_codes.EVIDENCE_NOT_FOUND,
            _("Some of the evidence items do not exist or are not evidence of this site."),
            field="evidence",
        )
    return items


def answer_save(*, answer: Answer, user: User, expected_version: int, changes: dict[str, Any]) -> Answer:
    """Save the given fields of one answer if nobody saved it since `expected_version`.

    Only the fields present in `changes` change. `evidence`, if present, is the full list of
    linked evidence item ids.
    """
    changes = dict(changes)
    evidence_ids = changes.pop("evidence", None)
    unknown = set(changes) - set(ANSWER_FIELDS)
    if unknown:
        raise DomainError(
            error_codes.UNKNOWN_FIELD, _("Unknown field(s): %(fields)s.") % {"fields": ", ".join(sorted(unknown))}
        )
    with transaction.atomic():
        assessment = (
            Assessment.objects.select_for_update(of=("self",)).select_related("standard").get(pk=answer.assessment_id)
        )
        if not rules.can_edit_assessment(user, assessment):
            raise NotAllowed(error_codes.NOT_SITE_TEAM, _("Only the site's team can edit this assessment."))
        if not assessment.is_editable:
            raise AssessmentFrozen(assessment)
        current = Answer.objects.select_for_update(of=("self",)).select_related("updated_by").get(pk=answer.pk)
        if current.version != expected_version:
            raise AnswerConflict(current)
        _validate_changes(assessment, changes)
        items = _evidence_items(assessment, user, evidence_ids) if evidence_ids is not None else None
        before = {name: getattr(current, name) for name in changes}
        for name, value in changes.items():
            setattr(current, name, value)
        current.version += 1
        current.updated_by = user
        current.save()
        if items is not None:
            current.evidence.set(items)
        ratings_changed.send(sender=Answer, assessment_id=assessment.pk)  # scoring: rescore after commit
        changed = sorted(name for name in changes if before[name] != changes[name])
        audit_record(
            actor=user,
            action="answer.saved",
            target=current,
            data={
                "assessment": assessment.pk,
                "version": current.version,
                "changed": changed,
                "rating": current.rating,
                **({"evidence": sorted(i.pk for i in items)} if items is not None else {}),
            },
        )
    return current
