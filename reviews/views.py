"""Review pages: thin views over reviews.services and reviews.selectors (plain forms, no JS needed).

A refused form is shown again with what was typed and the message beside it (status 400/409);
nothing typed is lost. An action the person's role does not allow is a 403 page with the rule's
message (core.pages), whatever the form said."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import rules
from accounts.selectors import accreditations_lapsing
from assessments.choices import Status
from assessments.freshness import assessment_etag
from assessments.models import Assessment
from assessments.selectors import get_assessment_for_user
from core import error_codes as core_codes
from core.errors import DomainError, NotAllowed
from core.freshness import conditional_page
from core.messages import success_near
from core.pages import flash_error, refuse_if_not_allowed

from . import error_codes, review_page, selectors, services
from .choices import ASSIGNABLE_STATUSES, AssignmentRole, CoiStatus, Outcome
from .forms import (
    AssignForm,
    ConfirmForm,
    DeclarationForm,
    GroupFindingForm,
    IndicatorReviewForm,
    QuestionForm,
    RecommendForm,
    ReplyForm,
)
from .models import AssessmentReview


def _form_error(form) -> DomainError:
    field, errs = next(iter(form.errors.items()))
    return DomainError(core_codes.INVALID, " ".join(errs), field=field)


# --- my reviews ---------------------------------------------------------------------------------


@login_required
@require_GET
def my_reviews(request):
    user = request.user
    context = {"assignments": list(selectors.my_assignments(user))}
    if rules.is_iucn_staff(user) or rules.active_roles(user).chair_jurisdiction_ids:
        context["queue"] = list(selectors.review_queue(user))
    if rules.is_iucn_staff(user):
        context["lapsing"] = list(accreditations_lapsing()[:20])
    return render(request, "reviews/mine.html", context)


# --- assignments --------------------------------------------------------------------------------


def _managed_assessment(user, pk) -> Assessment:
    """For staff and the group's chair (who need not be assigned themselves), else 404."""
    return selectors.get_managed_assessment_for_user(user, pk)


def _manage_context(request, assessment, form=None, error=None):
    return {
        "assessment": assessment,
        "assignments": list(selectors.assignments_of(assessment)),
        "eligible": selectors.eligible_assignees(assessment),
        "form": form or AssignForm(),
        "error": error,
        "roles": AssignmentRole.choices,
        "can_manage": rules.can_manage_review(request.user, assessment),
        "show_warnings": rules.can_see_assignment_warnings(request.user),
        "open_requests": list(selectors.open_requests(assessment)),
        "summary": AssessmentReview.objects.filter(assessment=assessment).first(),
        "Status": Status,
    }


@login_required
@require_http_methods(["GET", "POST"])
def manage(request, pk):
    """Assign the group's experts and the independent reviewer; staff move the review on."""
    assessment = _managed_assessment(request.user, pk)
    if request.method == "GET":
        return render(request, "reviews/manage.html", _manage_context(request, assessment))
    form = AssignForm(request.POST)
    error = None
    if not form.is_valid():
        error = _form_error(form)
    else:
        assignee = selectors.assignee_for(
            request.user, assessment, form.cleaned_data["user"], form.cleaned_data["role"]
        )
        if assignee is None:
            error = DomainError(error_codes.ASSIGNEE_UNKNOWN, _("Choose a person from the list."), field="user")
        else:
            try:
                assignment = services.assignment_create(
                    assessment=assessment,
                    assignee=assignee,
                    role=form.cleaned_data["role"],
                    due_date=form.cleaned_data["due_date"],
                    by=request.user,
                )
            except DomainError as exc:
                refuse_if_not_allowed(exc)
                error = exc
            else:
                messages.success(request, _("%(who)s assigned; an e-mail is on its way.") % {"who": assignment.user})
                return redirect("reviews:manage", pk=assessment.pk)
    return render(
        request, "reviews/manage.html", _manage_context(request, assessment, form, error), status=error.http_status
    )


@login_required
@require_POST
def assignment_remove(request, pk):
    assignment = selectors.get_assignment_for_user(request.user, pk)
    try:
        services.assignment_remove(assignment=assignment, by=request.user)
    except DomainError as exc:
        flash_error(request, exc)
    else:
        messages.success(request, _("Assignment withdrawn."))
    return redirect("reviews:manage", pk=assignment.assessment_id)


@login_required
@require_POST
def phase(request, pk, action):
    """Staff: start the review, send the assessment back, release the findings."""
    assessment = _managed_assessment(request.user, pk)
    note = request.POST.get("note", "")
    try:
        if action == "start":
            services.review_start(assessment=assessment, by=request.user)
            messages.success(request, _("The review has started."))
        elif action == "send-back":
            services.review_send_back(assessment=assessment, by=request.user, note=note)
            messages.success(request, _("Sent back to the site with the open questions."))
        elif action == "release":
            services.findings_release(assessment=assessment, by=request.user)
            messages.success(request, _("The findings are now visible to the site team."))
        else:
            raise Http404
    except DomainError as exc:
        flash_error(request, exc)
    return redirect("reviews:manage", pk=assessment.pk)


@login_required
@require_http_methods(["GET", "POST"])
def declare(request, pk):
    """The assignee's conflict-of-interest declaration (shows the site, nothing of the assessment)."""
    assignment = selectors.get_assignment_for_user(request.user, pk)
    if assignment.user_id != request.user.pk:
        raise Http404("No such assignment.")
    form = DeclarationForm(request.POST or None)
    error = None
    if request.method == "POST":
        if not form.is_valid():
            error = _form_error(form)
        else:
            try:
                services.conflict_declare(
                    assignment=assignment,
                    by=request.user,
                    has_conflict=form.cleaned_data["has_conflict"],
                    note=form.cleaned_data["note"],
                )
            except DomainError as exc:
                refuse_if_not_allowed(exc)
                error = exc
            else:
                if assignment.coi_status == CoiStatus.CONFLICT:
                    messages.warning(
                        request, _("Conflict recorded. IUCN staff have been told; you will not review this site.")
                    )
                    return redirect("reviews:mine")
                messages.success(request, _("Thank you. You can now review the assessment."))
                return redirect("reviews:review", pk=assignment.assessment_id)
    return render(
        request,
        "reviews/declare.html",
        {"assignment": assignment, "area": assignment.assessment.protected_area, "form": form, "error": error},
        status=error.http_status if error else 200,
    )


# --- the review page ----------------------------------------------------------------------------


def _review_context(request, assessment, *, posted=None, answer_id=None):
    """What the review page shows; with `answer_id`, what one indicator's page and details show."""
    # The page counts each indicator's items; only the details (and the API) list them.
    context = review_page.review_page(assessment, request.user, answer_id=answer_id, item_lists=False)
    context.update(review_page.row_labels())
    user = request.user
    if posted:
        for row in context["rows"]:
            if row.answer.pk == posted["answer"]:
                row.posted = {posted["kind"]: posted["data"]}
                row.errors = {posted["kind"]: posted["error"]}
    context.update(
        assessment=assessment,
        area=assessment.protected_area,
        outcomes=Outcome.choices,
        can_write=rules.can_write_indicator_review(user, assessment) and assessment.status == Status.IN_REVIEW,
        can_group=rules.can_record_group_finding(user, assessment) and assessment.status == Status.IN_REVIEW,
        can_ask=rules.can_ask_site(user, assessment) and assessment.status in ASSIGNABLE_STATUSES,
        can_reply=rules.can_reply_to_request(user, assessment),
        can_recommend=rules.can_recommend(user, assessment) and assessment.status == Status.IN_REVIEW,
        can_confirm=rules.can_confirm_process(user, assessment),
        can_manage=rules.can_manage_review(user, assessment),
        # A new file answers an open question in any phase (reviews.services.information_reply_create).
        can_attach=context["site_team"],
        recommend_error=(posted or {}).get("recommend_error"),
        recommend_data=(posted or {}).get("recommend_data") or {},
        confirm_error=(posted or {}).get("confirm_error"),
    )
    return context


def _visible(request, pk):
    """The assessment this person may see (404 otherwise), looked up once for the tag and the page."""
    assessment = getattr(request, "visible_assessment", None)
    if assessment is None or str(assessment.pk) != str(pk):
        assessment = request.visible_assessment = get_assessment_for_user(request.user, pk)
    return assessment


def _review_etag(request, pk):
    return assessment_etag(request, _visible(request, pk), "review")


@login_required
@require_GET
@conditional_page(_review_etag)
def review(request, pk):
    """The review page; refreshed for the cost of a 304 when nothing changed (core.freshness)."""
    assessment = _visible(request, pk)
    return render(request, "reviews/review.html", _review_context(request, assessment))


# --- one indicator: its details (evidence list, questions thread) and its own page ------------------
# The review page loads an indicator's details when it is opened (reviews.review_page). The same
# rules decide who sees them as the page (`_visible`: whoever may see the assessment; then what
# each sees inside, as on the page), and they answer 304 like the page.


def _visible_answer(request, pk, answer_id):
    """The assessment (404 unless the person may see it) and its answer `answer_id` (404 unless it is one of its)."""
    assessment = _visible(request, pk)
    answer = getattr(request, "visible_answer", None)
    if answer is None or str(answer.pk) != str(answer_id):
        answer = request.visible_answer = selectors.get_answer_of(assessment, answer_id)
    return assessment, answer


def _indicator_etag(request, pk, answer_id):
    assessment, answer = _visible_answer(request, pk, answer_id)
    return assessment_etag(request, assessment, f"review-indicator-{answer.pk}")


def _part_etag(request, pk, answer_id):
    assessment, answer = _visible_answer(request, pk, answer_id)
    return assessment_etag(request, assessment, f"review-details-{answer.pk}")


def _indicator_context(request, assessment, answer_id, *, posted=None):
    context = _review_context(request, assessment, posted=posted, answer_id=answer_id)
    context["row"] = context["rows"][0]
    return context


@login_required
@require_GET
@conditional_page(_indicator_etag)
def indicator_page(request, pk, answer_id):
    """One indicator of the review page on a page of its own, its evidence and questions shown: where
    the page's link to an indicator's details leads without JavaScript, and where its questions'
    forms come back to."""
    assessment, answer = _visible_answer(request, pk, answer_id)
    return render(request, "reviews/indicator.html", _indicator_context(request, assessment, answer.pk))


@login_required
@require_GET
@conditional_page(_part_etag)
def indicator_part(request, pk, answer_id):
    """One indicator's details (evidence list, questions thread) as a fragment, which the review page
    loads when the indicator is opened (static/js/review.js) and keeps for offline use."""
    assessment, answer = _visible_answer(request, pk, answer_id)
    return render(request, "reviews/_row_details.html", _indicator_context(request, assessment, answer.pk))


def _back_to(assessment_id, answer_id=None) -> str:
    url = reverse("reviews:review", args=[assessment_id])
    return f"{url}#indicator-{answer_id}" if answer_id else url


def _back_to_details(assessment_id, answer_id, anchor=None) -> str:
    """The indicator's own page, where its questions thread is shown (after a question or an answer to one)."""
    url = reverse("reviews:indicator-page", args=[assessment_id, answer_id])
    return f"{url}#{anchor or f'indicator-{answer_id}'}"


def _refused(request, assessment, answer_id, kind, data, error):
    """The page again with what was typed and why it was refused: the review page, or for a form of
    the questions thread (shown in an indicator's details), the indicator's own page."""
    refuse_if_not_allowed(error)
    posted = {"answer": answer_id, "kind": kind, "data": data, "error": error}
    if kind in review_page.DETAIL_FORM_KINDS:
        context = _indicator_context(request, assessment, answer_id, posted=posted)
        return render(request, "reviews/indicator.html", context, status=error.http_status)
    response = render(request, "reviews/review.html", _review_context(request, assessment, posted=posted))
    response.status_code = error.http_status
    return response


@login_required
@require_POST
def indicator_post(request, pk, answer_id, kind):
    """One indicator's form: the expert's own review, the group's finding, or a question."""
    assessment = get_assessment_for_user(request.user, pk)
    answer = selectors.get_answer_of(assessment, answer_id)
    forms = {"review": IndicatorReviewForm, "finding": GroupFindingForm, "ask": QuestionForm}
    if kind not in forms:
        raise Http404
    form = forms[kind](request.POST)
    data = request.POST.dict()
    if not form.is_valid():
        return _refused(request, assessment, answer.pk, kind, data, _form_error(form))
    d = form.cleaned_data
    try:
        if kind == "review":
            services.indicator_review_save(
                assessment=assessment,
                answer=answer,
                by=request.user,
                rating=d["rating"],
                finding=d["finding"],
                comment=d["comment"],
                shared=d["shared"],
                # Forms drawn by the review page say which saved review they started from (issue 17).
                seen=d["seen"] if "seen" in request.POST else None,
            )
            note = _("Your review of %(n)s is saved%(shared)s.") % {
                "n": answer.indicator.number,
                "shared": _(" and shared") if d["shared"] else _(" as a draft"),
            }
        elif kind == "finding":
            services.group_finding_save(
                assessment=assessment, answer=answer, by=request.user, rating=d["rating"], finding=d["finding"]
            )
            note = _("The group's finding on %(n)s is recorded.") % {"n": answer.indicator.number}
        else:
            services.information_request_create(
                assessment=assessment, answer=answer, by=request.user, question=d["question"]
            )
            note = _("Your question on %(n)s was sent to the site team.") % {"n": answer.indicator.number}
    except DomainError as exc:
        return _refused(request, assessment, answer.pk, kind, data, exc)
    success_near(request, note, f"indicator-{answer.pk}")
    if kind in review_page.DETAIL_FORM_KINDS:
        return redirect(_back_to_details(assessment.pk, answer.pk))
    return redirect(_back_to(assessment.pk, answer.pk))


@login_required
@require_POST
def share(request, pk):
    assessment = get_assessment_for_user(request.user, pk)
    try:
        n = services.reviews_share(assessment=assessment, by=request.user)
    except DomainError as exc:
        flash_error(request, exc)
    else:
        messages.success(request, _("%(n)s draft review(s) shared with the group.") % {"n": n})
    return redirect(_back_to(assessment.pk))


@login_required
@require_POST
def request_reply(request, pk):
    req = selectors.get_request_for_user(request.user, pk)
    assessment = req.answer.assessment
    form = ReplyForm(request.POST, request.FILES)
    data = request.POST.dict()
    data["request"] = req.pk
    if not form.is_valid():
        return _refused(request, assessment, req.answer_id, "reply", data, _form_error(form))
    try:
        services.information_reply_create(
            request=req,
            by=request.user,
            text=form.cleaned_data["text"],
            evidence_ids=request.POST.getlist("evidence"),
            file=form.cleaned_data["file"],
            file_title=form.cleaned_data["file_title"],
        )
    except DomainError as exc:
        return _refused(request, assessment, req.answer_id, "reply", data, exc)
    success_near(request, _("Your answer was added to the thread."), f"request-{req.pk}")
    return redirect(_back_to_details(assessment.pk, req.answer_id, f"request-{req.pk}"))


@login_required
@require_POST
def request_close(request, pk):
    req = selectors.get_request_for_user(request.user, pk)
    try:
        services.information_request_close(request=req, by=request.user)
    except DomainError as exc:
        flash_error(request, exc)
    else:
        messages.success(request, _("Question closed."))
    return redirect(_back_to_details(req.answer.assessment_id, req.answer_id))


@login_required
@require_POST
def recommend(request, pk):
    assessment = get_assessment_for_user(request.user, pk)
    form = RecommendForm(request.POST)
    form.is_valid()
    d = form.cleaned_data
    try:
        services.recommendation_make(
            assessment=assessment, by=request.user, outcome=d.get("outcome", ""), reasons=d.get("reasons", "")
        )
    except DomainError as exc:
        refuse_if_not_allowed(exc)
        context = _review_context(
            request,
            assessment,
            posted={
                "answer": None,
                "kind": "",
                "data": {},
                "error": exc,
                "recommend_error": exc,
                "recommend_data": request.POST.dict(),
            },
        )
        return render(request, "reviews/review.html", context, status=exc.http_status)
    messages.success(request, _("Recommendation recorded; the independent reviewer will check the process."))
    return redirect(f"{_back_to(assessment.pk)}#recommendation")


@login_required
@require_POST
def confirm(request, pk):
    assessment = get_assessment_for_user(request.user, pk)
    # Before the form is read: to anyone but the assigned independent reviewer the answer is "not
    # allowed", not a complaint about the fields they sent.
    if not rules.can_confirm_process(request.user, assessment):
        raise NotAllowed(error_codes.NOT_ASSIGNED, _("Only the assigned independent reviewer confirms the process."))
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        exc = _form_error(form)
    else:
        try:
            services.process_confirm(
                assessment=assessment,
                by=request.user,
                confirmed=form.cleaned_data["decision"] == "confirm",
                note=form.cleaned_data["note"],
            )
        except DomainError as caught:
            refuse_if_not_allowed(caught)
            exc = caught
        else:
            messages.success(
                request, _("Recorded. The assessment is now “%(s)s”.") % {"s": assessment.get_status_display()}
            )
            return redirect(f"{_back_to(assessment.pk)}#recommendation")
    context = _review_context(
        request, assessment, posted={"answer": None, "kind": "", "data": {}, "error": exc, "confirm_error": exc}
    )
    return render(request, "reviews/review.html", context, status=exc.http_status)


# --- agreement ----------------------------------------------------------------------------------


@login_required
@require_GET
def agreement(request):
    if not rules.can_see_agreement(request.user):
        raise Http404
    return render(
        request,
        "reviews/agreement.html",
        {"per_assessment": selectors.assessment_agreement(), "per_expert": selectors.expert_agreement()},
    )
