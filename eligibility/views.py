"""The eligibility gate's page: the pre-check and the site's answers for everyone involved, and
the forms of those who record (experts, the independent reviewer, IUCN staff)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from accounts import rules as account_rules
from core.errors import DomainError
from core.pages import refuse_if_not_allowed

from . import rules, selectors, services
from .choices import Step

_SAVED = {
    Step.EVALUATION: _("The group's evaluation is recorded."),
    Step.CHECK: _("Your check is recorded."),
    Step.OVERRIDE: _("The override is recorded: the site may now be accepted as a candidate."),
}


def _record(request, assessment, step: str):
    reasons = request.POST.get("reasons", "")
    positive = request.POST.get("verdict") == "yes"
    if step == Step.EVALUATION:
        return services.evaluation_record(assessment=assessment, by=request.user, eligible=positive, reasons=reasons)
    if step == Step.CHECK:
        return services.check_record(assessment=assessment, by=request.user, confirmed=positive, reasons=reasons)
    return services.override_record(assessment=assessment, by=request.user, reasons=reasons)


@login_required
@require_http_methods(["GET", "POST"])
def eligibility_page(request, pk):
    assessment, jurisdiction_id = selectors.get_assessment_for_eligibility(request.user, pk)
    error, posted = None, {}
    if request.method == "POST":
        step = request.POST.get("step", "")
        if step in Step.values:
            try:
                _record(request, assessment, step)
            except DomainError as exc:
                refuse_if_not_allowed(exc)
                error, posted = exc, {"step": step, "reasons": request.POST.get("reasons", "")}
            else:
                messages.success(request, str(_SAVED[Step(step)]))
                return redirect("eligibility:page", pk=assessment.pk)
    state = selectors.gate_state(assessment)
    is_open = selectors.gate_is_open(assessment)
    context = {
        "assessment": assessment,
        "state": state,
        "is_open": is_open,
        "may_evaluate": is_open and rules.can_record_evaluation(request.user, assessment, jurisdiction_id),
        "may_check": is_open and rules.can_record_check(request.user, assessment) and state.evaluation is not None,
        "may_override": is_open and rules.can_override(request.user) and not state.established,
        "may_accept": is_open and state.established and account_rules.can_accept_candidate(request.user, assessment),
        "may_view_assessment": account_rules.can_view_assessment(request.user, assessment),
        "error": error,
        "posted": posted,
    }
    return render(request, "eligibility/page.html", context, status=error.http_status if error else 200)
