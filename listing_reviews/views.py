"""Pages of the reviews of a listed site: thin views over listing_reviews.services and selectors
(plain forms, no JS needed). A role that may not act gets a 403 page with the rule's message, checked
before the form is read; a refused form is shown again with the message beside it (400/409)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from certification.conditions import conditions_for
from core import error_codes as core_codes
from core.errors import DomainError, NotAllowed
from core.pages import refuse_if_not_allowed

from . import error_codes, rules, selectors, services
from .choices import MidtermStatus
from .forms import EvidenceForm, GroupReviewForm, PanelForm, StartForm, UpdateForm


def _form_error(form) -> DomainError:
    field, errs = next(iter(form.errors.items()))
    return DomainError(core_codes.INVALID, " ".join(errs), field=field)


def _refuse(allowed: bool, code: str, message: str) -> None:
    if not allowed:
        raise NotAllowed(code, message)


@login_required
@require_GET
def review_list(request):
    _refuse(rules.can_list_reviews(request.user), error_codes.MIDTERM_ROLE, _("Only IUCN staff see every review."))
    return render(request, "listing_reviews/list.html", {"open": selectors.open_reviews()})


# --- the mid-term review ------------------------------------------------------------------------------


def _midterm_page(request, review, error=None):
    user = request.user
    context = {
        "review": review,
        "certificate": review.certificate,
        "area": review.certificate.protected_area,
        "conditions": review.certificate.decision.conditions,
        "listing_conditions": list(conditions_for(review.certificate)),
        "condition_reports": selectors.progress_filed_with(review),
        "may_file": rules.can_file_update(user, review) and review.status == MidtermStatus.OPENED,
        "may_review": rules.can_review_update(user, review) and review.status == MidtermStatus.UPDATE_FILED,
        "may_panel": rules.can_record_panel_outcome(user, review) and review.status == MidtermStatus.GROUP_REVIEWED,
        "panel_outcomes": PanelForm.base_fields["outcome"].choices,
        "error": error,
        "posted": request.POST,
    }
    return render(request, "listing_reviews/midterm.html", context, status=error.http_status if error else 200)


@login_required
@require_GET
def midterm_detail(request, pk):
    return _midterm_page(request, selectors.get_midterm_for_user(request.user, pk))


def _midterm_act(request, pk, allowed, refusal: str, form_class, act, done: str):
    review = selectors.get_midterm_for_user(request.user, pk)
    _refuse(allowed(request.user, review), error_codes.MIDTERM_ROLE, refusal)
    form = form_class(request.POST, request.FILES)
    try:
        if not form.is_valid():
            raise _form_error(form)
        act(review, form.cleaned_data)
    except DomainError as exc:
        refuse_if_not_allowed(exc)
        return _midterm_page(request, selectors.get_midterm_for_user(request.user, pk), exc)
    messages.success(request, done)
    return redirect("listing_reviews:midterm", review.pk)


@login_required
@require_POST
def midterm_update(request, pk):
    def act(review, data):
        progress = {
            int(key.removeprefix("progress_")): value
            for key, value in request.POST.items()
            if key.startswith("progress_")
            and key.removeprefix("progress_").isascii()
            and key.removeprefix("progress_").isdigit()
        }
        services.midterm_update_file(review=review, by=request.user, progress=progress, **data)

    return _midterm_act(
        request,
        pk,
        rules.can_file_update,
        _("Only the site's team files the mid-term update."),
        UpdateForm,
        act,
        _("Update filed; the expert group reviews it."),
    )


@login_required
@require_POST
def midterm_evidence(request, pk):
    def act(review, data):
        services.midterm_evidence_add(review=review, by=request.user, file=data["file"], title=data["title"])

    return _midterm_act(
        request,
        pk,
        rules.can_file_update,
        _("Only the site's team adds the update's monitoring evidence."),
        EvidenceForm,
        act,
        _("File added as monitoring evidence; it is being processed."),
    )


@login_required
@require_POST
def midterm_group_review(request, pk):
    def act(review, data):
        services.midterm_group_review(review=review, by=request.user, findings=data["findings"])

    return _midterm_act(
        request,
        pk,
        rules.can_review_update,
        _("Only an expert of the group that reviewed the listed cycle records the group's review."),
        GroupReviewForm,
        act,
        _("The group's review is recorded; the Panel considers it."),
    )


@login_required
@require_POST
def midterm_panel(request, pk):
    def act(review, data):
        services.midterm_panel_record(review=review, by=request.user, outcome=data["outcome"], note=data["note"])

    return _midterm_act(
        request,
        pk,
        rules.can_record_panel_outcome,
        _("Only the Green List Panel's chair records the Panel's view."),
        PanelForm,
        act,
        _("The Panel's view is recorded."),
    )


# --- the renewal review -------------------------------------------------------------------------------


def _renewal_page(request, review, error=None):
    state = selectors.renewal_state(review)
    context = {
        "review": review,
        "certificate": review.certificate,
        "area": review.certificate.protected_area,
        "state": state,
        "state_label": dict(selectors.RenewalState.choices)[state],
        "rule": selectors.RENEWAL_STATUS_RULE,
        "may_start": rules.can_start_renewal(request.user, review) and review.assessment_id is None,
        "error": error,
    }
    return render(request, "listing_reviews/renewal.html", context, status=error.http_status if error else 200)


@login_required
@require_GET
def renewal_detail(request, pk):
    return _renewal_page(request, selectors.get_renewal_for_user(request.user, pk))


@login_required
@require_POST
def renewal_start(request, pk):
    review = selectors.get_renewal_for_user(request.user, pk)
    _refuse(
        rules.can_start_renewal(request.user, review),
        error_codes.RENEWAL_ROLE,
        _("Only the site's team starts the renewal cycle."),
    )
    StartForm(request.POST)
    try:
        assessment = services.renewal_start(review=review, by=request.user)
    except DomainError as exc:
        refuse_if_not_allowed(exc)
        return _renewal_page(request, selectors.get_renewal_for_user(request.user, pk), exc)
    messages.success(request, _("The renewal cycle is started, prefilled from the listed one."))
    return redirect("assessments:detail", assessment.pk)
