"""Moving a running assessment to another published version of the Standard (issue 14).

A version with mistakes is corrected by publishing a new one; assessments that are still being
filled in should not have to finish against the wrong text. IUCN staff move them; a submitted
assessment never changes version (what was submitted is what was reviewed).

Answers follow `Indicator.lineage`, the key of an indicator's meaning across versions, not its
number (numbers change when indicators are inserted or moved; a changed meaning gets a new lineage):

- a target indicator whose lineage an answered source indicator shares: the SAME Answer row is
  re-pointed at it (its id, evidence links, version counter and audit history stay): "carried", or
  "carried_reworded" when the words the site team answered changed;
- a target indicator with no counterpart: a fresh empty answer, "needs_answer";
- a source answer whose lineage the target lacks: "dropped": its whole content is copied into an
  `ArchivedAnswer` before the live row is deleted, so nothing is lost while the page and the scores
  stop counting it.

`version_move_preview` computes the report without writing; `version_move` writes it under the
assessment's row lock, the lock answer saves and phase changes take, so no answer is saved to a row
half-moved and no submission slips in between the check and the move.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from accounts import rules
from accounts.models import User
from accounts.types import Person
from audit.services import audit_record
from core.errors import Conflict, DomainError, NotAllowed
from standards.models import AdaptedIndicator, AdaptedIndicatorSet, Indicator, Standard
from standards.selectors import adaptations

from . import error_codes
from .choices import Status
from .models import Answer, ArchivedAnswer, Assessment, AssessmentVersionMove
from .signals import ratings_changed

Outcome = AssessmentVersionMove.Outcome
# evidence.EvidenceItem, through the answer's own key: assessments sits below evidence.
EVIDENCE_MODEL: Any = Answer._meta.get_field("evidence").related_model
# Never submitted: the two phases before the first submission (a returned assessment, "changes
# requested", was submitted once and reviewed against its version).
MOVABLE_STATUSES = frozenset({Status.APPLICATION, Status.CANDIDATE})
ARCHIVED_FIELDS = (
    "rating",
    "justification",
    "evidence_date",
    "action_text",
    "action_owner",
    "action_due",
    "carried_over",
    "version",
    "updated_by",
    "updated_at",
)


@dataclass
class MovePlan:
    """What a move does, indicator by indicator (`lines`, the report), before anything is written."""

    assessment: Assessment
    target: Standard
    adapted_set: AdaptedIndicatorSet | None
    lines: list[dict[str, Any]] = field(default_factory=list)
    # Not in the report: what the writer needs.
    carry: list[tuple[Answer, Indicator]] = field(default_factory=list)
    fresh: list[Indicator] = field(default_factory=list)
    drop: list[Answer] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(Outcome.values, 0)
        for line in self.lines:
            counts[line["outcome"]] += 1
        return counts


def movable_problem(assessment: Assessment) -> DomainError | None:
    """Why this assessment may not move at all (whatever the target), or None."""
    if assessment.submitted_at is not None or assessment.status not in MOVABLE_STATUSES:
        return Conflict(
            error_codes.ASSESSMENT_SUBMITTED_KEEPS_VERSION,
            _(
                "This assessment is “%(phase)s”: an assessment that was submitted keeps the version of the "
                "Standard it was submitted against. Only assessments never submitted can move."
            )
            % {"phase": assessment.get_status_display()},
        )
    return None


def targets_for(assessment: Assessment) -> list[Standard]:
    """The versions an assessment may move to: published, of the same Standard, not its own."""
    return list(
        Standard.objects.filter(code=assessment.standard.code, status=Standard.Status.PUBLISHED)
        .exclude(pk=assessment.standard_id)
        .order_by("-published_at", "-id")
    )


def _check_target(assessment: Assessment, target: Standard) -> None:
    if target.status != Standard.Status.PUBLISHED:
        raise DomainError(
            error_codes.VERSION_TARGET_INVALID,
            _("Version %(v)s is a draft: an assessment can only move to a published version.") % {"v": target.version},
            field="standard",
        )
    if target.code != assessment.standard.code:
        raise DomainError(
            error_codes.VERSION_TARGET_INVALID,
            _("%(target)s is another Standard than %(own)s.") % {"target": target, "own": assessment.standard},
            field="standard",
        )
    if target.pk == assessment.standard_id:
        raise DomainError(
            error_codes.VERSION_TARGET_INVALID,
            _("The assessment already uses version %(v)s.") % {"v": target.version},
            field="standard",
        )


def adapted_set_for(assessment: Assessment, target: Standard) -> AdaptedIndicatorSet | None:
    """The approved adapted set of the site's jurisdiction for `target`, as a new assessment would
    get (standards.selectors.indicator_set_for, for one given version), or None: generic indicators."""
    area = assessment.protected_area
    countries = sorted(set(area.parent_iso3 or []) | set(area.iso3 or []))
    if not countries:
        return None
    return (
        AdaptedIndicatorSet.objects.filter(
            standard=target, status=AdaptedIndicatorSet.Status.APPROVED, jurisdiction__countries__overlap=countries
        )
        .select_related("jurisdiction")
        .order_by("-approved_on", "-id")
        .first()
    )


def _wording(indicator: Indicator, adapted: dict[int, AdaptedIndicator]) -> tuple[str, str]:
    """What the site team answered: the indicator's title and its text as their set words it."""
    adaptation = adapted.get(indicator.pk)
    text = adaptation.text if adaptation is not None else indicator.text
    return indicator.title.strip(), " ".join(text.split())


def _plan(assessment: Assessment, target: Standard) -> MovePlan:
    adapted_set = adapted_set_for(assessment, target)
    plan = MovePlan(assessment=assessment, target=target, adapted_set=adapted_set)
    answers = list(
        Answer.objects.filter(assessment=assessment)
        .select_related("indicator", "updated_by")
        .prefetch_related(Prefetch("evidence", queryset=EVIDENCE_MODEL.objects.only("id")))
        .order_by("indicator__position")
    )
    by_lineage = {answer.indicator.lineage: answer for answer in answers}
    old_words, new_words = adaptations(assessment.adapted_set), adaptations(adapted_set)
    scale = set(target.rating_codes)
    targets = list(Indicator.objects.filter(standard=target).order_by("position"))
    kept = set()
    for indicator in targets:
        answer = by_lineage.get(indicator.lineage)
        line: dict[str, Any] = {
            "number_from": None,
            "number_to": indicator.number,
            "lineage": indicator.lineage,
            "title": indicator.title,
            "answer": None,
            "rating_cleared": None,
        }
        if answer is None:
            line["outcome"] = Outcome.NEEDS_ANSWER.value
            plan.fresh.append(indicator)
        else:
            kept.add(answer.pk)
            reworded = _wording(answer.indicator, old_words) != _wording(indicator, new_words)
            line.update(
                number_from=answer.indicator.number,
                answer=answer.pk,
                outcome=(Outcome.CARRIED_REWORDED if reworded else Outcome.CARRIED).value,
            )
            if answer.rating and answer.rating not in scale:
                # The new scale has no such rating: the answer keeps its words, the team rates again.
                line["rating_cleared"] = answer.rating
            plan.carry.append((answer, indicator))
        plan.lines.append(line)
    for answer in answers:
        if answer.pk not in kept:
            plan.drop.append(answer)
            plan.lines.append(
                {
                    "number_from": answer.indicator.number,
                    "number_to": None,
                    "lineage": answer.indicator.lineage,
                    "title": answer.indicator.title,
                    "answer": answer.pk,
                    "rating_cleared": None,
                    "outcome": Outcome.DROPPED.value,
                }
            )
    return plan


def version_move_preview(assessment: Assessment, target: Standard) -> MovePlan:
    """The report of moving `assessment` to `target`, computed without writing anything (the dry
    run the page and the API show before the move). Refuses as the move would."""
    problem = movable_problem(assessment)
    if problem is not None:
        raise problem
    _check_target(assessment, target)
    return _plan(assessment, target)


def _refuse_if_reviewed(drop: list[Answer]) -> None:
    """A dropped answer's live row is deleted; if anything else points at it (an expert's review, a
    request for information: apps above this one), deleting would take that with it. A never
    submitted assessment has none; this makes sure rather than trusts it."""
    ids = [answer.pk for answer in drop]
    if not ids:
        return
    for relation in Answer._meta.related_objects:
        if relation.many_to_many or relation.related_model is Answer:
            continue
        linked = relation.related_model._default_manager.filter(**{f"{relation.field.name}__in": ids})
        if linked.exists():
            raise Conflict(
                error_codes.VERSION_MOVE_ANSWER_REVIEWED,
                _("Some answers this move would drop already have review records; the assessment cannot move."),
            )


def version_move(assessment: Assessment, target: Standard, *, by: User) -> AssessmentVersionMove:
    """Move `assessment` to the published version `target` (see the module's docstring), in one
    transaction; returns the move with its report."""
    if not rules.can_move_assessment_version(by):
        raise NotAllowed(
            error_codes.VERSION_MOVE_NOT_ALLOWED, _("Only IUCN staff can move an assessment to another version.")
        )
    with transaction.atomic():
        # The lock answer saves and phase changes take: checked and moved with nothing in between.
        locked = (
            Assessment.objects.select_for_update(of=("self",))
            .select_related("protected_area", "standard", "adapted_set")
            .get(pk=assessment.pk)
        )
        target = Standard.objects.get(pk=target.pk)
        plan = version_move_preview(locked, target)
        _refuse_if_reviewed(plan.drop)
        move = AssessmentVersionMove.objects.create(
            assessment=locked,
            from_standard=locked.standard,
            to_standard=target,
            from_adapted_set=locked.adapted_set,
            to_adapted_set=plan.adapted_set,
            by=by,
            report=plan.lines,
        )
        ArchivedAnswer.objects.bulk_create(
            ArchivedAnswer(
                assessment=locked,
                move=move,
                indicator=answer.indicator,
                answer_id=answer.pk,
                number=answer.indicator.number,
                title=answer.indicator.title,
                evidence_ids=sorted(item.pk for item in answer.evidence.all()),
                **{name: getattr(answer, name) for name in ARCHIVED_FIELDS},
            )
            for answer in plan.drop
        )
        # Only then the live rows (their evidence links go with them; the items stay in the library).
        Answer.objects.filter(pk__in=[answer.pk for answer in plan.drop]).delete()
        scale = set(target.rating_codes)
        carried = []
        for answer, indicator in plan.carry:
            answer.indicator = indicator
            if answer.rating and answer.rating not in scale:
                answer.rating = ""
            # The indicator under the answer changed: a page loaded before the move gets a conflict on
            # save (and reloads the new text) rather than saving over it unseen.
            answer.version += 1
            carried.append(answer)
        Answer.objects.bulk_update(carried, ["indicator", "rating", "version"])
        fresh = Answer.objects.bulk_create(
            Answer(assessment=locked, indicator=indicator, updated_by=None) for indicator in plan.fresh
        )
        # The report links every answer to write, the new ones too (their ids exist only now).
        new_ids = {answer.indicator.lineage: answer.pk for answer in fresh}
        for line in plan.lines:
            if line["outcome"] == Outcome.NEEDS_ANSWER:
                line["answer"] = new_ids[line["lineage"]]
        move.report = plan.lines
        move.save(update_fields=["report"])
        locked.standard = target
        locked.adapted_set = plan.adapted_set
        locked.save(update_fields=["standard", "adapted_set", "updated_at"])
        counts = plan.counts
        audit_record(
            actor=by,
            action="assessment.version_moved",
            target=locked,
            data={
                "move": move.pk,
                "from": str(move.from_standard),
                "to": str(target),
                "from_adapted_set": move.from_adapted_set_id,
                "to_adapted_set": move.to_adapted_set_id,
                "archived": [answer.pk for answer in plan.drop],
                **counts,
            },
        )
        ratings_changed.send(sender=Answer, assessment_id=locked.pk)  # scoring: rescore after commit
    assessment.standard, assessment.adapted_set = locked.standard, locked.adapted_set
    return move


def with_indicators(lines: list[dict[str, Any]], from_standard_id: int, to_standard_id: int) -> list[dict[str, Any]]:
    """The report's lines, each with its indicator's row (`row`: of the version moved to, or for a
    dropped one of the version left), for pages that show titles in the reader's language; the
    report itself keeps the English title it was written with (one query)."""
    rows = {
        (row.standard_id, row.lineage): row
        for row in Indicator.objects.filter(standard_id__in=[from_standard_id, to_standard_id])
    }
    return [
        {**line, "row": rows.get((to_standard_id if line["number_to"] else from_standard_id, line["lineage"]))}
        for line in lines
    ]


def moves_of(assessment: Assessment) -> list[AssessmentVersionMove]:
    return list(
        AssessmentVersionMove.objects.filter(assessment=assessment)
        .select_related("from_standard", "to_standard", "by")
        .order_by("-at", "-id")
    )


def check_may_view_moves(user: Person, assessment: Assessment) -> None:
    if not rules.can_view_version_moves(user, assessment):
        raise NotAllowed(
            error_codes.VERSION_MOVES_NOT_VISIBLE,
            _("Only IUCN staff and the site's team can see the version moves of this assessment."),
        )
