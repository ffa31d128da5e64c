"""Pages for site teams: list, start, fill in (with a plain-POST fallback), submit. The evidence
pages (upload, library, links of an indicator) are the evidence app's."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import rules
from core import error_codes as core_codes
from core.errors import DomainError
from core.freshness import conditional_page
from core.messages import success_near
from core.pages import flash_error, refuse_if_not_allowed
from protected_areas.models import ProtectedArea

from . import freshness, sections, selectors, services, sites, workflow
from .choices import Status
from .forms import AnswerForm, StartForm
from .models import Answer


@login_required
@require_GET
def assessment_list(request):
    assessments = list(selectors.assessments_for(request.user))
    managed = ProtectedArea.objects.filter(pk__in=rules.managed_area_ids(request.user)).order_by("name")
    latest, current = {}, {}
    for a in assessments:
        latest.setdefault(a.protected_area_id, a)
        if a.status not in workflow.CLOSED_STATUSES:
            current.setdefault(a.protected_area_id, a)
    # A site whose cycle is still open is offered that cycle, not a second one (the service refuses it).
    sites = [
        {
            "area": area,
            "latest": latest.get(area.pk),
            "open": current.get(area.pk),
            "form": StartForm(initial={"protected_area": area.pk}),
        }
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


def _detail_context(request, assessment, errors=None):
    context = selectors.assessment_page(assessment, request.user)
    evidence = sections.evidence_section(assessment, request.user, context["answers"])
    questions = sections.open_questions(assessment, request.user)
    questions_by_answer: dict[int, list] = {}
    for question in questions:
        questions_by_answer.setdefault(question.answer_id, []).append(question)
    editable = assessment.is_editable and rules.can_edit_assessment(request.user, assessment)
    # Per-answer URLs from one pattern each: a {% url %} tag for 50 answers costs more than the page.
    answer_url = reverse("assessments:answer", args=[assessment.pk, 0]).replace("/0/", "/{}/")
    download = evidence.download_url_pattern
    for answer in context["answers"]:
        # Set on every answer: a missing attribute in a template is a slow failed lookup.
        answer.error = answer.theirs = None
        answer.error_field = ""
        answer.questions = questions_by_answer.get(answer.pk, [])
        answer.post_url = answer_url.format(answer.pk)
        answer.link_url = evidence.link_url_pattern.format(answer.pk)
        answer.linked_url = evidence.linked_url_pattern.format(answer.pk)
        # The newest few links are shown; the rest are loaded on request (their ids stay on the
        # page, so a save still sends the full list).
        linked = evidence.linked.get(answer.pk, [])
        shown, rest = linked[: sections.LINKED_SHOWN], linked[sections.LINKED_SHOWN :]
        # Ids as text: a template renders a number through localisation, text only through escaping.
        answer.linked_shown = [
            {"id": str(pk), "title": title, "url": download.format(pk), "box": evidence.boxes.get(pk, "")}
            for pk, title in shown
        ]
        answer.more_ids = ",".join(str(pk) for pk, _title in rest)
        if not rest:
            answer.more_text = ""
        elif shown:
            answer.more_text = ngettext("Show %(n)s more linked item", "Show %(n)s more linked items", len(rest)) % {
                "n": len(rest)
            }
        else:
            answer.more_text = ngettext("Show the %(n)s linked item", "Show the %(n)s linked items", len(rest)) % {
                "n": len(rest)
            }
    context.update(
        assessment=assessment,
        editable=editable,
        moves=workflow.available_moves(assessment, request.user),
        library=evidence.library,
        evidence=evidence,
        open_questions=questions,
        eligibility=sections.eligibility_notice(assessment, request.user),
        page_links=sections.page_links(assessment, request.user),
        application_sites=sites.application_sites(assessment),
        errors_for=errors or {},
        js_config={
            "assessment": assessment.pk,
            "api": reverse("assessment-detail", args=[assessment.pk]),
            "search": evidence.picker_url,
            "download": evidence.download_url_pattern,
            "allowedOnSubmit": [r["code"] for r in assessment.standard.rating_scale if r.get("allowed_on_submit")],
            "requiresAction": [r["code"] for r in assessment.standard.rating_scale if r.get("requires_action")],
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
                "linkedFailed": _("Could not load the linked evidence. Try again."),
                "pick": _("Link evidence already uploaded"),
                # the page-wide save status and the conflict boxes (static/js/assessment.js)
                "saved": _("All changes saved"),
                "savedJustNow": _("Saved just now"),
                "notSavedStatus": _("Not saved (error %(status)s)."),
                "actionNeeded": _("This rating needs an action plan: what will be done, by whom and by when."),
                "saving": _("Saving…"),
                "retrying": _("Not saved — retrying…"),
                "notSavedAt": _("Not saved — see indicator %(number)s"),
                "notSaved": _("Not saved."),
                "keepMine": _("Keep my text"),
                "useTheirs": _("Use their text"),
                "restoreDraft": _("Restore my unsaved text"),
                "discardDraft": _("Discard it"),
                "draftChanged": _(
                    "You have text from an earlier visit that was not saved, and the indicator has changed since:"
                ),
                "rating": _("Rating"),
                "justification": _("Justification"),
                "action": _("Action"),
                "empty": _("(empty)"),
                "notRated": _("not rated"),
            },
        },
    )
    return context


def _visible(request, pk):
    """The assessment this person may see (404 otherwise), looked up once per request: the page's
    tag and the page itself both need it."""
    assessment = getattr(request, "visible_assessment", None)
    if assessment is None or str(assessment.pk) != str(pk):
        assessment = request.visible_assessment = selectors.get_assessment_for_user(request.user, pk)
    return assessment


def _detail_etag(request, pk):
    return freshness.assessment_etag(request, _visible(request, pk), "assessment")


@login_required
@require_GET
@conditional_page(_detail_etag)
def assessment_detail(request, pk):
    """The site team's page; refreshed for the cost of a 304 when nothing changed (core.freshness)."""
    assessment = _visible(request, pk)
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
        error = DomainError(core_codes.INVALID, " ".join(errs), field=field)
    else:
        changes = dict(form.cleaned_data)
        version = changes.pop("version")
        try:
            services.answer_save(answer=answer, user=request.user, expected_version=version, changes=changes)
        except DomainError as exc:
            refuse_if_not_allowed(exc)
            error = exc
    if error is None:
        success_near(request, _("Indicator %(n)s saved.") % {"n": answer.indicator.number}, f"answer-{answer.pk}")
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
            workflow.transition(
                assessment, target, by=request.user, note=request.POST.get("note", "")[: workflow.NOTE_MAX]
            )
        except DomainError as exc:
            refuse_if_not_allowed(exc)
            error = exc
        else:
            messages.success(request, _("Submitted. The assessment is now read-only."))
            return redirect(assessment)
    missing = selectors.missing_for_submission(assessment, with_indicators=True)
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
            assessment,
            request.POST.get("to", ""),
            by=request.user,
            note=request.POST.get("note", "")[: workflow.NOTE_MAX],
        )
    except DomainError as exc:
        flash_error(request, exc)
    else:
        messages.success(request, _("The assessment is now “%(s)s”.") % {"s": assessment.get_status_display()})
    return redirect(assessment)
