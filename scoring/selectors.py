"""Reads for scoring: the Standard's tree as the engine wants it, the ratings, the latest snapshots."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Prefetch, QuerySet

from accounts import rules
from accounts.types import Person
from assessments.models import Answer, Assessment
from standards.models import Indicator, Standard

from . import engine
from .choices import ScoreKind
from .models import ScoreSnapshot

# A Standard version is never edited in place (a changed file loads as a new row), so its tree can
# be kept for the life of the process. The key includes the content hash in case an id is reused.
_TREES: dict[tuple[int, str], tuple[engine.ComponentRef, ...]] = {}


def standard_tree(standard: Standard) -> tuple[engine.ComponentRef, ...]:
    key = (standard.pk, standard.source_sha256)
    tree = _TREES.get(key)
    if tree is None:
        rows = (
            Indicator.objects.filter(standard=standard)
            .order_by("criterion__component__position", "criterion__position", "position")
            .values_list(
                "criterion__component__number",
                "criterion__component__title",
                "criterion__number",
                "criterion__title",
                "code",
                "number",
                "title",
            )
        )
        tree = engine.tree_from_rows(rows)
        if len(_TREES) > 64:
            _TREES.clear()
        _TREES[key] = tree
    return tree


def self_ratings(assessment_ids: Iterable[int]) -> dict[int, dict[str, str]]:
    """The site team's rating of every indicator, per assessment (one query)."""
    out: dict[int, dict[str, str]] = {}
    rows = Answer.objects.filter(assessment_id__in=list(assessment_ids)).values_list(
        "assessment_id", "indicator__code", "rating"
    )
    for assessment_id, code, rating in rows:
        out.setdefault(assessment_id, {})[code] = rating
    return out


def expert_ratings(assessment_ids: Iterable[int]) -> dict[int, dict[str, str]]:
    """The Expert Assessment Group's consolidated rating of each indicator, per assessment (one query).

    Only group findings count: one expert's own draft is not the panel's view, and using the group
    finding alone keeps the expert score reproducible from an exported package.
    """
    from reviews.models import GroupFinding

    out: dict[int, dict[str, str]] = {}
    rows = GroupFinding.objects.filter(answer__assessment_id__in=list(assessment_ids)).values_list(
        "answer__assessment_id", "answer__indicator__code", "rating"
    )
    for assessment_id, code, rating in rows:
        out.setdefault(assessment_id, {})[code] = rating
    return out


def scoring_inputs(assessment: Assessment, ratings: dict[str, str]) -> dict[str, Any]:
    standard = assessment.standard
    return {
        "engine": engine.ENGINE_VERSION,
        "standard": {"code": standard.code, "version": standard.version, "sha256": standard.source_sha256},
        "rules": standard.rules,
        # In English whoever asks: the inputs are hashed to know whether to score again, and in the
        # reader's language (the rating labels) a French reader's visit to the scores stored a new
        # snapshot, and an English one's the next. English is what snapshots made so far mostly hold.
        "scale": standard.localized_scale("en"),
        "ratings": dict(sorted(ratings.items())),
    }


def latest_snapshots(assessment_ids: Iterable[int], kind: str | None = None) -> dict[tuple[int, str], ScoreSnapshot]:
    """The newest snapshot per (assessment, kind), in one query (PostgreSQL DISTINCT ON)."""
    qs = ScoreSnapshot.objects.filter(assessment_id__in=list(assessment_ids))
    if kind:
        qs = qs.filter(kind=kind)
    qs = qs.order_by("assessment_id", "kind", "-computed_at", "-id").distinct("assessment_id", "kind")
    return {(s.assessment_id, s.kind): s for s in qs}


def latest_snapshot(assessment: Assessment, kind: str = ScoreKind.SELF) -> ScoreSnapshot | None:
    return ScoreSnapshot.objects.filter(assessment=assessment, kind=kind).order_by("-computed_at", "-id").first()


def snapshots_for(assessment: Assessment) -> QuerySet[ScoreSnapshot]:
    return ScoreSnapshot.objects.filter(assessment=assessment).order_by("-computed_at", "-id")


def latest_light(assessment_ids: Iterable[int]) -> dict[tuple[int, str], ScoreSnapshot]:
    """Like latest_snapshots, without the JSON columns (for lists of hundreds of assessments)."""
    qs = (
        ScoreSnapshot.objects.filter(assessment_id__in=list(assessment_ids))
        .defer("inputs", "results")
        .order_by("assessment_id", "kind", "-computed_at", "-id")
        .distinct("assessment_id", "kind")
    )
    return {(s.assessment_id, s.kind): s for s in qs}


def latest_self_readiness(assessments: QuerySet[Assessment]) -> list[tuple[float, bool]]:
    """(percent, met) of each assessment's newest self-assessed snapshot, if it has a percent: two
    numbers a row, for the portfolio's readiness histogram over thousands of assessments (model
    instances cost more than the query). `assessments` goes in as a subquery: 3,000 ids as
    parameters took longer to send than the query to run."""
    rows = (
        ScoreSnapshot.objects.filter(assessment__in=assessments.values("pk"), kind=ScoreKind.SELF)
        .order_by("assessment_id", "-computed_at", "-id")
        .distinct("assessment_id")
        .values_list("percent", "met")
    )
    return [(percent, met) for percent, met in rows if percent is not None]


def assessments_with_answers(ids: Iterable[int]) -> QuerySet[Assessment]:
    return (
        Assessment.objects.filter(pk__in=list(ids))
        .select_related("standard")
        .prefetch_related(Prefetch("answers", queryset=Answer.objects.only("id", "assessment_id")))
    )


def findings_released(assessment: Assessment) -> bool:
    from reviews.models import AssessmentReview

    return AssessmentReview.objects.filter(assessment=assessment, findings_released_at__isnull=False).exists()


def may_see_findings(user: Person, assessment: Assessment, released: bool | None = None) -> bool:
    """The group's findings, and the expert scores computed from them (reports' pages, exports and
    package ask here too)."""
    if released is None:
        released = findings_released(assessment)
    return rules.can_see_group_findings(user, assessment, released)
