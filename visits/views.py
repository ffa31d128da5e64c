"""Site visit pages: thin views over visits.services and visits.selectors (plain forms, no JS needed).

A refused form is shown again with what was typed and the message beside it (status 400/409). An
action the person's role does not allow is a 403 page with the rule's message (core.pages), checked
before the form is read."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from assessments.models import Answer
from assessments.selectors import get_assessment_for_user
from core import error_codes as core_codes
from core.errors import DomainError, NotAllowed
from core.pages import refuse_if_not_allowed

from . import error_codes, rules, selectors, services
from .choices import VISIT_PHASES, VisitStatus
from .forms import CancelForm, EvidenceForm, HeldForm, PlanForm, ReleaseForm


def _form_error(form) -> DomainError:
    field, errs = next(iter(form.errors.items()))
    return DomainError(core_codes.INVALID, " ".join(errs), field=field)


def _refuse_unless_manager(user, assessment) -> None:
    if not rules.can_manage_visits(user, assessment):
        raise NotAllowed(error_codes.VISIT_ROLE, _("Only IUCN staff and the assigned expert group manage site visits."))


def _with_notes_rule(user, visits):
    for visit in visits:
        visit.show_notes = rules.can_see_visit_notes(
            user, visit.assessment, released=visit.notes_released_at is not None
        )
    return visits


def _render(request, template, context, error=None):
    posted = request.POST
    chosen = [int(x) for x in posted.getlist("participants") if x.isascii() and x.isdigit()]
    context.setdefault("chosen", chosen)
    context.setdefault("others_value", posted.get("other_participants", ""))
    context.update(error=error, posted=posted)
    return render(request, template, context, status=error.http_status if error else 200)


# --- an assessment's visits ---------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def visit_list(request, pk):
    user = request.user
    assessment = get_assessment_for_user(user, pk)
    may_manage = rules.can_manage_visits(user, assessment)
    members = list(selectors.group_members(assessment.pk)) if may_manage else []
    error = None
    if request.method == "POST":
        _refuse_unless_manager(user, assessment)
        form = PlanForm(request.POST)
        try:
            if not form.is_valid():
                raise _form_error(form)
            visit = services.visit_plan(assessment=assessment, by=user, **form.cleaned_data)
        except DomainError as exc:
            refuse_if_not_allowed(exc)
            error = exc
        else:
            messages.success(request, _("Visit planned; the site team was told by e-mail."))
            return redirect("visits:detail", visit.pk)
    context = {
        "assessment": assessment,
        "visits": _with_notes_rule(user, selectors.visits_of(assessment.pk, user)),
        "may_plan": may_manage and assessment.status in VISIT_PHASES,
        "members": members,
    }
    return _render(request, "visits/list.html", context, error)


# --- one visit ----------------------------------------------------------------------------------


def _detail(request, visit, error=None):
    user = request.user
    assessment = visit.assessment
    may_manage = rules.can_manage_visits(user, assessment)
    is_open = assessment.status in VISIT_PHASES
    _with_notes_rule(user, [visit])
    context = {
        "assessment": assessment,
        "visit": visit,
        "may_record": may_manage and is_open and visit.status == VisitStatus.PLANNED,
        "may_add_evidence": may_manage and is_open and visit.status == VisitStatus.HELD,
        "may_release": may_manage and visit.status == VisitStatus.HELD and visit.notes_released_at is None,
        "members": list(selectors.group_members(assessment.pk)) if may_manage else [],
        # The record form starts from the plan: its participants, unless the refused form said otherwise.
        **(
            {}
            if error
            else {"chosen": [p.pk for p in visit.participants.all()], "others_value": visit.other_participants}
        ),
        "answers": (
            list(
                Answer.objects.filter(assessment=assessment).select_related("indicator").order_by("indicator__position")
            )
            if may_manage
            else []
        ),
    }
    return _render(request, "visits/detail.html", context, error)


@login_required
@require_http_methods(["GET"])
def visit_detail(request, pk):
    return _detail(request, selectors.get_visit_for_user(request.user, pk))


def _act(request, pk, form_class, act, done: str):
    """Check the role, parse the form, call the service; back to the visit with the outcome."""
    visit = selectors.get_visit_for_user(request.user, pk)
    _refuse_unless_manager(request.user, visit.assessment)
    form = form_class(request.POST, request.FILES)
    try:
        if not form.is_valid():
            raise _form_error(form)
        act(visit, form.cleaned_data)
    except DomainError as exc:
        refuse_if_not_allowed(exc)
        return _detail(request, selectors.get_visit_for_user(request.user, pk), exc)
    messages.success(request, done)
    return redirect("visits:detail", visit.pk)


@login_required
@require_POST
def visit_held(request, pk):
    def act(visit, data):
        services.visit_record_held(visit=visit, by=request.user, **data)

    return _act(request, pk, HeldForm, act, _("Visit recorded as held."))


@login_required
@require_POST
def visit_cancel(request, pk):
    def act(visit, data):
        services.visit_cancel(visit=visit, by=request.user, reason=data["reason"])

    return _act(request, pk, CancelForm, act, _("Visit cancelled."))


@login_required
@require_POST
def visit_release(request, pk):
    def act(visit, data):
        services.visit_notes_release(visit=visit, by=request.user)

    return _act(request, pk, ReleaseForm, act, _("The notes are released to the site team."))


@login_required
@require_POST
def visit_evidence(request, pk):
    def act(visit, data):
        services.visit_evidence_add(
            visit=visit, by=request.user, file=data["file"], title=data["title"], indicators=data["indicators"]
        )

    return _act(request, pk, EvidenceForm, act, _("File added as evidence; it is being processed."))
