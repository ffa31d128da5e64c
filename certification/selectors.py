"""Reads for certification: who reviewed an assessment, what a decision is based on, the public
Green List and certificate verification."""

from __future__ import annotations

import datetime
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.gis.db.models import GeometryField
from django.contrib.gis.db.models.functions import AsGeoJSON, PointOnSurface
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.db.models.expressions import Combinable, NegatedExpression
from django.db.models.functions import Coalesce
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts import rules
from accounts.types import Person, Text
from assessments.choices import Status
from assessments.models import Answer, Assessment, AssessmentTransition
from core.geofunctions import PointX, PointY
from protected_areas.models import ProtectedArea

from . import numbers
from .choices import (
    DEFERRED,
    LISTED_STATUSES,
    VOTE_OUTCOMES,
    CertificateStatus,
    Outcome,
    PanelCaseStatus,
    PanelCoi,
    PanelVoteChoice,
    Verdict,
)
from .models import Certificate, CertificateTransition, PanelCase, PanelSeat

# Phases someone enters only by reviewing: whoever moved an assessment into one of them took part
# in its review and may not decide on it (certification practice, ISO/IEC 17065).
REVIEW_PHASES = (Status.IN_REVIEW, Status.CHANGES_REQUESTED, Status.RECOMMENDED, Status.NOT_RECOMMENDED)


def assessment_reviewer_ids(assessment: Assessment) -> set[int]:
    """Everyone who took part in reviewing this assessment: the one place that says so.

    The people who moved it through review (AssessmentTransition rows), everyone ever assigned to
    review it (experts and independent reviewer, withdrawn assignments too: they have seen the
    file), whoever recorded the group's findings or recommendation, and the reviewer who checked it.
    """
    from reviews.models import AssessmentReview, GroupFinding, ReviewAssignment

    ids = set(
        AssessmentTransition.objects.filter(assessment=assessment, to_status__in=REVIEW_PHASES).values_list(
            "by_id", flat=True
        )
    )
    ids |= set(ReviewAssignment.objects.filter(assessment=assessment).values_list("user_id", flat=True))
    ids |= set(GroupFinding.objects.filter(answer__assessment=assessment).values_list("recorded_by_id", flat=True))
    for people in AssessmentReview.objects.filter(assessment=assessment).values_list(
        "recommended_by_id", "reviewer_id"
    ):
        ids |= {pk for pk in people if pk is not None}
    return ids


def public_findings(assessment: Assessment) -> list[dict[str, Any]]:
    """Findings fit for the public page. The review's findings carry no public flag (they are
    written for the site team and IUCN), so none of them is published; the public text is the
    decision's `public_summary`, which staff write for that purpose."""
    return []


def _internal_findings(assessment: Assessment) -> dict[str, Any]:
    """The group's findings per indicator and its recommendation, for the decision's snapshot."""
    from reviews.models import AssessmentReview, GroupFinding

    findings = [
        {
            "indicator": f.answer.indicator.code,
            "rating": f.rating,
            "finding": f.finding,
            "answer_version": f.answer_version,
        }
        for f in GroupFinding.objects.filter(answer__assessment=assessment)
        .select_related("answer__indicator")
        .order_by("answer__indicator__position")
    ]
    review = AssessmentReview.objects.filter(assessment=assessment).first()
    summary = None
    if review is not None:
        summary = {
            "outcome": review.outcome,
            "reasons": review.reasons,
            "recommended_by": review.recommended_by_id,
            "reviewer_decision": review.reviewer_decision,
            "reviewer_note": review.reviewer_note,
        }
    return {"indicators": findings, "recommendation": summary}


def decision_snapshot(assessment: Assessment) -> dict[str, Any]:
    """What a decision is based on, frozen as JSON: the answers, findings and rating counts."""
    answers = (
        Answer.objects.filter(assessment=assessment)
        .select_related("indicator__criterion")
        .order_by("indicator__position")
    )
    rows = [
        {
            "indicator": a.indicator.code,
            "number": a.indicator.number,
            "criterion": a.indicator.criterion.number,
            "rating": a.rating,
            "justification": a.justification,
            "evidence_date": a.evidence_date.isoformat() if a.evidence_date else None,
            "version": a.version,
        }
        for a in answers
    ]
    return {
        "taken_at": timezone.now().isoformat(),
        "assessment": {
            "id": assessment.pk,
            "cycle": assessment.cycle,
            "year": assessment.year,
            "status": assessment.status,
            "standard": str(assessment.standard_id),
            "protected_area": assessment.protected_area_id,
        },
        "answers": rows,
        "findings": _internal_findings(assessment),
        "scores": dict(Counter(r["rating"] or "not_rated" for r in rows)),
    }


def site_team_language(area: ProtectedArea) -> str:
    """The language the site team reads: the one most of its active managers chose (en if none)."""
    from accounts.choices import Role
    from accounts.models import RoleAssignment

    languages = Counter(
        RoleAssignment.objects.active()
        .filter(role=Role.SITE_MANAGER, protected_area=area, user__is_active=True)
        .values_list("user__language", flat=True)
    )
    return languages.most_common(1)[0][0] if languages else "en"


def site_team_emails(area_ids: Iterable[int]) -> dict[int, list[str]]:
    from accounts.choices import Role
    from accounts.models import RoleAssignment

    out: dict[int, list[str]] = {}
    rows = (
        RoleAssignment.objects.active()
        .filter(role=Role.SITE_MANAGER, protected_area_id__in=list(area_ids), user__is_active=True)
        .values_list("protected_area_id", "user__email")
        .order_by("user__email")
    )
    for area_id, email in rows:
        out.setdefault(area_id, []).append(email)
    return out


def staff_emails() -> list[str]:
    from accounts.choices import Role
    from accounts.models import RoleAssignment

    return sorted(
        set(
            RoleAssignment.objects.active()
            .filter(role__in=[Role.IUCN_STAFF, Role.ADMINISTRATOR], user__is_active=True)
            .values_list("user__email", flat=True)
        )
    )


def awaiting_decision() -> QuerySet[Assessment]:
    return (
        Assessment.objects.filter(status__in=[Status.RECOMMENDED, Status.NOT_RECOMMENDED])
        .select_related("protected_area", "standard")
        .order_by("updated_at")
    )


def get_certificate_for_user(user: Person, number: str) -> Certificate:
    """The certificate if this person may see it (`Certificate.objects.visible_to`: IUCN staff, the
    certified site's team), else 404: the one lookup of the certificate page, its status forms and
    the API's certificate, so that every path gives the same answer."""
    try:
        return (
            Certificate.objects.visible_to(user)
            .select_related("protected_area", "standard", "decision__decided_by", "decision__assessment")
            .prefetch_related(Prefetch("transitions", CertificateTransition.objects.select_related("by")))
            .get(number=number)
        )
    except Certificate.DoesNotExist:
        raise Http404("No such certificate.") from None


def get_certificate_pdf_for_user(user: Person, number: str) -> Certificate:
    """The certificate whose PDF this person may download (IUCN staff, the certified site's team),
    else 404: the one rule of the certificate page's download and the API's."""
    certificate = get_certificate_for_user(user, number)
    if not rules.can_download_certificate(user, certificate):
        raise Http404("No such certificate.")
    return certificate


# --- the public Green List ------------------------------------------------------------------------


def _latest_certificate_q() -> NegatedExpression[Combinable]:
    """Only an area's newest certificate speaks for it (an older cycle's may be expired)."""
    newer = Certificate.objects.filter(protected_area_id=OuterRef("protected_area_id")).filter(
        Q(granted_on__gt=OuterRef("granted_on")) | Q(granted_on=OuterRef("granted_on"), id__gt=OuterRef("id"))
    )
    return ~Exists(newer)


def public_certificates(*, listed_only: bool = True) -> QuerySet[Certificate]:
    qs = (
        Certificate.objects.filter(_latest_certificate_q())
        .select_related("protected_area", "standard")
        .order_by("protected_area__name", "id")
    )
    if listed_only:
        qs = qs.filter(status__in=LISTED_STATUSES)
    return qs


def with_application_sites(certificates: QuerySet[Certificate]) -> QuerySet[Certificate]:
    """The certificates with their multi-site application's other sites loaded (issue 16), in one more
    query however many: `certificate.decision.assessment.extra_sites.all()`, each with its area."""
    from assessments.models import AssessmentSite

    return certificates.select_related("decision__assessment").prefetch_related(
        Prefetch(
            "decision__assessment__extra_sites",
            queryset=AssessmentSite.objects.select_related("protected_area").order_by("protected_area__name", "id"),
        )
    )


def _map_shape() -> Coalesce:
    """What maps draw of an area: its display boundary, else its boundary, else its point."""
    return Coalesce(
        "protected_area__geom_display", "protected_area__geom", "protected_area__point", output_field=GeometryField()
    )


def public_places() -> list[dict[str, Any]]:
    """Where the Green List's world map marks each listed area (`public_certificates`): its id,
    name, certificate status and `lon`/`lat` of a point on its surface (a centroid can fall
    outside a crescent-shaped or many-part area), or of its point. Plain values in one query: the
    map marks every listed area, while the table beside it shows a page of them."""
    place = PointOnSurface(_map_shape())
    rows: Any = (
        public_certificates()
        .annotate(lon=PointX(place), lat=PointY(place))
        .values("protected_area_id", "protected_area__name", "status", "lon", "lat")
    )
    return list(rows)


def public_map(*, area_id: int | None = None) -> dict[str, Any]:
    """The public Green List map as a GeoJSON FeatureCollection: the boundaries of listed areas,
    or of one area whatever its status (`area_id`, its page's map), simplified for display."""
    certificates = public_certificates(listed_only=area_id is None)
    if area_id is not None:
        certificates = certificates.filter(protected_area_id=area_id)
    rows = certificates.annotate(shape=AsGeoJSON(_map_shape(), precision=5)).values(
        "protected_area_id", "protected_area__name", "status", "shape"
    )
    features = [
        {
            "type": "Feature",
            "geometry": json.loads(r["shape"]) if r["shape"] else None,
            "properties": {
                "id": r["protected_area_id"],
                "name": r["protected_area__name"],
                "status": r["status"],
                "url": reverse("certification:area-short", args=[r["protected_area_id"]]),
            },
        }
        for r in rows
    ]
    return {"type": "FeatureCollection", "features": features}


def public_area_certificate(pk: int) -> Certificate:
    """The newest certificate of an area that has ever been on the Green List, else 404."""
    cert = (
        public_certificates(listed_only=False)
        .select_related("decision__assessment")
        .filter(protected_area_id=pk)
        .first()
    )
    if cert is None:
        raise Http404("This area has never been on the Green List.")
    return cert


@dataclass(frozen=True)
class Verification:
    verdict: str
    message: Text
    number: str
    certificate: Certificate | None = None

    @property
    def valid(self) -> bool:
        return self.verdict == Verdict.VALID


def verify(raw: str, *, today: datetime.date | None = None) -> Verification:
    """Is this certificate number valid today? Never raises for any input."""
    today = today or timezone.localdate()
    shown = (raw or "")[: numbers.MAX_INPUT]
    try:
        number = numbers.normalise(raw)
    except numbers.NumberProblem as problem:
        if problem.kind == "typo":
            return Verification(
                Verdict.TYPO,
                _("This is not a valid certificate number: one character is wrong. Check it for a typing mistake."),
                shown,
            )
        return Verification(
            Verdict.MALFORMED,
            _("This is not a certificate number. Green List certificate numbers look like GL-2026-ABCD-EFGH."),
            shown,
        )
    cert = Certificate.objects.select_related("protected_area", "standard").filter(number=number).first()
    if cert is None:
        return Verification(Verdict.UNKNOWN, _("No Green List certificate has this number."), number)
    if cert.status == CertificateStatus.WITHDRAWN:
        return Verification(Verdict.WITHDRAWN, _("This certificate has been withdrawn."), number, cert)
    if cert.status == CertificateStatus.EXPIRED or today >= cert.expires_on:
        return Verification(Verdict.EXPIRED, _("This certificate has expired."), number, cert)
    if cert.status == CertificateStatus.SUSPENDED:
        return Verification(Verdict.SUSPENDED, _("This certificate is suspended."), number, cert)
    return Verification(Verdict.VALID, _("This certificate is valid today."), number, cert)


# --- the Green List Panel (issue 16) ------------------------------------------------------------


@dataclass(frozen=True)
class PanelTally:
    """Where a case's vote stands under the Panel's rule (settings GREENLIST_PANEL_QUORUM and
    GREENLIST_PANEL_RULE). Only members free of conflict vote, so only they count: towards the
    quorum (those who voted) and the rule (the votes they cast)."""

    seats: int
    clear: int
    conflicted: int
    pending: int
    cast: int
    by_choice: dict[str, int]
    by_outcome: dict[str, int]
    quorum: int
    rule: str

    @property
    def quorum_met(self) -> bool:
        return self.cast >= self.quorum

    @property
    def leading(self) -> str | None:
        """The outcome (granted, declined, or deferred) the rule picks among the votes cast, or
        None: a tie under "majority", a split under "unanimous"."""
        for outcome, n in self.by_outcome.items():
            if n and (n * 2 > self.cast if self.rule == "majority" else n == self.cast):
                return outcome
        return None

    @property
    def outcome(self) -> str | None:
        """What the Panel decided, once the rule is met: an Outcome, DEFERRED, or None."""
        return self.leading if self.quorum_met else None

    @property
    def with_conditions(self) -> int:
        return self.by_choice.get(PanelVoteChoice.GRANT_WITH_CONDITIONS, 0)


def panel_tally(case: PanelCase) -> PanelTally:
    from django.conf import settings

    seats = list(PanelSeat.objects.filter(case=case).select_related("vote"))
    votes = [s.vote for s in seats if s.coi_status == PanelCoi.NO_CONFLICT and hasattr(s, "vote")]
    by_choice = Counter(v.choice for v in votes)
    by_outcome = Counter(VOTE_OUTCOMES[v.choice] for v in votes)
    return PanelTally(
        seats=len(seats),
        clear=sum(s.coi_status == PanelCoi.NO_CONFLICT for s in seats),
        conflicted=sum(s.coi_status == PanelCoi.CONFLICT for s in seats),
        pending=sum(s.coi_status == PanelCoi.PENDING for s in seats),
        cast=len(votes),
        by_choice={c: by_choice.get(c, 0) for c in PanelVoteChoice.values},
        by_outcome={o: by_outcome.get(o, 0) for o in (Outcome.GRANTED, Outcome.DECLINED, DEFERRED)},
        quorum=settings.GREENLIST_PANEL_QUORUM,
        rule=settings.GREENLIST_PANEL_RULE,
    )


def panel_cases_for(user: Person) -> QuerySet[PanelCase]:
    """Every case for the secretariat; the cases a member sits on for a member; none otherwise."""
    qs = PanelCase.objects.select_related("assessment__protected_area", "assessment__standard", "opened_by", "decision")
    if rules.is_iucn_staff(user):
        return qs
    if not user.is_authenticated:
        return qs.none()
    return qs.filter(seats__user=user)


def get_panel_case_for_user(user: Person, pk: int | str) -> tuple[PanelCase, PanelSeat | None]:
    """The case and the person's seat on it, or 404 for anyone who may not see it (and for an id
    that is no number: an API path can carry anything)."""
    if not (str(pk).isascii() and str(pk).isdigit()):  # '²' is a digit int() refuses
        raise Http404("No such Panel case.")
    case = panel_cases_for(user).filter(pk=pk).first()
    if case is None:
        raise Http404("No such Panel case.")
    if not user.is_authenticated or user.pk is None:
        return case, None
    return case, PanelSeat.objects.filter(case=case, user_id=user.pk).first()


def panel_seats_awaiting(user: Person) -> list[PanelSeat]:
    """The member's open cases still waiting on them: a declaration, or (free of conflict) a vote."""
    if not rules.is_panel_member(user) or user.pk is None:
        return []
    return list(
        PanelSeat.objects.filter(case__status=PanelCaseStatus.OPEN, user_id=user.pk)
        .filter(Q(coi_status=PanelCoi.PENDING) | Q(coi_status=PanelCoi.NO_CONFLICT, vote__isnull=True))
        .select_related("case__assessment__protected_area")
        .order_by("case__opened_at", "case_id")
    )


def open_panel_case_ids(assessment_ids: Iterable[int]) -> dict[int, int]:
    """assessment id -> its open case's id (the staff dashboard links each to its case)."""
    return dict(
        PanelCase.objects.filter(assessment_id__in=list(assessment_ids), status=PanelCaseStatus.OPEN).values_list(
            "assessment_id", "id"
        )
    )


def guard_panel_decided(assessment: Assessment, target: str) -> None:
    """The workflow's guard on "decided": an open Panel case on the assessment whose rule is met
    (certification.panel.panel_case_close records the decision and makes the move together)."""
    from core.errors import Conflict

    from . import error_codes

    case = PanelCase.objects.filter(assessment_id=assessment.pk, status=PanelCaseStatus.OPEN).first()
    if case is None or panel_tally(case).outcome not in Outcome.values:
        raise Conflict(
            error_codes.PANEL_DECIDES,
            gettext("The assessment is decided only on the Green List Panel's decision (its case's vote)."),
        )
