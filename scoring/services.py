"""Writes for scoring: compute and store snapshots, and ask (debounced) for a recomputation.

Debouncing: an autosaving page writes an answer every few seconds while someone types, and a
reviewer may record twenty findings in a minute. Each save calls `schedule_rescore`, which only
stamps "latest requested" in Redis; the first save of a burst also enqueues one delayed task. When
the task runs it checks the stamp: if a save came in less than the quiet period ago it puts itself
back with the remaining delay, otherwise it clears the mark and computes once. A burst of edits thus
gives one computation, at most `SCORING_MAX_WAIT_SECONDS` after the burst began.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from accounts.types import Person
from assessments.models import Assessment

from . import engine, error_codes, selectors
from .choices import ScoreKind
from .models import ScoreSnapshot

log = logging.getLogger(__name__)

_REQUESTED = "scoring:requested:{}"  # time of the latest request (seconds since the epoch)
_PENDING = "scoring:pending:{}"  # set while a task is queued; its value is when the burst began


def debounce_seconds() -> float:
    return float(getattr(settings, "SCORING_DEBOUNCE_SECONDS", 3))


def max_wait_seconds() -> float:
    return float(getattr(settings, "SCORING_MAX_WAIT_SECONDS", 60))


def _mark_ttl() -> int:
    # Long enough to outlive a queued task; short enough that a task lost with a dead worker
    # does not block recomputation for long (the next save after expiry enqueues afresh).
    return int(max_wait_seconds() + debounce_seconds() + 300)


def schedule_rescore(assessment_id: int) -> None:
    """Ask for the assessment's scores to be recomputed once the current transaction commits."""
    transaction.on_commit(lambda: request_rescore(assessment_id), robust=True)


def request_rescore(assessment_id: int) -> bool:
    """Stamp the request; enqueue a delayed task unless one is already waiting. True if enqueued."""
    from .tasks import rescore_assessment

    now = time.time()
    cache.set(_REQUESTED.format(assessment_id), now, timeout=_mark_ttl())
    if not cache.add(_PENDING.format(assessment_id), now, timeout=_mark_ttl()):
        return False
    try:
        rescore_assessment.apply_async(args=[assessment_id], countdown=debounce_seconds())
    except Exception:
        # The broker is down: forget the mark so the next save tries again; the answer is saved anyway.
        cache.delete(_PENDING.format(assessment_id))
        log.exception("could not enqueue re-scoring of assessment %s", assessment_id)
        return False
    return True


@dataclass(frozen=True)
class DebounceDecision:
    run_now: bool
    wait: float = 0.0


def debounce_check(assessment_id: int, now: float | None = None) -> DebounceDecision:
    """Called by the task: compute now, or wait `wait` more seconds for the burst to end."""
    now = time.time() if now is None else now
    requested = cache.get(_REQUESTED.format(assessment_id))
    began = cache.get(_PENDING.format(assessment_id))
    quiet = debounce_seconds()
    if requested is not None and now - requested < quiet and (began is None or now - began < max_wait_seconds()):
        return DebounceDecision(run_now=False, wait=max(0.2, quiet - (now - requested)))
    # Clear the mark *before* reading the database: a save committed after this point enqueues a new
    # task, and every save that found the mark set was committed before it ran its request.
    cache.delete(_PENDING.format(assessment_id))
    return DebounceDecision(run_now=True)


def rescore(assessment: Assessment | int) -> list[ScoreSnapshot]:
    """Compute the self and expert scores of one assessment now (no debounce)."""
    pk = assessment.pk if isinstance(assessment, Assessment) else assessment
    return rescore_many([pk])


def rescore_many(assessment_ids: Iterable[int]) -> list[ScoreSnapshot]:
    """Compute and store the scores of many assessments in a fixed number of queries.

    A kind whose inputs have not changed since its latest snapshot is not stored again; the expert
    kind is computed only once the group has recorded at least one finding. Returns the new rows.
    """
    ids = list(dict.fromkeys(assessment_ids))
    assessments = list(Assessment.objects.filter(pk__in=ids).select_related("standard"))
    selfs = selectors.self_ratings(ids)
    experts = selectors.expert_ratings(ids)
    latest = selectors.latest_light(ids)
    new: list[ScoreSnapshot] = []
    for assessment in assessments:
        tree = selectors.standard_tree(assessment.standard)
        for kind, ratings in (
            (ScoreKind.SELF, selfs.get(assessment.pk, {})),
            (ScoreKind.EXPERT, experts.get(assessment.pk)),
        ):
            if ratings is None:
                continue
            inputs = selectors.scoring_inputs(assessment, ratings)
            digest = engine.inputs_hash(inputs)
            previous = latest.get((assessment.pk, kind))
            if previous is not None and previous.inputs_hash == digest:
                continue
            new.append(_snapshot(assessment, kind, tree, inputs, digest))
    ScoreSnapshot.objects.bulk_create(new, batch_size=500)
    return new


def _snapshot(
    assessment: Assessment, kind: str, tree: tuple[engine.ComponentRef, ...], inputs: dict[str, Any], digest: str
) -> ScoreSnapshot:
    from core.errors import DomainError

    try:
        results = engine.score(tree, inputs["scale"], inputs["rules"], inputs["ratings"])
    except engine.ScoringRuleError as exc:
        raise DomainError(error_codes.SCORING_RULES_INVALID, str(exc))
    overall = results["overall"]
    return ScoreSnapshot(
        assessment=assessment,
        kind=kind,
        inputs_hash=digest,
        inputs=inputs,
        results=results,
        percent=overall["percent"],
        met=overall["met"],
        criteria_met=overall["criteria_met"],
        criteria_total=overall["criteria_total"],
    )


def ensure_current(assessment: Assessment) -> dict[str, ScoreSnapshot]:
    """The latest snapshot of each kind, computed first if the inputs changed (used by reports and
    decisions, which must show scores matching the answers they print)."""
    rescore_many([assessment.pk])
    return {kind: snap for (_, kind), snap in selectors.latest_snapshots([assessment.pk]).items()}


def visible_scores(assessment: Assessment, user: Person) -> dict[str, Any]:
    """The latest snapshots as the reports page and the scores API show them, computed first if the
    answers or findings changed since (`ensure_current`): the site's own scores always; the expert
    group's only for whom `selectors.may_see_findings` allows (site teams: once findings are released).
    `expert` is None both when hidden and when the group has recorded no finding yet."""
    scores = ensure_current(assessment)
    show_findings = selectors.may_see_findings(user, assessment)
    return {
        "self": scores.get(ScoreKind.SELF),
        "expert": scores.get(ScoreKind.EXPERT) if show_findings else None,
        "show_findings": show_findings,
    }
