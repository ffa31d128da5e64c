"""Pages for site teams: list, start, fill in (with a plain-POST fallback), submit."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import rules
from core.errors import DomainError
from evidence.services import evidence_upload, max_upload_bytes
from protected_areas.models import ProtectedArea

from . import selectors, services, workflow
from .choices import Status
from .forms import AnswerForm, EvidenceForm, StartForm
from .models import Answer


@login_required
@require_GET
def assessment_list(request):
    assessments = list(selectors.assessments_for(request.user))
    managed = ProtectedArea.objects.filter(pk__in=rules.managed_area_ids(request.user)).order_by("name")
    latest = {}
    for a in assessments:
        latest.setdefault(a.protected_area_id, a)
    sites = [
        {"area": area, "latest": latest.get(area.pk), "form": StartForm(initial={"protected_area": area.pk})}
        for area in managed
    ]
    return render(request, "assessments/list.html", {"assessments": assessments, "sites": sites})


@login_required
@require_POST
def assessment_start(request):
    form = StartForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a valid year."))
        return redirect("assessments:list")
    area = get_object_or_404(ProtectedArea, pk=form.cleaned_data["protected_area"])
    if not rules.can_start_assessment(request.user, area):
        raise Http404
    previous = selectors.previous_cycle(area) if form.cleaned_data["prefill"] else None
    try:
        assessment = services.assessment_create(
            protected_area=area, user=request.user, year=form.cleaned_data["year"], previous=previous
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("assessments:list")
    messages.success(request, _("Assessment started: cycle %(n)s.") % {"n": assessment.cycle})
    return redirect(assessment)


def _detail_context(request, assessment, errors=None):
    context = selectors.assessment_page(assessment)
    editable = assessment.is_editable and rules.can_edit_assessment(request.user, assessment)
    context.update(
        assessment=assessment,
        editable=editable,
        moves=workflow.available_moves(assessment, request.user),
        max_upload_mb=max_upload_bytes() // (1024 * 1024),
        sensitivity_choices=EvidenceForm.base_fields["sensitivity"].choices,
        errors_for=errors or {},
        remove_label=_("Remove the link to"),
        remove_word=_("remove"),
        js_config={
            "assessment": assessment.pk,
            "api": reverse("assessment-detail", args=[assessment.pk]),
            "allowedOnSubmit": [r["code"] for r in assessment.standard.rating_scale if r.get("allowed_on_submit")],
            "total": context["total"],
        },
    )
    return context


@login_required
@require_GET
def assessment_detail(request, pk):
    assessment = selectors.get_assessment_for_user(request.user, pk)
    return render(request, "assessments/detail.html", _detail_context(request, assessment))


@login_required
@require_POST
def answer_post(request, pk, answer_id):
    """Plain form POST of one indicator (no JavaScript needed)."""
    assessment = selectors.get_assessment_for_user(request.user, pk)
    answer = get_object_or_404(Answer, pk=answer_id, assessment=assessment)
    form = AnswerForm(request.POST)
    anchor = f"{reverse('assessments:detail', args=[pk])}#answer-{answer.pk}"
    error = None
    if not form.is_valid():
        field, errs = next(iter(form.errors.items()))
        error = DomainError("invalid", " ".join(errs), field=field)
    else:
        changes = dict(form.cleaned_data)
        version = changes.pop("version")
        try:
            services.answer_save(answer=answer, user=request.user, expected_version=version, changes=changes)
        except DomainError as exc:
            error = exc
    if error is None:
        messages.success(request, _("Indicator %(n)s saved.") % {"n": answer.indicator.number})
        return redirect(anchor)
    # Show the page again with what they typed kept in the form and the message beside the field.
    context = _detail_context(request, assessment, errors={answer.pk: error})
    for shown in context["answers"]:
        if shown.pk == answer.pk:
            for name in services.ANSWER_FIELDS:
                if name in request.POST:
                    setattr(shown, name, request.POST[name])
            shown.error = error
            if isinstance(error, services.AnswerConflict):
                shown.theirs = error.current
    return render(request, "assessments/detail.html", context, status=409 if error.http_status == 409 else 400)


@login_required
@require_POST
def evidence_post(request, pk):
    """Plain multipart upload (without JavaScript); the page's script uses the API instead."""
    assessment = selectors.get_assessment_for_user(request.user, pk)
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect(assessment)
    data = form.cleaned_data
    indicator = [data["indicator"]] if data.get("indicator") else []
    try:
        item = evidence_upload(
            assessment=assessment,
            user=request.user,
            file=data["file"],
            title=data["title"],
            indicators=indicator,
            sensitivity=data["sensitivity"],
            evidence_date=data["evidence_date"],
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Uploaded “%(t)s”.") % {"t": item.title})
    return redirect(assessment)


@login_required
@require_http_methods(["GET", "POST"])
def assessment_submit(request, pk):
    """What is still missing, and the submit button."""
    assessment = selectors.get_assessment_for_user(request.user, pk)
    target = Status.RESUBMITTED if assessment.status == Status.CHANGES_REQUESTED else Status.SUBMITTED
    can_submit = rules.can_submit_assessment(request.user, assessment)
    error = None
    if request.method == "POST":
        try:
            workflow.transition(assessment, target, by=request.user, note=request.POST.get("note", "")[:5000])
        except DomainError as exc:
            error = exc
        else:
            messages.success(request, _("Submitted. The assessment is now read-only."))
            return redirect(assessment)
    missing = selectors.missing_for_submission(assessment)
    return render(
        request,
        "assessments/submit.html",
        {
            "assessment": assessment,
            "missing": missing,
            "error": error,
            "can_submit": can_submit,
            "in_phase": any(m.target == target for m in workflow.moves_from(assessment.status)),
        },
        status=400 if error else 200,
    )


@login_required
@require_POST
def assessment_transition(request, pk):
    """Staff buttons (accept as candidate, review…): the same workflow as the API."""
    assessment = selectors.get_assessment_for_user(request.user, pk)
    try:
        workflow.transition(
            assessment, request.POST.get("to", ""), by=request.user, note=request.POST.get("note", "")[:5000]
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The assessment is now “%(s)s”.") % {"s": assessment.get_status_display()})
    return redirect(assessment)
