"""Reads for expert review: who may be assigned, what each person sees, the review page in a fixed
number of queries, and agreement figures."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.db.models import Count, F, Prefetch, Q
from django.http import Http404
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone

from accounts import rules
from accounts.choices import Role
from accounts.models import RoleAssignment, User
from assessments.choices import Status
from assessments.models import Answer, Assessment, AssessmentTransition
from evidence.models import EvidenceItem
from standards.selectors import adaptations, jurisdiction_for

from .choices import AssignmentRole, RequestStatus
from .models import (
    AssessmentReview,
    GroupFinding,
    IndicatorReview,
    InformationReply,
    InformationRequest,
    ReviewAssignment,
)

IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/webp", "image/gif"})
REVIEW_STATUSES = (Status.SUBMITTED, Status.IN_REVIEW, Status.CHANGES_REQUESTED, Status.RESUBMITTED)


# --- lookups that 404 ---------------------------------------------------------------------------


def get_review_assessment_for_user(user, pk) -> Assessment:
    """The assessment if this person may see it (site team, staff, cleared assignee), else 404."""
    try:
        return (
            Assessment.objects.visible_to(user)
            .select_related("protected_area", "standard", "adapted_set__jurisdiction")
            .get(pk=pk)
        )
    except (Assessment.DoesNotExist, ValueError, TypeError):
        raise Http404("No such assessment.")


def get_assignment_for_user(user, pk) -> ReviewAssignment:
    """An assignment its assignee, staff or the group's chair may see; else 404.

    The assignee sees their own assignment before declaring (it names only the site), which is
    why this does not go through the assessment's visibility."""
    try:
        assignment = ReviewAssignment.objects.select_related(
            "assessment__protected_area", "assessment__adapted_set", "user", "assigned_by"
        ).get(pk=pk)
    except (ReviewAssignment.DoesNotExist, ValueError, TypeError):
        raise Http404("No such assignment.")
    if assignment.user_id == user.pk:
        return assignment
    if rules.can_assign_reviewers(user, assessment_jurisdiction_id(assignment.assessment)):
        return assignment
    raise Http404("No such assignment.")


def get_request_for_user(user, pk) -> InformationRequest:
    try:
        req = InformationRequest.objects.select_related("answer__assessment", "answer__indicator").get(pk=pk)
    except (InformationRequest.DoesNotExist, ValueError, TypeError):
        raise Http404("No such request.")
    if not rules.can_view_assessment(user, req.answer.assessment):
        raise Http404("No such request.")
    return req


def get_answer_of(assessment: Assessment, answer_id) -> Answer:
    try:
        return Answer.objects.select_related("indicator").get(pk=answer_id, assessment=assessment)
    except (Answer.DoesNotExist, ValueError, TypeError):
        raise Http404("No such indicator in this assessment.")


# --- assignment ---------------------------------------------------------------------------------


def assessment_jurisdiction_id(assessment: Assessment) -> int | None:
    """The jurisdiction whose Expert Assessment Group reviews this assessment."""
    if assessment.adapted_set_id:
        return assessment.adapted_set.jurisdiction_id
    jurisdiction = jurisdiction_for(assessment.protected_area)
    return jurisdiction.pk if jurisdiction else None


def accreditation_for(user, role: str, jurisdiction_id: int | None, on=None) -> RoleAssignment | None:
    """The active accreditation that lets `user` be assigned in `role` (None when lapsed)."""
    qs = RoleAssignment.objects.active(on).filter(user=user)
    if role == AssignmentRole.EXPERT:
        qs = qs.filter(role=Role.EXPERT, jurisdiction_id=jurisdiction_id)
    else:
        qs = qs.filter(role=Role.INDEPENDENT_REVIEWER)
    return qs.order_by("-valid_until").first()


def eligible_assignees(assessment: Assessment) -> dict[str, list[RoleAssignment]]:
    """Experts of the group and independent reviewers whose accreditation is active today."""
    jid = assessment_jurisdiction_id(assessment)
    active = RoleAssignment.objects.active().select_related("user").order_by("user__full_name", "user__email")
    return {
        AssignmentRole.EXPERT: list(active.filter(role=Role.EXPERT, jurisdiction_id=jid)) if jid else [],
        AssignmentRole.INDEPENDENT_REVIEWER: list(active.filter(role=Role.INDEPENDENT_REVIEWER)),
    }


def _normalise(text: str) -> str:
    return " ".join((text or "").lower().replace(".", " ").replace(",", " ").split())


def conflict_warnings(*, assessment: Assessment, user: User, due_date=None, accreditation=None) -> list[dict]:
    """What staff should know about this assignee, found without asking them."""
    area = assessment.protected_area
    warnings = []
    team_roles = list(
        RoleAssignment.objects.filter(user=user, role=Role.SITE_MANAGER, protected_area=area).order_by("-valid_from")
    )
    if team_roles:
        today = timezone.localdate()
        current = any(r.is_active_on(today) for r in team_roles)
        warnings.append(
            {
                "kind": "site_team",
                "detail": (f"{user} is on the team of {area}." if current else f"{user} was on the team of {area}."),
            }
        )
    org, authority = _normalise(user.organisation), _normalise(area.management_authority)
    if len(org) >= 3 and len(authority) >= 3 and (org == authority or org in authority or authority in org):
        warnings.append(
            {
                "kind": "same_organisation",
                "detail": f"{user} works for “{user.organisation}”; "
                f"the site is managed by “{area.management_authority}”.",
            }
        )
    if assessment.cycle > 1:
        earlier = ReviewAssignment.objects.filter(
            user=user, assessment__protected_area=area, assessment__cycle=assessment.cycle - 1
        ).exists()
        if earlier:
            warnings.append(
                {"kind": "previous_cycle", "detail": f"{user} reviewed {area} in cycle {assessment.cycle - 1}."}
            )
    if accreditation is not None and due_date and accreditation.valid_until and accreditation.valid_until < due_date:
        warnings.append(
            {
                "kind": "lapses_before_due",
                "detail": f"The accreditation ends on {accreditation.valid_until}, before the due date {due_date}.",
            }
        )
    return warnings


def assignments_of(assessment: Assessment):
    return (
        ReviewAssignment.objects.current()
        .filter(assessment=assessment)
        .select_related("user", "assigned_by")
        .order_by("role", "assigned_at")
    )


def my_assignments(user):
    return (
        ReviewAssignment.objects.current()
        .filter(user=user)
        .select_related("assessment__protected_area")
        .order_by("due_date", "id")
    )


def review_queue(user):
    """For staff (all) and chairs (their group's): assessments in review with their assignments."""
    qs = Assessment.objects.filter(status__in=REVIEW_STATUSES + (Status.RECOMMENDED, Status.NOT_RECOMMENDED))
    if not rules.is_iucn_staff(user):
        chairs = rules.active_roles(user).chair_jurisdiction_ids
        if not chairs:
            return Assessment.objects.none()
        qs = qs.filter(
            Q(adapted_set__jurisdiction_id__in=chairs)
            | Q(adapted_set__isnull=True, protected_area__iso3__overlap=_chair_countries(chairs))
        )
    return (
        qs.select_related("protected_area")
        .prefetch_related(
            Prefetch(
                "review_assignments",
                queryset=ReviewAssignment.objects.current().select_related("user").order_by("role", "assigned_at"),
                to_attr="current_assignments",
            )
        )
        .order_by("submitted_at", "id")
    )


def _chair_countries(jurisdiction_ids) -> list[str]:
    from standards.models import Jurisdiction

    countries: set[str] = set()
    for codes in Jurisdiction.objects.filter(pk__in=jurisdiction_ids).values_list("countries", flat=True):
        countries.update(codes)
    return sorted(countries)


# --- the review page ----------------------------------------------------------------------------


def evidence_facts(items) -> dict:
    """Hook to the evidence pipeline: per item id, its extracted facts (thumbnail, position…).

    `evidence_processing.selectors.facts_for_items(items)` is used when that app offers it;
    without it the page shows the evidence basics and no pins."""
    try:
        from evidence_processing.selectors import facts_for_items  # type: ignore[import-not-found]
    except ImportError:
        return {}
    return facts_for_items(items) or {}


def facts_template() -> str | None:
    """The evidence pipeline's partial for badges and thumbnails, when it exists."""
    try:
        get_template("evidence_processing/_facts.html")
    except TemplateDoesNotExist:
        return None
    return "evidence_processing/_facts.html"


def _position(facts) -> tuple[float, float] | None:
    """(lon, lat) from whatever shape the pipeline's facts take: a GEOS point, lon/lat keys or attributes."""
    if facts is None:
        return None
    getter = facts.get if isinstance(facts, dict) else (lambda k, d=None: getattr(facts, k, d))
    point = getter("position", None) or getter("point", None)
    if point is not None and hasattr(point, "x"):
        return float(point.x), float(point.y)
    lon, lat = getter("lon", None), getter("lat", None)
    if lon is None:
        lon, lat = getter("longitude", None), getter("latitude", None)
    if lon is None or lat is None:
        return None
    try:
        return float(lon), float(lat)
    except (TypeError, ValueError):
        return None


MAP_WIDTH, MAP_HEIGHT, MAP_PAD = 480.0, 320.0, 16.0


def site_map(protected_area, pins: list[dict]) -> dict | None:
    """An SVG drawing of the boundary with evidence pins (no map library, no tiles needed).

    Longitude is scaled by cos(latitude) so the shape is not stretched; pins outside the boundary
    still show, and widen the frame."""
    geom = protected_area.geom_display or protected_area.geom
    point = protected_area.point
    coords: list[tuple[float, float]] = []
    rings: list[list[tuple[float, float]]] = []
    if geom is not None:
        if geom.num_coords > 4000:
            geom = geom.simplify(tolerance=max(geom.extent[2] - geom.extent[0], 0.001) / 800, preserve_topology=True)
        polygons = [geom] if geom.geom_type == "Polygon" else list(geom)
        for polygon in polygons:
            for ring in polygon:
                pts = [(float(x), float(y)) for x, y in ring.coords]
                rings.append(pts)
                coords.extend(pts)
    elif point is not None:
        coords.append((float(point.x), float(point.y)))
    coords.extend((p["lon"], p["lat"]) for p in pins)
    if not coords:
        return None
    xs, ys = [c[0] for c in coords], [c[1] for c in coords]
    minx, maxx, miny, maxy = min(xs), max(xs), min(ys), max(ys)
    kx = math.cos(math.radians((miny + maxy) / 2)) or 1.0
    span_x, span_y = max((maxx - minx) * kx, 1e-6), max(maxy - miny, 1e-6)
    scale = min((MAP_WIDTH - 2 * MAP_PAD) / span_x, (MAP_HEIGHT - 2 * MAP_PAD) / span_y)
    off_x = (MAP_WIDTH - span_x * scale) / 2
    off_y = (MAP_HEIGHT - span_y * scale) / 2

    def project(lon: float, lat: float) -> tuple[float, float]:
        return round(off_x + (lon - minx) * kx * scale, 1), round(MAP_HEIGHT - off_y - (lat - miny) * scale, 1)

    path = " ".join(
        "M" + " L".join(f"{x},{y}" for x, y in (project(*pt) for pt in ring)) + " Z" for ring in rings if ring
    )
    site_point = project(float(point.x), float(point.y)) if (geom is None and point is not None) else None
    shown = []
    for pin in pins:
        x, y = project(pin["lon"], pin["lat"])
        shown.append({**pin, "x": x, "y": y})
    return {"width": MAP_WIDTH, "height": MAP_HEIGHT, "path": path, "point": site_point, "pins": shown}


@dataclass
class Row:
    """Everything shown for one indicator on the review page."""

    answer: Answer
    adapted: object = None
    site_rating: dict | None = None
    evidence: list = field(default_factory=list)
    my_review: IndicatorReview | None = None
    my_review_out_of_date: bool = False
    other_reviews: list = field(default_factory=list)
    group_finding: GroupFinding | None = None
    group_out_of_date: bool = False
    requests: list = field(default_factory=list)
    changed_since_sent_back: bool = False
    disagree: bool = False
    unmet: bool = False
    reviewed: bool = False
    # A refused form shown again: what was typed and why it was refused, by form kind.
    posted: dict = field(default_factory=dict)
    errors: dict = field(default_factory=dict)

    @property
    def indicator(self):
        return self.answer.indicator

    @property
    def open_requests(self) -> int:
        return sum(1 for r in self.requests if r.status != RequestStatus.CLOSED)


def _review_answers(assessment: Assessment):
    return (
        Answer.objects.filter(assessment=assessment)
        .select_related("indicator__criterion__component")
        .prefetch_related(
            Prefetch(
                "evidence",
                queryset=EvidenceItem.objects.only(
                    "id",
                    "title",
                    "original_filename",
                    "content_type",
                    "size",
                    "sensitivity",
                    "processing_status",
                    "status_reason",
                    "uploaded_at",
                    "evidence_date",
                    "assessment_id",
                ).order_by("uploaded_at", "id"),
            )
        )
        .order_by("indicator__position")
    )


def _changed_after(answer: Answer, version: int, when) -> bool:
    """The site changed the answer (a new version) or linked newer evidence since a review."""
    if answer.version > version:
        return True
    return any(item.uploaded_at > when for item in answer.evidence.all())


def review_page(assessment: Assessment, user) -> dict:
    """The side-by-side review page, in a number of queries that does not depend on the number of
    indicators, evidence items, reviews or questions."""
    standard = assessment.standard
    scale = {r["code"]: r for r in standard.rating_scale}
    adapted = adaptations(assessment.adapted_set)
    answers = list(_review_answers(assessment))
    seat = rules.review_seats(user).get(assessment.pk)
    summary = (
        AssessmentReview.objects.filter(assessment=assessment)
        .select_related("recommended_by", "reviewer", "findings_released_by")
        .first()
    )
    released = bool(summary and summary.findings_released_at)
    show_findings = rules.can_see_group_findings(user, assessment, released)
    site_team = rules.is_site_team_of(user, assessment)

    reviews = list(
        IndicatorReview.objects.filter(answer__assessment=assessment)
        .select_related("assignment__user")
        .order_by("assignment__assigned_at", "id")
    )
    by_answer_reviews: dict[int, list[IndicatorReview]] = {}
    for review in reviews:
        if rules.can_see_indicator_review(user, review, assessment):
            by_answer_reviews.setdefault(review.answer_id, []).append(review)
    findings = (
        {
            f.answer_id: f
            for f in GroupFinding.objects.filter(answer__assessment=assessment).select_related("recorded_by")
        }
        if show_findings
        else {}
    )
    requests = list(
        InformationRequest.objects.filter(answer__assessment=assessment)
        .select_related("asked_by")
        .prefetch_related(
            Prefetch(
                "replies",
                queryset=InformationReply.objects.select_related("author").prefetch_related(
                    Prefetch(
                        "evidence", queryset=EvidenceItem.objects.only("id", "title", "sensitivity", "assessment_id")
                    )
                ),
            )
        )
        .order_by("created_at", "id")
    )
    by_answer_requests: dict[int, list[InformationRequest]] = {}
    for req in requests:
        for reply in req.replies.all():
            reply.visible_evidence = [i for i in reply.evidence.all() if rules.can_view_evidence(user, i, assessment)]
        by_answer_requests.setdefault(req.answer_id, []).append(req)
    sent_back = (
        AssessmentTransition.objects.filter(assessment=assessment, to_status=Status.CHANGES_REQUESTED)
        .order_by("-at", "-id")
        .values_list("at", flat=True)
        .first()
    )
    # Highlights matter once the site has resubmitted; while it edits, everything is "changing".
    highlight_changes = sent_back is not None and assessment.status not in (Status.CHANGES_REQUESTED,)

    all_items = []
    rows = []
    for answer in answers:
        visible = [i for i in answer.evidence.all() if rules.can_view_evidence(user, i, assessment)]
        all_items.extend(visible)
        row = Row(
            answer=answer,
            adapted=adapted.get(answer.indicator_id),
            site_rating=scale.get(answer.rating),
            evidence=visible,
            group_finding=findings.get(answer.pk),
            requests=by_answer_requests.get(answer.pk, []),
        )
        for review in by_answer_reviews.get(answer.pk, []):
            review.rating_info = scale.get(review.rating)
            review.out_of_date = _changed_after(answer, review.answer_version, review.updated_at)
            if review.assignment.user_id == user.pk:
                row.my_review = review
                row.my_review_out_of_date = review.out_of_date
            else:
                row.other_reviews.append(review)
        if row.group_finding is not None:
            row.group_finding.rating_info = scale.get(row.group_finding.rating)
            row.group_out_of_date = _changed_after(
                answer, row.group_finding.answer_version, row.group_finding.updated_at
            )
        if highlight_changes:
            row.changed_since_sent_back = answer.updated_at > sent_back or any(
                i.uploaded_at > sent_back for i in answer.evidence.all()
            )
        expert_ratings = {r.rating for r in by_answer_reviews.get(answer.pk, [])}
        if row.group_finding is not None:
            expert_ratings.add(row.group_finding.rating)
        row.disagree = bool(answer.rating) and any(r != answer.rating for r in expert_ratings)
        site_met = bool(row.site_rating and row.site_rating.get("counts_as_met"))
        row.unmet = not site_met or any(not (scale.get(r) or {}).get("counts_as_met") for r in expert_ratings)
        if seat is not None and seat.role == AssignmentRole.EXPERT:
            row.reviewed = row.my_review is not None and not row.my_review_out_of_date
        else:
            row.reviewed = row.group_finding is not None and not row.group_out_of_date
        rows.append(row)

    facts = evidence_facts(all_items)
    download = reverse("assessments:evidence-download", args=[0]).replace("/0/", "/{}/")
    pins = []
    for item in all_items:
        # Prepared here rather than in the template: with a thousand items, template logic dominates.
        item.download_url = download.format(item.pk)
        item.thumb_kind = (
            "image" if item.content_type in IMAGE_TYPES else "pdf" if item.content_type == "application/pdf" else "file"
        )
        # `processing_facts` is the attribute the pipeline's own `attach_facts` sets, so its
        # `_facts.html` partial and `evidence_facts` tag find it there too.
        item.processing_facts = facts.get(item.pk)
        position = _position(item.processing_facts)
        if position is not None:
            pins.append({"id": item.pk, "title": item.title, "lon": position[0], "lat": position[1]})
    seen_pins = {}
    for pin in pins:
        seen_pins.setdefault(pin["id"], pin)

    return {
        "rows": rows,
        "scale": [r for r in standard.rating_scale if r.get("allowed_on_submit")],
        "summary": summary,
        "released": released,
        "show_findings": show_findings,
        "site_team": site_team,
        "seat": seat,
        "sent_back_at": sent_back,
        "map": site_map(assessment.protected_area, list(seen_pins.values())),
        "facts_template": facts_template(),
        "counts": {
            "total": len(rows),
            "reviewed": sum(1 for r in rows if r.reviewed),
            "disagree": sum(1 for r in rows if r.disagree),
            "unmet": sum(1 for r in rows if r.unmet),
            "open_requests": sum(r.open_requests for r in rows),
            "changed": sum(1 for r in rows if r.changed_since_sent_back),
        },
    }


def unreviewed_indicators(assessment: Assessment) -> list[str]:
    """Indicator numbers without a current group finding (none yet, or made before the site changed
    the answer)."""
    answers = _review_answers(assessment).select_related("group_finding")
    missing = []
    for answer in answers:
        finding = getattr(answer, "group_finding", None)
        if finding is None or _changed_after(answer, finding.answer_version, finding.updated_at):
            missing.append(answer.indicator.number)
    return missing


def open_requests(assessment: Assessment):
    return (
        InformationRequest.objects.filter(answer__assessment=assessment)
        .exclude(status=RequestStatus.CLOSED)
        .select_related("answer__indicator", "asked_by")
        .order_by("answer__indicator__position", "created_at")
    )


# --- agreement ----------------------------------------------------------------------------------


def assessment_agreement(assessment_ids=None) -> list[dict]:
    """Per assessment: how often the group's findings (and the shared expert ratings) match the
    site's own rating."""
    findings = GroupFinding.objects.all()
    reviews = IndicatorReview.objects.filter(shared=True)
    if assessment_ids is not None:
        findings = findings.filter(answer__assessment_id__in=assessment_ids)
        reviews = reviews.filter(answer__assessment_id__in=assessment_ids)
    per: dict[int, dict] = {}
    for row in findings.values("answer__assessment_id").annotate(
        n=Count("id"), same=Count("id", filter=Q(rating=F("answer__rating")))
    ):
        per.setdefault(row["answer__assessment_id"], {})["findings"] = (row["same"], row["n"])
    for row in reviews.values("answer__assessment_id").annotate(
        n=Count("id"), same=Count("id", filter=Q(rating=F("answer__rating")))
    ):
        per.setdefault(row["answer__assessment_id"], {})["reviews"] = (row["same"], row["n"])
    names = {
        a.pk: a for a in Assessment.objects.filter(pk__in=per.keys()).select_related("protected_area").order_by("id")
    }
    out = []
    for pk, data in sorted(per.items()):
        f_same, f_n = data.get("findings", (0, 0))
        r_same, r_n = data.get("reviews", (0, 0))
        out.append(
            {
                "assessment": names[pk],
                "findings": f_n,
                "findings_agree": f_same,
                "findings_percent": round(100 * f_same / f_n) if f_n else None,
                "reviews": r_n,
                "reviews_agree": r_same,
                "reviews_percent": round(100 * r_same / r_n) if r_n else None,
            }
        )
    return out


def expert_agreement() -> list[dict]:
    """Per expert, over their shared reviews: agreement with the site's rating and with the
    group's finding on the same indicator."""
    rows = (
        IndicatorReview.objects.filter(shared=True)
        .values("assignment__user_id", "assignment__user__email", "assignment__user__full_name")
        .annotate(
            n=Count("id"),
            with_site=Count("id", filter=Q(rating=F("answer__rating"))),
            with_group_n=Count("id", filter=Q(answer__group_finding__isnull=False)),
            with_group=Count("id", filter=Q(rating=F("answer__group_finding__rating"))),
            assessments=Count("answer__assessment_id", distinct=True),
        )
        .order_by("assignment__user__email")
    )
    out = []
    for r in rows:
        out.append(
            {
                "user_id": r["assignment__user_id"],
                "name": r["assignment__user__full_name"] or r["assignment__user__email"],
                "email": r["assignment__user__email"],
                "assessments": r["assessments"],
                "reviews": r["n"],
                "agree_with_site": r["with_site"],
                "site_percent": round(100 * r["with_site"] / r["n"]) if r["n"] else None,
                "compared_with_group": r["with_group_n"],
                "agree_with_group": r["with_group"],
                "group_percent": round(100 * r["with_group"] / r["with_group_n"]) if r["with_group_n"] else None,
            }
        )
    return out


def staff_emails() -> list[str]:
    """Active IUCN staff (and administrators), to tell about declared conflicts."""
    return sorted(
        set(
            RoleAssignment.objects.active()
            .filter(role__in=[Role.IUCN_STAFF, Role.ADMINISTRATOR], user__is_active=True)
            .values_list("user__email", flat=True)
        )
    )


def site_team_emails(assessment: Assessment) -> list[str]:
    return sorted(
        set(
            RoleAssignment.objects.active()
            .filter(role=Role.SITE_MANAGER, protected_area_id=assessment.protected_area_id, user__is_active=True)
            .values_list("user__email", flat=True)
        )
    )
