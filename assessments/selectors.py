"""Reads for assessments: what a person may see, what is missing, and the assessment page."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.urls import reverse

from evidence.models import EvidenceItem
from standards.selectors import adaptations

from .models import Answer, Assessment, AssessmentTransition


def get_assessment_for_user(user, pk) -> Assessment:
    """The assessment if this person may see it, else 404 (they need not know it exists)."""
    try:
        return (
            Assessment.objects.visible_to(user)
            .select_related("protected_area", "standard", "adapted_set__jurisdiction", "created_by")
            .get(pk=pk)
        )
    except (Assessment.DoesNotExist, ValueError, TypeError):
        raise Http404("No such assessment.")


def assessments_for(user):
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


def scale_by_code(standard) -> dict[str, dict]:
    return {r["code"]: r for r in standard.rating_scale}


def answer_problems(answer: Answer, scale: dict[str, dict]) -> list[str]:
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


def is_answered(answer: Answer, scale: dict[str, dict]) -> bool:
    rating = scale.get(answer.rating)
    return bool(rating and rating.get("allowed_on_submit"))


def missing_for_submission(assessment: Assessment) -> list[dict]:
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
                }
            )
    return missing


@dataclass
class CriterionBlock:
    criterion: object
    answers: list = field(default_factory=list)


@dataclass
class ComponentBlock:
    component: object
    criteria: OrderedDict = field(default_factory=OrderedDict)


LIBRARY_PAGE_SIZE = 25
PICKER_PAGE_SIZE = 20


def page_answers(assessment: Assessment):
    return (
        Answer.objects.filter(assessment=assessment)
        .select_related("indicator__criterion__component", "updated_by")
        .order_by("indicator__position")
    )


def linked_evidence(assessment: Assessment, user) -> dict[int, list[tuple[int, str]]]:
    """(id, title) of the evidence linked to each answer, among the items this person may see.

    Plain tuples from the link table in one query: a thousand model instances through a
    prefetch cost more than the rest of the page.
    """
    rows = (
        Answer.evidence.through.objects.filter(
            answer__assessment=assessment, evidenceitem__in=EvidenceItem.objects.visible_to(user)
        )
        .order_by("-evidenceitem__uploaded_at", "-evidenceitem_id")
        .values_list("answer_id", "evidenceitem_id", "evidenceitem__title")
    )
    linked: dict[int, list[tuple[int, str]]] = {}
    for answer_id, item_id, title in rows:
        linked.setdefault(answer_id, []).append((item_id, title))
    return linked


def indicator_numbers(assessment: Assessment, item_ids) -> dict[int, list[str]]:
    """The numbers of this assessment's indicators each of these items is linked to (one query)."""
    rows = (
        Answer.evidence.through.objects.filter(answer__assessment=assessment, evidenceitem_id__in=list(item_ids))
        .order_by("answer__indicator__position")
        .values_list("evidenceitem_id", "answer__indicator__number")
    )
    numbers: dict[int, list[str]] = {}
    for item_id, number in rows:
        numbers.setdefault(item_id, []).append(number)
    return numbers


def evidence_for(assessment: Assessment, items=None):
    """The assessment's own evidence and any carried over from an earlier cycle (one query),
    out of `items` (all evidence by default)."""
    items = EvidenceItem.objects.all() if items is None else items
    return (
        items.filter(Q(assessment=assessment) | Q(answers__assessment=assessment))
        .select_related("uploaded_by")
        .distinct()
        .order_by("-uploaded_at", "-id")
    )


def evidence_library_page(assessment: Assessment, user, page) -> Page:
    """One page of the evidence this person may see (own and carried over), newest first.

    Two queries (count and rows) whatever the number of items; a bad page number gives the
    nearest page rather than an error, as on any paginated list.
    """
    items = evidence_for(assessment, EvidenceItem.objects.visible_to(user))
    return Paginator(items, LIBRARY_PAGE_SIZE).get_page(page)


def evidence_search(assessment: Assessment, user, query: str = ""):
    """Evidence of the same site (any cycle) this person may see, whose title contains `query`:
    what may be linked to an answer of this assessment (the service allows the same site)."""
    items = EvidenceItem.objects.visible_to(user).filter(assessment__protected_area_id=assessment.protected_area_id)
    query = query.strip()
    if query:
        items = items.filter(title__icontains=query)
    return items.only("id", "title", "assessment_id", "evidence_date").order_by("-uploaded_at", "-id")


def download_url_pattern() -> str:
    """One reverse() for all items: with a thousand items, per-item {% url %} tags dominate rendering."""
    return reverse("assessments:evidence-download", args=[0]).replace("/0/", "/{}/")


def assessment_page(assessment: Assessment, user, library_page=1) -> dict:
    """Everything the assessment page shows, in a fixed number of queries.

    Per answer only its own links; the whole evidence library is paginated, and linking more
    goes through `evidence_search`, so the page does not grow with the number of items.
    """
    scale = scale_by_code(assessment.standard)
    adapted = adaptations(assessment.adapted_set)
    components: OrderedDict[int, ComponentBlock] = OrderedDict()
    answered = 0
    answers = list(page_answers(assessment))
    links = linked_evidence(assessment, user)
    evidence_indicators: dict[int, list[str]] = {}
    for answer in answers:
        indicator = answer.indicator
        criterion = indicator.criterion
        block = components.setdefault(criterion.component_id, ComponentBlock(criterion.component))
        block.criteria.setdefault(criterion.pk, CriterionBlock(criterion)).answers.append(answer)
        answer.adapted = adapted.get(indicator.pk)
        answer.rating_info = scale.get(answer.rating)
        answer.linked = links.get(answer.pk, [])
        for item_id, _title in answer.linked:
            evidence_indicators.setdefault(item_id, []).append(indicator.number)
        if is_answered(answer, scale):
            answered += 1
    library = evidence_library_page(assessment, user, library_page)
    url_pattern = download_url_pattern()
    for item in library.object_list:
        item.indicator_numbers = ", ".join(evidence_indicators.get(item.pk, []))
        item.url = url_pattern.format(item.pk)
    total = len(answers)
    return {
        "components": [{"component": c.component, "criteria": list(c.criteria.values())} for c in components.values()],
        "answers": answers,
        "library": library,
        "download_url_pattern": url_pattern,
        "answered": answered,
        "total": total,
        "percent": round(100 * answered / total) if total else 0,
        "scale": assessment.standard.rating_scale,
        "transitions": list(
            AssessmentTransition.objects.filter(assessment=assessment).select_related("by").order_by("-at", "-id")
        ),
    }


def previous_cycle(protected_area) -> Assessment | None:
    return Assessment.objects.filter(protected_area=protected_area).order_by("-cycle").first()
