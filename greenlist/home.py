"""The home page: what this person has to do next, gathered from every app.

It lives in the project package, above all the apps (docs/architecture.md): a signed-in person's
home shows their sites with the newest assessment of each, their review assignments and, for
staff, the portfolio and lapsing accreditations. accounts, below those apps, cannot compose it.
"""

from typing import Any

from django.db.models import Count, Q
from django.shortcuts import render

from accounts import rules
from accounts.models import User
from accounts.selectors import accreditations_lapsing
from assessments.choices import EDITABLE_STATUSES, Status
from assessments.models import Answer, Assessment
from certification.choices import PanelCoi
from certification.selectors import awaiting_decision, open_panel_case_ids, panel_seats_awaiting
from eligibility.worklists import gate_work
from evidence.choices import ProcessingStatus
from evidence.models import EvidenceItem
from protected_areas.models import ProtectedArea
from reviews.choices import RequestStatus
from reviews.models import InformationRequest
from reviews.selectors import my_assignments
from standards.models import Standard
from standards.onboarding import jurisdictions_below_minimum

# Ratings that leave an indicator still to do on the site team's worklist.
UNANSWERED = Q(rating="") | Q(rating="not_assessed")
# Phases after submission in which a review group should be at work.
REVIEW_PHASES = (Status.SUBMITTED, Status.IN_REVIEW, Status.RESUBMITTED)


def _site_manager_work(user: User, area_ids: frozenset[int]) -> dict[str, Any]:
    """Each site with its newest assessment, what is left to answer in it, and the reviewers'
    open questions (a fixed number of queries, however many sites)."""
    sites = list(
        ProtectedArea.objects.filter(pk__in=area_ids).only("id", "name", "iso3", "iucn_category", "designation_eng")
    )
    latest: dict[int, Assessment] = {}
    for assessment in Assessment.objects.filter(protected_area__in=sites).order_by("protected_area_id", "-cycle"):
        latest.setdefault(assessment.protected_area_id, assessment)
    left = dict(
        Answer.objects.filter(assessment__in=latest.values())
        .values("assessment_id")
        .annotate(n=Count("id", filter=UNANSWERED))
        .values_list("assessment_id", "n")
    )
    for site in sites:
        site.latest_assessment = latest.get(site.pk)
        if site.latest_assessment is not None:
            site.latest_assessment.left = left.get(site.latest_assessment.pk, 0)
            site.latest_assessment.editable = site.latest_assessment.status in EDITABLE_STATUSES
    # What the team can act on first: cycles still open to answers, then the rest, by name.
    sites.sort(key=lambda site: (not getattr(site.latest_assessment, "editable", False), site.name))
    questions = list(
        InformationRequest.objects.filter(status=RequestStatus.OPEN, answer__assessment__protected_area_id__in=area_ids)
        .select_related("answer__indicator", "answer__assessment__protected_area", "asked_by")
        .order_by("created_at", "id")[:20]
    )
    return {"my_sites": sites, "open_questions": questions}


def _staff_work() -> dict[str, Any]:
    """What IUCN staff have to act on: decisions due, groups to form, evidence that failed."""
    to_assign = (
        Assessment.objects.filter(status__in=REVIEW_PHASES)
        .annotate(n_seats=Count("review_assignments", filter=Q(review_assignments__removed_at__isnull=True)))
        .filter(n_seats=0)
        .select_related("protected_area")
        .order_by("submitted_at", "id")
    )
    decisions_due = list(awaiting_decision()[:10])
    # Each links to its open Panel case, or to the page that opens one (issue 16).
    open_cases = open_panel_case_ids(a.pk for a in decisions_due)
    for assessment in decisions_due:
        setattr(assessment, "panel_case_id", open_cases.get(assessment.pk))  # noqa: B010 - for the template
    return {
        "portfolio_area_count": ProtectedArea.objects.count(),
        "lapsing": accreditations_lapsing()[:10],
        # Expert groups smaller than the programme asks (issue 16: at least ten accredited experts).
        "thin_groups": list(jurisdictions_below_minimum()[:10]),
        "decisions_due": decisions_due,
        "to_assign": list(to_assign[:10]),
        "failed_evidence": list(
            EvidenceItem.objects.filter(processing_status=ProcessingStatus.FAILED)
            .select_related("assessment__protected_area")
            .order_by("-uploaded_at", "-id")[:10]
        ),
    }


def _keeper_work() -> dict[str, Any]:
    return {"standard_drafts": list(Standard.objects.filter(status=Standard.Status.DRAFT).order_by("-loaded_at")[:10])}


def home_context(user: User) -> dict[str, Any]:
    roles = rules.active_roles(user)
    context: dict[str, Any] = {"active": roles}
    if roles.managed_area_ids:
        context.update(_site_manager_work(user, roles.managed_area_ids))
    if roles.expert_jurisdiction_ids or roles.independent_reviewer:
        context["my_assignments"] = list(my_assignments(user)[:20])
    if roles.iucn_staff:
        context.update(_staff_work())
    if roles.standard_committee:
        context.update(_keeper_work())
    if roles.panel_member:
        context["panel_seats"] = seats = panel_seats_awaiting(user)
        # What each seat waits for: the member's declaration of conflicts, else (free of conflict) the vote.
        context["panel_to_declare"] = [s for s in seats if s.coi_status == PanelCoi.PENDING]
        context["panel_to_vote"] = [s for s in seats if s.coi_status != PanelCoi.PENDING]
    if roles.expert_jurisdiction_ids or roles.independent_reviewer or roles.iucn_staff:
        # The eligibility gate closing the application phase (issue 16): evaluations, checks, moves.
        context["gate_work"] = gate_work(user)
    return context


def home(request):
    """The role's home page: what this person has to do next."""
    if not request.user.is_authenticated:
        return render(request, "home_public.html")
    return render(request, "home.html", home_context(request.user))
