"""Pages of the conditions on a listing (issue 16): a certificate's conditions (the site team,
the group and reviewer who reviewed it, IUCN staff, the Panel), adding one, the site team's
progress reports, the checker's and staff's moves, and the open conditions the Panel watches.
Thin: the rules are certification.rules', the writes certification.conditions'."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.errors import DomainError, NotAllowed
from core.pages import flash_error, refuse_if_not_allowed

from . import condition_selectors, conditions, rules
from .condition_forms import ConditionForm, ConditionProgressForm, ConditionStatusForm
from .models import ListingCondition


def _rows(request, items):
    """Each condition with what this person may do on it (no query per row: the seats and roles
    are loaded once per request)."""
    user, today = request.user, timezone.localdate()
    for c in items:
        c.overdue = c.is_overdue_on(today)
        c.may_report = c.status == "open" and rules.can_report_condition_progress(user, c)
        c.moves = [m for m in conditions.available_moves(c, user)]
    return items


@login_required
@require_http_methods(["GET", "POST"])
def certificate_conditions(request, number):
    certificate = condition_selectors.get_certificate_with_conditions_for_user(request.user, number)
    may_add = rules.can_add_condition(request.user)
    if request.method == "POST" and not may_add:
        raise PermissionDenied
    form = ConditionForm(request.POST or None) if may_add else None
    error = None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            conditions.condition_add(certificate=certificate, by=request.user, **form.cleaned_data)
        except DomainError as exc:
            refuse_if_not_allowed(exc)
            if exc.field in form.fields:
                form.add_error(exc.field, exc.message)
            else:
                error = exc.message
        else:
            messages.success(request, _("Condition added."))
            return redirect("certification:conditions", number)
    items = _rows(request, condition_selectors.conditions_with_history(certificate))
    return render(
        request,
        "certification/conditions.html",
        {
            "certificate": certificate,
            "area": certificate.protected_area,
            "conditions": items,
            "form": form,
            "error": error,
            "progress_form": ConditionProgressForm(auto_id="progress_%s"),
        },
        status=400 if request.method == "POST" else 200,
    )


def _condition_posted(request, pk, may, act):
    condition = condition_selectors.get_condition_for_user(request.user, pk)
    if not may(request.user, condition):
        raise PermissionDenied
    act(condition)
    return redirect(condition.get_absolute_url())


@login_required
@require_POST
def condition_progress(request, pk):
    def act(condition: ListingCondition) -> None:
        form = ConditionProgressForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Write the progress report."))
            return
        try:
            conditions.condition_report_progress(condition=condition, by=request.user, text=form.cleaned_data["text"])
        except DomainError as exc:
            flash_error(request, exc)
        else:
            messages.success(request, _("Progress report saved."))

    return _condition_posted(request, pk, rules.can_report_condition_progress, act)


def _may_move(user, condition: ListingCondition) -> bool:
    # Who may move it at all (the checker or staff), whatever the status: a closed condition is a 409.
    return rules.can_waive_condition(user) or rules.can_check_condition(user, condition, condition.decision.assessment)


@login_required
@require_POST
def condition_status(request, pk):
    def act(condition: ListingCondition) -> None:
        form = ConditionStatusForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Write a note that says why."))
            return
        try:
            conditions.condition_transition(condition=condition, by=request.user, **form.cleaned_data)
        except DomainError as exc:
            flash_error(request, exc)
        else:
            messages.success(request, _("The condition's status is recorded."))

    return _condition_posted(request, pk, _may_move, act)


@login_required
@require_GET
def open_conditions(request):
    """The Panel's and the secretariat's view: every listed site's open conditions, overdue first."""
    if not rules.can_see_open_conditions(request.user):
        raise PermissionDenied
    today = timezone.localdate()
    items = list(condition_selectors.open_conditions_of_listed()[:500])
    for c in items:
        c.overdue = c.is_overdue_on(today)
    return render(
        request,
        "certification/open_conditions.html",
        {"conditions": items, "overdue_count": sum(c.overdue for c in items)},
    )


# --- the Panel's grant with conditions (the case page's close form) -------------------------------

_ROWS_KEY = "panel_close_rows:%s"
EXTRA_ROWS = 2


def _proposals(case) -> list[str]:
    """The members' proposed conditions (their votes' texts, a line each), offered as a start."""
    from .choices import PanelCoi, PanelVoteChoice
    from .models import PanelVote

    texts = PanelVote.objects.filter(
        seat__case=case, seat__coi_status=PanelCoi.NO_CONFLICT, choice=PanelVoteChoice.GRANT_WITH_CONDITIONS
    ).values_list("conditions", flat=True)
    seen: dict[str, None] = {}
    for text in texts:
        for line in text.splitlines():
            line = line.strip(" -•\t")
            if line:
                seen.setdefault(line, None)
    return list(seen)[:18]


def panel_condition_formset(request, case, *, may_close: bool):
    """The close form's condition rows: after a refused close, the rows as posted with each field's
    error (kept in the session across the redirect); else the members' proposals and empty rows."""
    from .choices import PanelCaseStatus
    from .condition_forms import PanelConditionFormSet

    if not may_close or case.status != PanelCaseStatus.OPEN:
        return None
    kept = request.session.pop(_ROWS_KEY % case.pk, None)
    if kept:
        formset = PanelConditionFormSet(kept["data"], prefix="cond")
        formset.is_valid()
        for i, errors in enumerate(kept.get("errors") or []):
            if i < len(formset.forms):
                for name, messages_ in errors.items():
                    for message in messages_:
                        formset.forms[i].add_error(name if name in formset.forms[i].fields else None, message)
        return formset
    initial = [{"text": text} for text in _proposals(case)]
    formset = PanelConditionFormSet(initial=initial, prefix="cond")
    formset.extra = EXTRA_ROWS
    return formset


def _rows_from(formset) -> list[dict]:
    return [
        {
            "text": form.cleaned_data.get("text", ""),
            "due_on": form.cleaned_data.get("due_on") or "",
            "checked_by": form.cleaned_data.get("checked_by", ""),
        }
        for form in formset.forms
        if form.cleaned_data
    ]


@login_required
@require_POST
def panel_close(request, pk):
    """Record the Panel's decision (the chair, or staff), with the grant's conditions as rows.
    Refused rows come back field by field on the case page; nothing is saved then."""
    from . import panel, selectors
    from .choices import PanelCaseStatus
    from .condition_forms import PanelConditionFormSet
    from .forms import PanelCloseForm

    case, seat = selectors.get_panel_case_for_user(request.user, pk)
    if not rules.can_close_panel_case(request.user, case, seat):
        from . import error_codes

        raise NotAllowed(
            error_codes.PANEL_NOT_CLOSER, _("The Panel's chair (or IUCN staff) records the Panel's decision.")
        )
    form = PanelCloseForm(request.POST)
    formset = PanelConditionFormSet(request.POST, prefix="cond")
    has_rows = formset.management_form.is_valid()

    def keep(errors) -> None:
        data = {k: v for k, v in request.POST.items() if k.startswith("cond-")}
        request.session[_ROWS_KEY % case.pk] = {"data": data, "errors": errors}

    if not form.is_valid() or (has_rows and not formset.is_valid()):
        if has_rows:
            keep([dict(f.errors) for f in formset.forms])
        messages.error(request, _("Check the form: the fields marked below."))
        return redirect(case)
    try:
        closed = panel.panel_case_close(
            case=case,
            by=request.user,
            public_summary=form.cleaned_data["public_summary"],
            conditions=form.cleaned_data["conditions"],
            condition_items=_rows_from(formset) if has_rows else None,
        )
    except DomainError as exc:
        if has_rows:
            keep((exc.data.get("errors") or {}).get("condition_items") or [])
        flash_error(request, exc)
        return redirect(case)
    if closed.status == PanelCaseStatus.DEFERRED:
        messages.success(request, _("The Panel deferred its decision; the case is closed."))
    else:
        messages.success(request, _("The Panel's decision is recorded."))
    return redirect(case)
