"""Reads for dashboards, gap analysis and exports. Each function runs a fixed number of queries,
whatever the number of sites, assessments or evidence items (the dashboards are tested for it)."""

from __future__ import annotations

import datetime
import json
import statistics
from collections import Counter, defaultdict
from typing import Any

from django.contrib.gis.db.models import MultiPolygonField, PointField
from django.contrib.gis.db.models.functions import PointOnSurface
from django.db.models import Count, Min, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext

from accounts import rules
from accounts.models import User
from accounts.types import Person
from assessments.choices import Status
from assessments.models import Answer, Assessment
from assessments.selectors import get_assessment_for_user
from certification.choices import Outcome
from core.geofunctions import PointX, PointY
from core.models import Job
from evidence import selectors as evidence_selectors
from evidence.models import EvidenceItem
from protected_areas.country_names import country_names
from protected_areas.import_wizard import PREVIEW_JOB_KIND
from protected_areas.selectors import get_import_job_for_user
from protected_areas.services import IMPORT_JOB_KIND
from scoring import engine
from scoring import selectors as scoring_selectors
from scoring import services as scoring_services
from scoring.choices import ScoreKind
from scoring.models import ScoreSnapshot

# Scoring's, asked here too (and by reports' pages): re-exported by name.
from scoring.selectors import findings_released as findings_released
from scoring.selectors import may_see_findings as may_see_findings
from scoring.services import visible_scores as visible_scores
from standards import selectors as standards_selectors
from standards.models import Jurisdiction
from standards.selectors import Headings
from standards.texts import localized

from .choices import DUE_SOON_DAYS, EXPORT_JOB_KIND, PHASE_ORDER, Phase

# --- access ----------------------------------------------------------------------------------------


def get_export_job_for(user: Person, pk: int | str) -> Job:
    """An export job: only its creator sees it, and only while they may still see the assessment
    (else 404, as for an assessment they may not know of). Staff get no exception: a job is personal."""
    job = Job.objects.filter(pk=pk, kind=EXPORT_JOB_KIND, created_by=user).first() if user.is_authenticated else None
    if job is None:
        raise Http404("No such export.")
    get_assessment_for_user(user, job.params.get("assessment"))
    return job


def get_job_for_user(user: Person, pk: int | str) -> Job:
    """Any job (the API's one status endpoint), by the rule of its kind: an export for its creator
    while they may see the assessment; an import for whoever may import (its page's rule). Else,
    and for kinds without a rule, 404. Composed here, above the apps that own the kinds: core, which
    runs jobs, is below them (docs/architecture.md)."""
    kind = Job.objects.filter(pk=pk).values_list("kind", flat=True).first() if user.is_authenticated else None
    if kind == EXPORT_JOB_KIND:
        return get_export_job_for(user, pk)
    if kind in (IMPORT_JOB_KIND, PREVIEW_JOB_KIND):
        return get_import_job_for_user(user, pk)
    raise Http404("No such job.")


# --- scores ------------------------------------------------------------------------------------


# --- gap analysis ------------------------------------------------------------------------------


def _scale(assessment: Assessment) -> dict[str, dict[str, Any]]:
    return {r["code"]: r for r in assessment.standard.localized_scale()}


def gap_analysis(assessment: Assessment, user: Person, *, today: datetime.date | None = None) -> dict[str, Any]:
    """Every indicator the site has not met (by its own rating, or by the group's released finding),
    with the action from the action plan, its owner and due date; overdue and missing actions flagged."""
    today = today or timezone.localdate()
    scale = _scale(assessment)
    show_findings = may_see_findings(user, assessment)
    answers = (
        Answer.objects.filter(assessment=assessment)
        .select_related("indicator__criterion__component")
        .order_by("indicator__position")
    )
    if show_findings:
        answers = answers.select_related("group_finding")
    rows = []
    for answer in answers:
        own = scale.get(answer.rating)
        finding = getattr(answer, "group_finding", None) if show_findings else None
        group = scale.get(finding.rating) if finding is not None else None
        site_met = bool(own and own["counts_as_met"])
        group_unmet = group is not None and not group["counts_as_met"]
        if site_met and not group_unmet:
            continue
        due = answer.action_due
        rows.append(
            {
                "answer": answer,
                "indicator": answer.indicator,
                "criterion": answer.indicator.criterion,
                "rating": own["label"] if own else "Not rated",
                "rating_code": answer.rating,
                "group_rating": group["label"] if group else "",
                "group_rating_code": finding.rating if group is not None and finding is not None else "",
                "only_group": site_met and group_unmet,
                "action": answer.action_text,
                "owner": answer.action_owner,
                "due": due,
                "overdue": due is not None and due < today,
                "due_soon": due is not None and today <= due <= today + datetime.timedelta(days=DUE_SOON_DAYS),
                "days": (due - today).days if due else None,
                "late_days": (today - due).days if due is not None and due < today else 0,
                "missing_action": not (answer.action_text.strip() and answer.action_owner.strip() and due),
            }
        )
    return {
        "rows": rows,
        "today": today,
        "overdue": sum(1 for r in rows if r["overdue"]),
        "due_soon": sum(1 for r in rows if r["due_soon"]),
        "missing_action": sum(1 for r in rows if r["missing_action"]),
        "show_findings": show_findings,
    }


# --- site manager dashboard --------------------------------------------------------------------


def _latest_per_site(qs: QuerySet[Assessment]) -> list[Assessment]:
    """The newest cycle of each site (PostgreSQL DISTINCT ON), as a list."""
    return list(qs.order_by("protected_area_id", "-cycle").distinct("protected_area_id"))


def site_dashboard(user: Person, *, today: datetime.date | None = None) -> list[dict[str, Any]]:
    """For each site the person manages: the latest assessment's scores by component, readiness,
    open requests for information and the actions falling due."""
    from reviews.choices import RequestStatus
    from reviews.models import InformationRequest

    today = today or timezone.localdate()
    area_ids = rules.managed_area_ids(user)
    if not area_ids:
        return []
    latest = _latest_per_site(
        Assessment.objects.visible_to(user)
        .filter(protected_area_id__in=area_ids)
        .select_related("protected_area", "standard", "review")
    )
    ids = [a.pk for a in latest]
    # The team works on these now: score them fresh (a fixed number of queries, nothing stored if unchanged).
    scoring_services.rescore_many(ids)
    snaps = scoring_selectors.latest_snapshots(ids)
    horizon = today + datetime.timedelta(days=DUE_SOON_DAYS)
    due_rows = defaultdict(list)
    for answer in (
        Answer.objects.filter(assessment_id__in=ids, action_due__isnull=False, action_due__lte=horizon)
        .exclude(action_text="")
        .select_related("indicator")
        .order_by("action_due", "indicator__position")
    ):
        due_rows[answer.assessment_id].append(answer)
    requests = defaultdict(list)
    for req in (
        InformationRequest.objects.filter(answer__assessment_id__in=ids)
        .exclude(status=RequestStatus.CLOSED)
        .select_related("answer__indicator", "asked_by")
        .order_by("created_at")
    ):
        requests[req.answer.assessment_id].append(req)
    headings = standards_selectors.headings_of({a.standard_id for a in latest})
    out = []
    for assessment in latest:
        scale = _scale(assessment)
        own = snaps.get((assessment.pk, ScoreKind.SELF))
        review = getattr(assessment, "review", None)
        released = bool(review and review.findings_released_at)
        expert = snaps.get((assessment.pk, ScoreKind.EXPERT)) if may_see_findings(user, assessment, released) else None
        actions = [a for a in due_rows[assessment.pk] if not (scale.get(a.rating) or {}).get("counts_as_met")]
        overall = own.results["overall"] if own else None
        out.append(
            {
                "assessment": assessment,
                "snapshot": own,
                "expert": expert,
                "overall": overall,
                "components": component_rows(own, expert, headings.get(assessment.standard_id)),
                "answered": overall["indicators_rated"] if overall else 0,
                "total": overall["indicators"] if overall else 0,
                "requests": requests[assessment.pk],
                "actions": [
                    # Every one has a due date (the query asks for it).
                    {"answer": a, "overdue": due < today, "days": (due - today).days}
                    for a in actions
                    if (due := a.action_due) is not None
                ],
            }
        )
    return out


def component_rows(
    own: ScoreSnapshot | None, expert: ScoreSnapshot | None, headings: Headings | None
) -> list[dict[str, Any]]:
    """Per component, the scores of the site and the group. The snapshot keeps the title it was
    scored under (English); `heading` is the component's row, whose title the page shows in the
    reader's language (None if the version lost it: the stored title then stands)."""
    if own is None:
        return []
    expert_by = {c["number"]: c for c in expert.results["components"]} if expert else {}
    components = headings.components if headings else {}
    return [
        {
            "number": c["number"],
            "title": c["title"],
            "heading": components.get(c["number"]),
            "percent": c["percent"],
            "met": c["met"],
            "criteria_met": c["criteria_met"],
            "criteria_total": c["criteria_total"],
            "expert_percent": expert_by.get(c["number"], {}).get("percent"),
        }
        for c in own.results["components"]
    ]


def _title(row: dict[str, Any]) -> str:
    """A component's or criterion's title in the reader's language (a chart's labels are plain text)."""
    heading = row.get("heading")
    return str(localized(heading, "title")) if heading is not None else row["title"]


def site_chart(entry: dict[str, Any]) -> dict[str, Any]:
    """What the component bar chart draws (passed to the page with json_script)."""
    rows = entry["components"]
    return {
        "labels": [f"{c['number']} {_title(c)}" for c in rows],
        "self": [c["percent"] or 0 for c in rows],
        "met": [c["met"] for c in rows],
        "expert": [c["expert_percent"] for c in rows] if entry["expert"] else None,
    }


# --- expert dashboard --------------------------------------------------------------------------


def expert_dashboard(user: User, *, today: datetime.date | None = None) -> list[dict[str, Any]]:
    """The person's review assignments with due dates and, per criterion, how far their own ratings
    and the group's findings agree with the site's."""
    from reviews.choices import CoiStatus
    from reviews.models import GroupFinding, IndicatorReview, ReviewAssignment

    today = today or timezone.localdate()
    assignments = list(
        ReviewAssignment.objects.current()
        .filter(user=user)
        .select_related("assessment__protected_area", "assessment__standard")
        .order_by("due_date", "id")
    )
    cleared = [a.assessment_id for a in assignments if a.coi_status == CoiStatus.NO_CONFLICT]
    mine: dict[int, dict[str, str]] = defaultdict(dict)
    for assessment_id, code, rating in IndicatorReview.objects.filter(
        assignment__user=user, assignment__removed_at__isnull=True, answer__assessment_id__in=cleared
    ).values_list("answer__assessment_id", "answer__indicator__code", "rating"):
        mine[assessment_id][code] = rating
    group: dict[int, dict[str, str]] = defaultdict(dict)
    for assessment_id, code, rating in GroupFinding.objects.filter(answer__assessment_id__in=cleared).values_list(
        "answer__assessment_id", "answer__indicator__code", "rating"
    ):
        group[assessment_id][code] = rating
    site = scoring_selectors.self_ratings(cleared)
    headings = standards_selectors.headings_of(
        {a.assessment.standard_id for a in assignments if a.assessment_id in cleared}
    )
    out = []
    for assignment in assignments:
        assessment = assignment.assessment
        row: dict[str, Any] = {
            "assignment": assignment,
            "assessment": assessment,
            "cleared": assignment.coi_status == CoiStatus.NO_CONFLICT,
            "overdue": assignment.due_date < today and assessment.status in (Status.SUBMITTED, Status.IN_REVIEW),
            "days": (assignment.due_date - today).days,
        }
        if row["cleared"]:
            tree = scoring_selectors.standard_tree(assessment.standard)
            own = engine.criterion_agreement(tree, site.get(assessment.pk, {}), mine.get(assessment.pk, {}))
            grp = engine.criterion_agreement(tree, site.get(assessment.pk, {}), group.get(assessment.pk, {}))
            criteria = headings.get(assessment.standard_id, Headings({}, {})).criteria
            row["criteria"] = [
                {**a, "group": g, "heading": criteria.get(a["number"])} for a, g in zip(own, grp, strict=True)
            ]
            row["reviewed"] = len(mine.get(assessment.pk, {}))
            row["indicators"] = sum(len(c.indicators) for comp in tree for c in comp.criteria)
            row["chart"] = {
                "labels": [c["number"] for c in own],
                "titles": [_title(c) for c in row["criteria"]],
                "mine": [c["percent"] for c in own],
                "group": [g["percent"] for g in grp],
            }
        out.append(row)
    return out


# --- staff dashboard ---------------------------------------------------------------------------


def _phase(status: str, outcome: str | None) -> str:
    if status == Status.DECIDED:
        return Phase.LISTED if outcome == Outcome.GRANTED else Phase.DECLINED
    return status


def staff_dashboard(*, today: datetime.date | None = None) -> dict[str, Any]:
    """The portfolio at a glance, in seven queries whatever its size. Its words (phases, countries,
    "No jurisdiction") are in the active language: made for one request, never cached."""
    from certification.choices import CertificateStatus
    from certification.models import Certificate, Decision

    today = today or timezone.localdate()
    # The map's point as two numbers computed by PostGIS: a GEOS object per site cost a millisecond
    # each in Python (3 s at 3,000 sites), for a marker drawn at five decimals.
    point = Coalesce(
        PointOnSurface("protected_area__geom_display"), "protected_area__point", output_field=PointField(srid=4326)
    )
    newest = Assessment.objects.order_by("protected_area_id", "-cycle").distinct("protected_area_id")
    latest = list(
        newest.annotate(lon=PointX(point), lat=PointY(point)).values(
            "pk",
            "status",
            "decision__outcome",
            "protected_area_id",
            "protected_area__name",
            "protected_area__iso3",
            "adapted_set__jurisdiction_id",
            "lon",
            "lat",
        )
    )
    jurisdictions = list(Jurisdiction.objects.order_by("name").values("pk", "name", "countries"))
    jurisdiction_names = {j["pk"]: j["name"] for j in jurisdictions}
    by_phase: Counter[str] = Counter()
    by_country: Counter[str] = Counter()
    by_jurisdiction: Counter[str] = Counter()
    phase_labels = {p: str(Phase.label_of(p)) for p in PHASE_ORDER}  # translated once, not per site
    no_jurisdiction = gettext("No jurisdiction")
    sites = []  # [id, name, phase, lon, lat]: a row per site, not a GeoJSON feature (585 KiB -> ~200 at 3,000)
    for row in latest:
        phase = _phase(row["status"], row["decision__outcome"])
        by_phase[phase] += 1
        countries = row["protected_area__iso3"] or []
        for iso3 in countries:
            by_country[iso3] += 1
        jurisdiction = row["adapted_set__jurisdiction_id"]
        name = jurisdiction_names.get(jurisdiction) if jurisdiction else None
        if name is None:
            name = next((j["name"] for j in jurisdictions if set(j["countries"]) & set(countries)), None)
        by_jurisdiction[name or no_jurisdiction] += 1
        if row["lon"] is not None:
            sites.append([row["pk"], row["protected_area__name"], phase, round(row["lon"], 5), round(row["lat"], 5)])
    for phase in by_phase:  # a status outside the usual order still gets its words
        phase_labels.setdefault(phase, str(Phase.label_of(phase)))
    soon = {}
    windows = (30, 90, 180, 365)
    expiring = Certificate.objects.filter(status=CertificateStatus.ACTIVE, expires_on__gte=today).aggregate(
        active=Count("pk"),
        **{f"d{d}": Count("pk", filter=Q(expires_on__lt=today + datetime.timedelta(days=d))) for d in windows},
    )
    for d in windows:
        soon[d] = expiring[f"d{d}"]
    decisions = list(
        Decision.objects.annotate(
            first_submitted=Min(
                "assessment__transitions__at", filter=Q(assessment__transitions__to_status=Status.SUBMITTED)
            )
        ).values_list("decided_at", "first_submitted")
    )
    days = sorted((d - s).total_seconds() / 86400 for d, s in decisions if s is not None and d >= s)
    buckets = [("≤ 30", 0, 30), ("31–60", 30, 60), ("61–90", 60, 90), ("91–180", 90, 180), ("> 180", 180, 10**6)]
    histogram = [sum(1 for x in days if lo < x <= hi or (lo == 0 and x == 0)) for _, lo, hi in buckets]
    evidence = evidence_selectors.evidence_counts()
    ready_buckets = [0] * 5
    met = 0
    for percent, is_met in scoring_selectors.latest_self_readiness(newest):
        ready_buckets[min(int(percent // 20), 4)] += 1
        met += int(is_met)
    phases = [(p, Phase.label_of(p), by_phase.get(p, 0)) for p in PHASE_ORDER]
    # Countries by name in the reader's language ("Viêt Nam", not "VNM"), for the table and the chart.
    codes = list(by_country)
    named = zip(country_names(codes), (by_country[code] for code in codes), strict=True)
    country_rows = sorted(named, key=lambda kv: (-kv[1], kv[0]))
    jurisdiction_rows = sorted(by_jurisdiction.items(), key=lambda kv: (-kv[1], kv[0]))
    return {
        "sites": len(latest),
        "phases": phases,
        "countries": country_rows,
        "jurisdictions": jurisdiction_rows,
        # The map's sites, turned into GeoJSON by static/js/dashboard_map.js; phase labels said once.
        "map": {"phases": phase_labels, "sites": sites},
        "expiring": soon,
        "active_certificates": expiring["active"],
        "throughput": {
            "decisions": len(days),
            "median": round(statistics.median(days), 1) if days else None,
            "mean": round(statistics.fmean(days), 1) if days else None,
            "max": round(max(days), 1) if days else None,
            "buckets": [{"label": label, "count": n} for (label, _, _), n in zip(buckets, histogram, strict=True)],
        },
        "evidence": evidence,
        "readiness": {
            "labels": ["0–19 %", "20–39 %", "40–59 %", "60–79 %", "80–100 %"],
            "counts": ready_buckets,
            "meeting": met,
        },
        "chart": {
            "phases": {"labels": [label for _, label, _ in phases], "counts": [n for _, _, n in phases]},
            "countries": {"labels": [c for c, _ in country_rows[:15]], "counts": [n for _, n in country_rows[:15]]},
            "jurisdictions": {"labels": [j for j, _ in jurisdiction_rows], "counts": [n for _, n in jurisdiction_rows]},
            "throughput": {"labels": [b[0] for b in buckets], "counts": histogram},
            "readiness": {"labels": ["0–19 %", "20–39 %", "40–59 %", "60–79 %", "80–100 %"], "counts": ready_buckets},
        },
    }


# --- rows for the exports ----------------------------------------------------------------------


def export_rows(assessment: Assessment, user: Person) -> list[dict[str, Any]]:
    """One row per indicator: the site's answer, its evidence, the group's finding (if this person
    may see it), the experts' shared ratings (reviewers and staff only) and the requests."""
    from reviews.models import IndicatorReview, InformationRequest

    scale = _scale(assessment)
    show_findings = may_see_findings(user, assessment)
    show_reviews = rules.is_iucn_staff(user) or rules.is_assigned_reviewer(user, assessment)
    evidence_qs = EvidenceItem.objects.visible_to(user).only("id", "title", "original_filename", "evidence_date")
    answers = (
        Answer.objects.filter(assessment=assessment)
        .select_related("indicator__criterion__component", "group_finding")
        .prefetch_related(
            Prefetch("evidence", queryset=evidence_qs.order_by("title", "id"), to_attr="visible_evidence"),
            Prefetch(
                "expert_reviews",
                queryset=IndicatorReview.objects.filter(shared=True).select_related("assignment__user"),
                to_attr="shared_reviews",
            ),
            Prefetch(
                "information_requests",
                queryset=InformationRequest.objects.select_related("asked_by")
                .prefetch_related("replies__author")
                .order_by("created_at"),
                to_attr="requests",
            ),
        )
        .order_by("indicator__position")
    )
    rows = []
    for answer in answers:
        indicator = answer.indicator
        finding = getattr(answer, "group_finding", None) if show_findings else None
        rows.append(
            {
                "answer": answer,
                "component": indicator.criterion.component.number,
                "criterion": indicator.criterion.number,
                "criterion_title": indicator.criterion.title,
                # The rows themselves, for the dossier, which shows their texts in the reader's
                # language (the file columns above stay English: an export has no language).
                "criterion_row": indicator.criterion,
                "indicator_row": indicator,
                "indicator": indicator.code,
                "number": indicator.number,
                "title": indicator.title,
                "rating": answer.rating,
                "rating_label": (scale.get(answer.rating) or {}).get("label", ""),
                "justification": answer.justification,
                "evidence_date": answer.evidence_date,
                "action": answer.action_text,
                "action_owner": answer.action_owner,
                "action_due": answer.action_due,
                "evidence": answer.visible_evidence,
                "group_rating": finding.rating if finding else "",
                "group_rating_label": (scale.get(finding.rating) or {}).get("label", "") if finding else "",
                "group_finding": finding.finding if finding else "",
                "expert_reviews": answer.shared_reviews if show_reviews else [],
                "requests": answer.requests,
            }
        )
    return rows


def sites_geojson(user: Person) -> dict[str, Any]:
    """The sites of the assessments this person may see, with their latest phase (one query)."""
    rows = (
        Assessment.objects.visible_to(user)
        .order_by("protected_area_id", "-cycle")
        .distinct("protected_area_id")
        .annotate(
            shape=Coalesce(
                "protected_area__geom_display", "protected_area__geom", output_field=MultiPolygonField(srid=4326)
            )
        )
        .values(
            "pk",
            "status",
            "decision__outcome",
            "cycle",
            "year",
            "protected_area_id",
            "protected_area__name",
            "protected_area__wdpa_id",
            "protected_area__iso3",
            "protected_area__iucn_category",
            "protected_area__point",
            "shape",
        )
    )
    features = []
    for row in rows:
        geom = row["shape"] or row["protected_area__point"]
        phase = _phase(row["status"], row["decision__outcome"])
        features.append(
            {
                "type": "Feature",
                "id": row["protected_area_id"],
                "geometry": json.loads(geom.geojson) if geom is not None else None,
                "properties": {
                    "name": row["protected_area__name"],
                    "wdpa_id": row["protected_area__wdpa_id"],
                    "iso3": row["protected_area__iso3"],
                    "iucn_category": row["protected_area__iucn_category"],
                    "assessment": row["pk"],
                    "cycle": row["cycle"],
                    "year": row["year"],
                    "phase": phase,
                    "phase_label": str(Phase.label_of(phase)),
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}
