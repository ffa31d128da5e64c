"""Pages of the IUCN Green List Panel (issue 16): the cases list, opening a case (staff), one
case (declare, vote, see the tally when allowed, record the decision). Thin: the rules are in
certification.rules and accounts.rules, the writes in certification.panel."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import rules as account_rules
from accounts.selectors import panel_members
from assessments.selectors import get_assessment_for_user
from core.errors import DomainError, NotAllowed
from core.pages import flash_error, refuse_if_not_allowed

from . import error_codes, panel, rules, selectors, services
from .choices import PanelCaseStatus
from .condition_views import panel_condition_formset
from .forms import PanelCloseForm, PanelDeclareForm, PanelOpenForm, PanelVoteForm
from .models import PanelSeat


def _basis(snapshot, standard):
    """The snapshot's codes as the reader's words (the group's outcome, the reviewer's decision,
    the scores' ratings as the Standard version's scale names them), for the "what the Panel
    decides on" box."""
    from django.utils.translation import gettext

    from reviews.choices import Outcome, ReviewerDecision

    rec = (snapshot or {}).get("findings", {}).get("recommendation") or {}
    labels = {**dict(Outcome.choices), **dict(ReviewerDecision.choices)}
    scale = {r["code"]: r.get("label") or r["code"] for r in standard.localized_scale()}
    scale.setdefault("not_rated", gettext("Not rated"))
    scores = [(scale.get(code, code), n) for code, n in ((snapshot or {}).get("scores") or {}).items()]
    return {
        "outcome": labels.get(rec.get("outcome"), ""),
        "reviewer": labels.get(rec.get("reviewer_decision"), ""),
        "scores": scores,
    }


@login_required
@require_GET
def panel_cases(request):
    """The secretariat: every case, and the assessments waiting for one. A member: their cases."""
    user = request.user
    if not (account_rules.is_iucn_staff(user) or account_rules.is_panel_member(user)):
        raise PermissionDenied
    cases = list(selectors.panel_cases_for(user)[:200])
    seats = {s.case_id: s for s in PanelSeat.objects.filter(case__in=cases, user_id=user.pk)}
    for case in cases:
        case.my_seat = seats.get(case.pk)
    waiting = []
    if account_rules.can_open_panel_case(user):
        awaiting = list(selectors.awaiting_decision())
        open_ids = selectors.open_panel_case_ids(a.pk for a in awaiting)
        waiting = [a for a in awaiting if a.pk not in open_ids]
    return render(request, "certification/panel_cases.html", {"cases": cases, "waiting": waiting})


@login_required
@require_http_methods(["GET", "POST"])
def panel_case_open(request, pk):
    assessment = get_assessment_for_user(request.user, pk)
    if not account_rules.can_open_panel_case(request.user):
        raise PermissionDenied
    candidates = panel_members()
    reviewers = selectors.assessment_reviewer_ids(assessment)
    snapshot = selectors.decision_snapshot(assessment) if assessment.status in services.DECIDABLE else None
    form = PanelOpenForm(request.POST or None, members_queryset=candidates)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            case = panel.panel_case_open(assessment=assessment, by=request.user, members=form.cleaned_data["members"])
        except DomainError as exc:
            refuse_if_not_allowed(exc)
            error = exc.message
        else:
            messages.success(request, _("Panel case opened; its members have been e-mailed."))
            return redirect(case)
    return render(
        request,
        "certification/panel_open.html",
        {
            "assessment": assessment,
            "form": form,
            "error": error,
            "reviewers": [m for m in candidates if m.pk in reviewers],
            "decidable": assessment.status in services.DECIDABLE,
            "snapshot": snapshot,
            "basis": _basis(snapshot, assessment.standard),
        },
        status=400 if error or form.errors else 200,
    )


@login_required
@require_GET
def panel_case(request, pk):
    case, seat = selectors.get_panel_case_for_user(request.user, pk)
    user = request.user
    see_votes = rules.can_see_panel_votes(user, case, seat)
    seats = list(case.seats.select_related("user", "vote")) if see_votes or account_rules.is_iucn_staff(user) else []
    vote = getattr(seat, "vote", None) if seat is not None else None
    snapshot = case.decision.snapshot if case.decision_id else selectors.decision_snapshot(case.assessment)
    is_open = case.status == PanelCaseStatus.OPEN
    may_close = is_open and rules.can_close_panel_case(user, case, seat)
    return render(
        request,
        "certification/panel_case.html",
        {
            "case": case,
            "seat": seat,
            "seats": seats,
            "see_votes": see_votes,
            "tally": selectors.panel_tally(case) if see_votes else None,
            "snapshot": snapshot,
            "basis": _basis(snapshot, case.assessment.standard),
            "declare_form": PanelDeclareForm() if rules.can_declare_on_case(user, case, seat) else None,
            "vote_form": (
                PanelVoteForm(initial={"choice": vote.choice, "reasons": vote.reasons, "conditions": vote.conditions})
                if vote
                else PanelVoteForm()
            )
            if rules.can_vote_on_case(user, case, seat)
            else None,
            # Its own ids: the vote form beside it has a `conditions` field too. Only while the case is
            # open: a decided case's page shows the decision, not a form to record it again.
            "close_form": PanelCloseForm(auto_id="close_%s") if may_close else None,
            # The grant's conditions as rows (issue 16): certification.condition_views.
            "condition_formset": panel_condition_formset(request, case, may_close=may_close),
            "is_open": is_open,
        },
    )


def _posted(request, pk, form_class, act, *, may=lambda user, case, seat: seat is not None):
    """Run one POST of the case page: who may act at all first (403, before the form is read),
    then the form and the service; other refusals are flashed, and the page is shown again."""
    case, seat = selectors.get_panel_case_for_user(request.user, pk)
    if not may(request.user, case, seat):
        raise NotAllowed(error_codes.PANEL_NOT_MEMBER, _("Only the members sitting on this case do this."))
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the form: %(fields)s.") % {"fields": ", ".join(form.errors)})
        return redirect(case)
    try:
        act(case, form.cleaned_data)
    except DomainError as exc:
        flash_error(request, exc)
    return redirect(case)


@login_required
@require_POST
def panel_declare(request, pk):
    def act(case, data):
        panel.panel_declare(case=case, by=request.user, has_conflict=data["has_conflict"], note=data["note"])
        messages.success(request, _("Declaration recorded."))

    return _posted(request, pk, PanelDeclareForm, act)


@login_required
@require_POST
def panel_vote(request, pk):
    def act(case, data):
        panel.panel_vote(case=case, by=request.user, **data)
        messages.success(request, _("Vote recorded."))

    return _posted(request, pk, PanelVoteForm, act)


# Recording the Panel's decision (its close form) is certification.condition_views.panel_close: the
# grant's conditions come as rows (issue 16).
