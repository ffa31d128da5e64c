"""The eligibility gate on people's home pages (greenlist.home): the applications awaiting the group's
evaluation, the evaluations awaiting the independent reviewer's check, and the gates established
that staff may now close by moving the site to candidate.

A fixed number of queries whatever the number of applications: the records in effect are read as
annotations of one query (the same rule as selectors.gate_state: the newest record of each step; a
check counts only if it is newer than the evaluation in effect), the jurisdictions and the appointed
reviewers in one query each.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery

from accounts import rules as account_rules
from accounts.types import Person
from assessments.choices import Status
from assessments.models import Assessment
from assessments.sites import areas_by_assessment
from reviews.selectors import assessment_jurisdiction_ids
from standards.models import Jurisdiction

from . import rules
from .appointments import appointed_reviewers
from .choices import Step
from .models import EligibilityRecord
from .selectors import precheck

LIMIT = 20
# How many applications are read to fill a list whose last filter runs in Python (the jurisdiction,
# the appointed reviewer): enough for LIMIT in any realistic programme, and a bound on the page's work.
SCAN = LIMIT * 10


def _newest(step: str, field: str) -> Subquery:
    return Subquery(
        EligibilityRecord.objects.filter(assessment_id=OuterRef("pk"), step=step)
        .order_by("-at", "-id")
        .values(field)[:1]
    )


def _applications() -> QuerySet[Assessment]:
    return (
        Assessment.objects.filter(status=Status.APPLICATION)
        .select_related("protected_area", "adapted_set")
        .annotate(
            evaluation_at=_newest(Step.EVALUATION, "at"),
            evaluation_positive=_newest(Step.EVALUATION, "positive"),
            evaluation_by=_newest(Step.EVALUATION, "by_id"),
            check_at=_newest(Step.CHECK, "at"),
            check_positive=_newest(Step.CHECK, "positive"),
            overridden=Exists(EligibilityRecord.objects.filter(assessment_id=OuterRef("pk"), step=Step.OVERRIDE)),
        )
        .order_by("created_at", "id")
    )


# Conditions on _applications()' annotations (Q objects: the type checker knows only model fields).
NOT_EVALUATED = Q(evaluation_at__isnull=True)
NOT_OVERRIDDEN = Q(overridden=False)
# The check in effect: newer than the evaluation in effect (selectors.gate_state).
CHECK_IN_EFFECT = Q(check_at__isnull=False, check_at__gte=F("evaluation_at"))
ESTABLISHED = Q(overridden=True) | (Q(evaluation_positive=True, check_positive=True) & CHECK_IN_EFFECT)


@dataclass
class GateWork:
    """One person's work at the eligibility gate (each list at most LIMIT applications, oldest first)."""

    to_evaluate: list[Assessment]
    to_check: list[Assessment]
    to_accept: list[Assessment]


def _countries(jurisdiction_ids: frozenset[int]) -> list[str]:
    rows = Jurisdiction.objects.filter(pk__in=jurisdiction_ids).values_list("countries", flat=True)
    return sorted({c for countries in rows for c in countries or []})


def gate_work(user: Person) -> GateWork:
    """The applications this person has to act on at the gate, by what they hold: an expert of the
    group, an independent reviewer, IUCN staff."""
    roles = account_rules.active_roles(user)
    work = GateWork([], [], [])
    if not (roles.expert_jurisdiction_ids or roles.independent_reviewer or roles.iucn_staff):
        return work
    if roles.expert_jurisdiction_ids:
        # Not evaluated yet (by anyone of the group) and not overridden; narrowed in SQL to the
        # group's countries, then each application's own jurisdiction is checked.
        mine = roles.expert_jurisdiction_ids
        countries = _countries(mine)
        in_group = (
            Q(adapted_set__jurisdiction_id__in=mine)
            | Q(adapted_set__isnull=True, protected_area__iso3__overlap=countries)
            | Q(adapted_set__isnull=True, protected_area__parent_iso3__overlap=countries)
        )
        scanned = list(_applications().filter(in_group, NOT_EVALUATED, NOT_OVERRIDDEN)[:SCAN])
        jurisdictions = assessment_jurisdiction_ids(scanned)
        for a in scanned:
            jid = jurisdictions[a.pk]
            if jid in mine and rules.can_record_evaluation(user, a, jid):
                work.to_evaluate.append(a)
    if roles.independent_reviewer:
        # Evaluated, not checked since, not overridden; never by whoever made the evaluation, and
        # where the jurisdiction has an appointed reviewer, theirs alone (rules.reviewer_may_check).
        appointed = appointed_reviewers()
        waiting = list(
            _applications()
            .filter(NOT_OVERRIDDEN)
            .exclude(NOT_EVALUATED | CHECK_IN_EFFECT | Q(evaluation_by=user.pk))[:SCAN]
        )
        jurisdictions = assessment_jurisdiction_ids(waiting)
        work.to_check = [
            a
            for a in waiting
            if rules.can_record_check(user, a, appointed=appointed, jurisdiction_id=jurisdictions[a.pk])
        ]
    if roles.iucn_staff:
        # The records say yes (or staff overrode); a multi-site application also needs every added
        # site's WDPA pre-check to pass unless overridden (selectors.gate_state): read in one query.
        ready = list(_applications().filter(ESTABLISHED)[:SCAN])
        added = areas_by_assessment([a.pk for a in ready])
        work.to_accept = [
            a
            for a in ready
            if a.overridden  # type: ignore[attr-defined]
            or all(item.passed for area in added.get(a.pk, []) for item in precheck(area))
        ]
    work.to_evaluate, work.to_check = work.to_evaluate[:LIMIT], work.to_check[:LIMIT]
    return work
