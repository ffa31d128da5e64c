"""Pages for site teams: list, start, fill in (with a plain-POST fallback), submit."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import rules
from core.errors import DomainError
from core.pages import flash_error, refuse_if_not_allowed
from core.pagination import page_number
from evidence.choices import Sensitivity
from evidence.services import evidence_upload, max_upload_bytes
from protected_areas.models import ProtectedArea

from . import error_codes, selectors, services, workflow
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
        flash_error(request, exc)
        return redirect("assessments:list")
    messages.success(request, _("Assessment started: cycle %(n)s.") % {"n": assessment.cycle})
    return redirect(assessment)


# Links listed per indicator when the page loads; with 20 or more per indicator the full lists
# were a third of the page.
LINKED_SHOWN = 5


def _detail_context(request, assessment, errors=None):
    context = selectors.assessment_page(assessment, request.user)
    editable = assessment.is_editable and rules.can_edit_assessment(request.user, assessment)
    # Per-answer URLs and link lists built here from patterns: the same markup through template
    # tags for 50 answers and a thousand links was most of the page's rendering time.
    answer_url = reverse("assessments:answer", args=[assessment.pk, 0]).replace("/0/", "/{}/")
    link_url = reverse("assessments:answer-evidence", args=[assessment.pk, 0]).replace("/0/", "/{}/")
    download = context["download_url_pattern"]
    for answer in context["answers"]:
        # Set on every answer: a missing attribute in a template is a slow failed lookup.
        answer.error = answer.theirs = None
        answer.error_field = ""
        answer.post_url = answer_url.format(answer.pk)
        answer.link_url = link_url.format(answer.pk)
        # The newest few links are shown; the rest are loaded on request (their ids stay on the
        # page, so a save still sends the full list).
        shown, rest = answer.linked[:LINKED_SHOWN], answer.linked[LINKED_SHOWN:]
        answer.linked_html = format_html_join(
            "",
            '<li data-evidence="{}"><a href="{}">{}</a></li>',
            ((pk, download.format(pk), title) for pk, title in shown),
        )
        answer.more_ids = ",".join(str(pk) for pk, _title in rest)
        answer.more_text = (
            ngettext("Show %(n)s more linked item", "Show %(n)s more linked items", len(rest)) % {"n": len(rest)}
            if rest
            else ""
        )
    context.update(
        assessment=assessment,
        editable=editable,
        moves=workflow.available_moves(assessment, request.user),
        # Built once, not once per indicator.
        drop_label=format_html(
            '{} <span class="muted small">({})</span>',
            _("Drop files here, or choose files"),
            _("up to %(max_upload_mb)s MB each") % {"max_upload_mb": max_upload_bytes() // (1024 * 1024)},
        ),
        sensitivity_options=format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (value, " selected" if value == Sensitivity.REVIEWERS else "", label)
                for value, label in EvidenceForm.base_fields["sensitivity"].choices
            ),
        ),
        add_label=_("Add or link evidence"),
        upload_url=reverse("assessments:evidence-upload", args=[assessment.pk]),
        errors_for=errors or {},
        js_config={
            "assessment": assessment.pk,
            "api": reverse("assessment-detail", args=[assessment.pk]),
            "search": reverse("assessments:evidence-search", args=[assessment.pk]),
            "download": download,
            "allowedOnSubmit": [r["code"] for r in assessment.standard.rating_scale if r.get("allowed_on_submit")],
            "total": context["total"],
            "text": {
                "remove": _("remove"),
                "removeLabel": _("Remove the link to"),
                "link": _("Link"),
                "linked": _("Linked"),
                "more": _("More results"),
                "none": _("No evidence matches."),
                "failed": _("Could not search the evidence. Try again."),
                "earlier": _("earlier cycle"),
                "loading": _("Loading…"),
                "pick": _("Link evidence already uploaded"),
            },
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
    # Before the form is read: to a person who may see but never edit, the answer is "not allowed",
    # not a complaint about the fields they sent.
    if not rules.can_edit_assessment(request.user, assessment):
        raise PermissionDenied(_("Only the site's team can edit this assessment."))
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
            refuse_if_not_allowed(exc)
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
            shown.error_field = error.field or ""
            if isinstance(error, services.AnswerConflict):
                shown.theirs = error.current
    return render(request, "assessments/detail.html", context, status=error.http_status)


@login_required
@require_POST
def evidence_post(request, pk):
    """Plain multipart upload (without JavaScript); the page's script uses the API instead."""
    assessment = selectors.get_assessment_for_user(request.user, pk)
    if not rules.can_edit_assessment(request.user, assessment):
        raise PermissionDenied(_("Only the site's team can add evidence."))
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return _after_upload(request, assessment)
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
        flash_error(request, exc)
    else:
        messages.success(request, _("Uploaded “%(t)s”.") % {"t": item.title})
    return _after_upload(request, assessment)


def _after_upload(request, assessment):
    """Back to the indicator's evidence page when the upload came from there, else the assessment."""
    back = request.POST.get("back_to_answer", "")
    if back.isdigit() and Answer.objects.filter(pk=int(back), assessment=assessment).exists():
        return redirect("assessments:answer-evidence", assessment.pk, int(back))
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
        # Checked before the phase is: a person who may never submit is told so (403), whatever
        # phase the assessment is in.
        if not can_submit:
            raise PermissionDenied(_("Only the site's team can submit this assessment."))
        try:
            workflow.transition(assessment, target, by=request.user, note=request.POST.get("note", "")[:5000])
        except DomainError as exc:
            refuse_if_not_allowed(exc)
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
        status=error.http_status if error else 200,
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
        flash_error(request, exc)
    else:
        messages.success(request, _("The assessment is now “%(s)s”.") % {"s": assessment.get_status_display()})
    return redirect(assessment)


@login_required
@require_GET
def evidence_library(request, pk):
    """All evidence of the assessment, one page at a time (the assessment page shows the first;
    its script swaps further pages in from here)."""
    assessment = selectors.get_assessment_for_user(request.user, pk)
    library = selectors.evidence_library_page(assessment, request.user, request.GET.get("page"))
    numbers = selectors.indicator_numbers(assessment, [item.pk for item in library.object_list])
    pattern = selectors.download_url_pattern()
    for item in library.object_list:
        item.indicator_numbers = ", ".join(numbers.get(item.pk, []))
        item.url = pattern.format(item.pk)
    return render(request, "assessments/evidence_library.html", {"assessment": assessment, "library": library})


@login_required
@require_GET
def evidence_search(request, pk):
    """JSON for the evidence picker: items of this site the person may see, matching `q` in the
    title, `PICKER_PAGE_SIZE` per page (`page`, from 1)."""
    assessment = selectors.get_assessment_for_user(request.user, pk)
    query = request.GET.get("q", "")[:300]
    try:
        number = page_number(request.GET.get("page"))  # checked: a huge page overflowed the OFFSET
    except DomainError as exc:
        return JsonResponse({"code": exc.code, "detail": exc.message, "field": exc.field}, status=400)
    items = selectors.evidence_search(assessment, request.user, query)
    linked_to = request.GET.get("linked_to")
    if linked_to is not None:
        # The links of one answer (the assessment page loads those it did not list at first).
        if not linked_to.isdigit():
            detail = _("linked_to must be the id of an answer of this assessment.")
            return JsonResponse(
                {"code": error_codes.ANSWER_INVALID, "detail": detail, "field": "linked_to"}, status=400
            )
        items = items.filter(answers__pk=int(linked_to), answers__assessment=assessment)
    size = selectors.PICKER_PAGE_SIZE
    # One row more than the page tells whether there is a next page without a COUNT query.
    rows = list(items[(number - 1) * size : number * size + 1])
    pattern = selectors.download_url_pattern()
    results = [
        {
            "id": item.pk,
            "title": item.title,
            "download_url": pattern.format(item.pk),
            "evidence_date": item.evidence_date.isoformat() if item.evidence_date else None,
            "earlier_cycle": item.assessment_id != assessment.pk,
        }
        for item in rows[:size]
    ]
    response = JsonResponse({"results": results, "page": number, "has_next": len(rows) > size})
    response["Cache-Control"] = "private, no-store"
    return response


def _linkable_answer(request, pk, answer_id):
    assessment = selectors.get_assessment_for_user(request.user, pk)
    answer = get_object_or_404(Answer.objects.select_related("indicator"), pk=answer_id, assessment=assessment)
    if not rules.can_edit_assessment(request.user, assessment):
        raise PermissionDenied(_("Only the site's team can link evidence to this assessment."))
    return assessment, answer


@login_required
@require_http_methods(["GET", "POST"])
def answer_evidence(request, pk, answer_id):
    """Link or unlink evidence of one indicator without JavaScript: search, then one button per
    item. With JavaScript the assessment page does the same through `evidence_search`."""
    assessment, answer = _linkable_answer(request, pk, answer_id)
    query = request.GET.get("q", "")[:300]
    here = request.get_full_path()
    if request.method == "POST":
        return _answer_evidence_post(request, assessment, answer, here)
    page = Paginator(selectors.evidence_search(assessment, request.user, query), selectors.PICKER_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    linked = selectors.linked_evidence(assessment, request.user).get(answer.pk, [])
    linked_ids = {pk for pk, _title in linked}
    pattern = selectors.download_url_pattern()
    for item in page.object_list:
        item.url = pattern.format(item.pk)
        item.is_linked = item.pk in linked_ids
    return render(
        request,
        "assessments/answer_evidence.html",
        {
            "assessment": assessment,
            "answer": answer,
            "editable": assessment.is_editable,
            "linked": [{"pk": pk, "title": title, "url": pattern.format(pk)} for pk, title in linked],
            "page": page,
            "query": query,
            "sensitivity_choices": EvidenceForm.base_fields["sensitivity"].choices,
            "max_upload_mb": max_upload_bytes() // (1024 * 1024),
        },
    )


def _answer_evidence_post(request, assessment, answer, here):
    add, remove = request.POST.get("add"), request.POST.get("remove")
    try:
        version = int(request.POST.get("version", ""))
        item_id = int(add or remove or "")
    except ValueError:
        messages.error(request, _("Choose an evidence item with its button."))
        return redirect(here)
    current = [pk for pk, _title in selectors.linked_evidence(assessment, request.user).get(answer.pk, [])]
    if add:
        # Only items this person may see can be offered, so only those can be linked.
        item = selectors.evidence_search(assessment, request.user).filter(pk=item_id).first()
        if item is None:
            messages.error(request, _("That evidence item does not exist or is not evidence of this site."))
            return redirect(here)
        ids = [*current, item_id] if item_id not in current else current
    elif item_id in current:
        ids = [pk for pk in current if pk != item_id]
    else:
        messages.error(request, _("That evidence item is not linked to this indicator."))
        return redirect(here)
    try:
        services.answer_save(answer=answer, user=request.user, expected_version=version, changes={"evidence": ids})
    except services.AnswerConflict:
        # Only a click is lost: show the current links and let them choose again.
        messages.error(
            request,
            _("Indicator %(n)s was changed by someone else since you opened this page. Check its links and try again.")
            % {"n": answer.indicator.number},
        )
    except DomainError as exc:
        flash_error(request, exc)
    else:
        if add:
            messages.success(
                request, _("Linked “%(t)s” to indicator %(n)s.") % {"t": item.title, "n": answer.indicator.number}
            )
        else:
            messages.success(request, _("Link removed from indicator %(n)s.") % {"n": answer.indicator.number})
    return redirect(here)
