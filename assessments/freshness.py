"""The tag (ETag) of the pages drawn from one assessment: the site team's page and the expert review
page answer 304 when nothing they show has changed (issue 17; the mechanism is core.freshness).

What an assessment page shows comes from the assessment's family of rows (answers, evidence and
its links and facts, transitions, sites, questions, reviews: every table pointing at the
assessment or at one of those, found by core.freshness), the Standard version's wording (and the
adapted set's), the site's own row, and the person's roles, which decide what they may see and do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.contrib.auth import get_user_model

from accounts.models import RoleAssignment
from core.freshness import Rows, fingerprint, page_etag
from standards.models import AdaptedIndicator, AdaptedIndicatorSet, Component, Criterion, Indicator, Standard

from .models import Assessment

# Rows further than two steps from the assessment that its pages show (a reply to a reviewer's
# question hangs off the question, which hangs off an answer): apps above this one hand over a
# reader from their AppConfig.ready(), as for assessments.sections.
_further_readers: list[Callable[[Assessment], list[Rows]]] = []


def provide_rows(reader: Callable[[Assessment], list[Rows]]) -> None:
    """`reader(assessment)` names rows of a higher app that the assessment's pages show."""
    if reader not in _further_readers:
        _further_readers.append(reader)


def _context_rows(assessment: Assessment, user) -> list[Rows]:
    area = type(assessment.protected_area)
    rows = [
        Rows(area, "t.id = %s", (assessment.protected_area_id,)),
        Rows(Standard, "t.id = %s", (assessment.standard_id,)),
        Rows(Component, "t.standard_id = %s", (assessment.standard_id,)),
        Rows(
            Criterion,
            f"t.component_id IN (SELECT id FROM {Component._meta.db_table} WHERE standard_id = %s)",  # noqa: S608
            (assessment.standard_id,),
        ),
        Rows(Indicator, "t.standard_id = %s", (assessment.standard_id,)),
        Rows(get_user_model(), "t.id = %s", (user.pk,)),  # their name in the page's header
        Rows(RoleAssignment, "t.user_id = %s", (user.pk,)),
    ]
    if assessment.adapted_set_id:
        rows += [
            Rows(AdaptedIndicatorSet, "t.id = %s", (assessment.adapted_set_id,)),
            Rows(AdaptedIndicator, "t.adapted_set_id = %s", (assessment.adapted_set_id,)),
        ]
    return rows


def assessment_etag(request, assessment: Assessment, kind: str, extra: Iterable[Rows] = ()) -> str:
    """The tag of the page `kind` ("assessment", "review") of `assessment` for this request's person.
    The caller has checked that the person may see the assessment; `extra` names rows further
    from the assessment than core.freshness looks (two steps) that its page shows."""
    rows = [*_context_rows(assessment, request.user), *extra]
    for reader in _further_readers:
        rows += reader(assessment)
    return page_etag(request, kind, fingerprint(assessment, rows))
