"""Reads for assessments: what a person may see, what is missing, and the assessment page."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from accounts.types import Person
from protected_areas.models import ProtectedArea
from standards.models import Component, Criterion, Standard
from standards.selectors import adaptations

from .models import Answer, Assessment, AssessmentTransition
from .workflow import CLOSED_STATUSES


def get_assessment_for_user(user: Person, pk: int | str) -> Assessment:
    """The assessment if this person may see it (`Assessment.objects.visible_to`), else 404 (they
    need not know it exists). The one lookup of an assessment for a person: its pages, the review
    page and forms, the reports, evidence and certification pages, and the API's detail views all
    call it, so every path gives the same answer."""
    try:
        return (
            Assessment.objects.visible_to(user)
            .select_related("protected_area", "standard", "adapted_set__jurisdiction", "created_by")
            .get(pk=pk)
        )
    except (Assessment.DoesNotExist, ValueError, TypeError):
        raise Http404("No such assessment.")


def assessments_for(user: Person) -> QuerySet[Assessment]:
    """The list page: each assessment with its answered count (one query)."""
    return (
        Assessment.objects.visible_to(user)
        .select_related("protected_area", "standard")
        .annotate(
            n_answers=Count("answers"),
            n_rated=Count("answers", filter=~Q(answers__rating="")),
        )
        .order_by("protected_area__name", "-cycle")
    )


def scale_by_code(standard: Standard) -> dict[str, dict[str, Any]]:
    return {r["code"]: r for r in standard.localized_scale()}


def answer_problems(answer: Answer, scale: dict[str, dict[str, Any]]) -> list[str]:
    """What keeps this answer from being submitted, in words for the site team."""
    rating = scale.get(answer.rating) if answer.rating else None
    if not answer.rating:
        return ["No rating yet."]
    if rating is None:
        return [f"The rating '{answer.rating}' is not on this Standard's scale."]
    problems = []
    if not rating.get("allowed_on_submit"):
        problems.append(f"Rated '{rating['label']}', which cannot be submitted: choose a rating.")
    if rating.get("requires_justification") and not answer.justification.strip():
        problems.append("The justification is missing.")
    if rating.get("requires_action"):
        if not answer.action_text.strip():
            problems.append("The action (what will be done) is missing.")
        if not answer.action_owner.strip():
            problems.append("The action's owner (who) is missing.")
        if answer.action_due is None:
            problems.append("The action's due date (by when) is missing.")
    return problems


def is_answered(answer: Answer, scale: dict[str, dict[str, Any]]) -> bool:
    rating = scale.get(answer.rating)
    return bool(rating and rating.get("allowed_on_submit"))


def missing_for_submission(assessment: Assessment, *, with_indicators: bool = False) -> list[dict[str, Any]]:
    """What keeps each answer from being submitted, as plain data (the submission guard sends it in
    the API's error). `with_indicators`: each entry also holds its Indicator row, for a page that
    shows the title in the reader's language (a row is not JSON: the guard does not ask for it)."""
    scale = scale_by_code(assessment.standard)
    missing = []
    answers = Answer.objects.filter(assessment=assessment).select_related("indicator").order_by("indicator__position")
    for answer in answers:
        problems = answer_problems(answer, scale)
        if problems:
            missing.append(
                {
                    "answer": answer.pk,
                    "indicator": answer.indicator.code,
                    "number": answer.indicator.number,
                    "title": answer.indicator.title,
                    "problems": problems,
                    **({"indicator_row": answer.indicator} if with_indicators else {}),
                }
            )
    return missing


@dataclass
class CriterionBlock:
    criterion: Criterion
    answers: list[Answer] = field(default_factory=list)
    answered: int = 0  # answers with a rating the submission accepts (the side list's count)


@dataclass
class ComponentBlock:
    component: Component
    criteria: OrderedDict[int, CriterionBlock] = field(default_factory=OrderedDict)


def page_answers(assessment: Assessment) -> QuerySet[Answer]:
    return (
        Answer.objects.filter(assessment=assessment)
        .select_related("indicator__criterion__component", "updated_by")
        .order_by("indicator__position")
    )


def assessment_page(assessment: Assessment, user: Person) -> dict[str, Any]:
    """Everything the assessment page shows of the assessment itself, in a fixed number of queries.

    Its evidence (each answer's links, the library) is the evidence app's: the page's view adds it
    through `sections.evidence_section`, provided by that app (it sits above assessments).
    """
    scale = scale_by_code(assessment.standard)
    adapted = adaptations(assessment.adapted_set)
    components: OrderedDict[int, ComponentBlock] = OrderedDict()
    answered = 0
    answers = list(page_answers(assessment))
    for answer in answers:
        indicator = answer.indicator
        criterion = indicator.criterion
        block = components.setdefault(criterion.component_id, ComponentBlock(criterion.component))
        criterion_block = block.criteria.setdefault(criterion.pk, CriterionBlock(criterion))
        criterion_block.answers.append(answer)
        answer.adapted = adapted.get(indicator.pk)
        answer.rating_info = scale.get(answer.rating)
        if is_answered(answer, scale):
            answered += 1
            criterion_block.answered += 1
    total = len(answers)
    return {
        "components": [{"component": c.component, "criteria": list(c.criteria.values())} for c in components.values()],
        "answers": answers,
        "answered": answered,
        "total": total,
        "percent": round(100 * answered / total) if total else 0,
        "scale": assessment.standard.scale_for_pages(),
        "transitions": list(
            AssessmentTransition.objects.filter(assessment=assessment).select_related("by").order_by("-at", "-id")
        ),
    }


def previous_cycle(protected_area: ProtectedArea) -> Assessment | None:
    return Assessment.objects.filter(protected_area=protected_area).order_by("-cycle").first()


def open_cycle(protected_area: ProtectedArea) -> Assessment | None:
    """The site's cycle that is not closed yet (there is at most one: assessment_create refuses a second)."""
    return (
        Assessment.objects.filter(protected_area=protected_area)
        .exclude(status__in=CLOSED_STATUSES)
        .order_by("-cycle")
        .first()
    )


def open_application_covering(area: ProtectedArea, *, exclude: int | None = None) -> Assessment | None:
    """The open (not closed) assessment covering `area`, as its main site or an added one
    (assessments.sites explains why there is at most one); `exclude` leaves one assessment out."""
    covering = Assessment.objects.exclude(status__in=CLOSED_STATUSES).filter(
        Q(protected_area=area) | Q(extra_sites__protected_area=area)
    )
    if exclude is not None:
        covering = covering.exclude(pk=exclude)
    return covering.order_by("-pk").first()
