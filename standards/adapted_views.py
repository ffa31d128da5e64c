"""Pages of adapted indicator sets: the list, a new draft, the set beside the generic indicators,
the adaptation of one indicator, the consultation record, and the lifecycle's moves.

Views read the form and call standards.adaptation; who may see a set is
`selectors.get_adapted_set_for_user` (404), what they may do is checked before the form is read
(`NotAllowed` → the 403 page), and a refused change (a text too long, someone else's edit) is shown
on the page that was sent, with what was typed kept."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import rules
from core.errors import Conflict, DomainError
from core.pages import flash_error, refuse_if_not_allowed

from . import adaptation, error_codes, selectors
from .adapted_files import attachment_response
from .models import AdaptedIndicator, AdaptedSetStatus, CommentOutcome, Indicator, Jurisdiction, Standard
from .texts import target_languages

LANGUAGE_NAMES = {"fr": "Français", "es": "Español"}


def _set_url(adapted_set: Any, anchor: str = "") -> str:
    return reverse("standards:adapted-detail", args=[adapted_set.pk]) + (f"#{anchor}" if anchor else "")


def _revision(request: HttpRequest) -> int:
    """The revision the form was drawn at; a form without one is stale (sent from an old page)."""
    try:
        return int(request.POST.get("revision", ""))
    except ValueError:
        raise Conflict(
            error_codes.ADAPTED_SET_CHANGED, _("The form is out of date: reload the page and make your change again.")
        ) from None


def _not_a_draft(request: HttpRequest, adapted_set: Any) -> HttpResponse | None:
    """Forms of a set that is no longer a draft lead back to the set, saying why (a POST from a page
    opened earlier still reaches the service, which refuses it with its reason)."""
    if request.method == "GET" and adapted_set.status != AdaptedSetStatus.DRAFT:
        messages.error(
            request, _("Only a draft set is edited: this one is %(s)s.") % {"s": adapted_set.get_status_display()}
        )
        return redirect(_set_url(adapted_set))
    return None


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


# --- the list and a new draft ----------------------------------------------------------------


@login_required
@require_GET
def adapted_list(request):
    sets = selectors.adapted_sets_visible(request.user).order_by("jurisdiction__name", "-created_at", "-id")
    return render(
        request,
        "standards/adapted/list.html",
        {"sets": sets, "can_create": bool(_authorable_jurisdictions(request.user).exists())},
    )


def _authorable_jurisdictions(user: Any) -> Any:
    if rules.is_standard_keeper(user):
        return Jurisdiction.objects.order_by("name")
    return Jurisdiction.objects.filter(pk__in=rules.active_roles(user).expert_jurisdiction_ids).order_by("name")


@login_required
@require_http_methods(["GET", "POST"])
def adapted_new(request):
    jurisdictions = _authorable_jurisdictions(request.user)
    if not jurisdictions.exists():
        adaptation.authors_required_for(request.user, None)  # the 403 page, with the rule's message
    standards = Standard.objects.filter(status=Standard.Status.PUBLISHED).order_by("-published_at", "-id")
    error = None
    values = {"title": "", "standard": "", "jurisdiction": ""}
    if request.method == "POST":
        values = {name: request.POST.get(name, "").strip() for name in values}
        jurisdiction = Jurisdiction.objects.filter(pk=_int(values["jurisdiction"])).first()
        standard = standards.filter(pk=_int(values["standard"])).first()
        if jurisdiction is None or standard is None:
            error = _("Choose a jurisdiction and a published version of the Standard.")
        else:
            try:
                adapted_set = adaptation.adapted_set_create(
                    by=request.user, standard=standard, jurisdiction=jurisdiction, title=values["title"]
                )
            except DomainError as exc:
                refuse_if_not_allowed(exc)
                error = exc.message
            else:
                messages.success(request, _("Draft created. Adapt the indicators, then record the consultation."))
                return redirect(_set_url(adapted_set))
    return render(
        request,
        "standards/adapted/new.html",
        {"jurisdictions": jurisdictions, "standards": standards, "values": values, "error": error},
        status=400 if error else 200,
    )


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --- one set ---------------------------------------------------------------------------------


@login_required
@require_GET
def adapted_detail(request, pk):
    adapted_set = selectors.get_adapted_set_for_user(request.user, pk)
    consultation = adaptation.consultation_of(adapted_set)
    adapted = {a.indicator_id: a for a in AdaptedIndicator.objects.filter(adapted_set=adapted_set)}
    components = list(selectors.standard_tree(adapted_set.standard))
    rows = [
        (component, criterion, indicator, adapted.get(indicator.pk))
        for component in components
        for criterion in component.criteria.all()
        for indicator in criterion.indicators.all()
    ]
    indicators_by_id = {row[2].pk: row[2] for row in rows}
    comments = list(consultation.comments.order_by("received_on", "id"))
    for comment in comments:
        comment.indicator_obj = indicators_by_id.get(comment.indicator_id)
    editable = adapted_set.status == AdaptedSetStatus.DRAFT and rules.can_author_adapted_set(
        request.user, adapted_set.jurisdiction_id
    )
    return render(
        request,
        "standards/adapted/detail.html",
        {
            "adapted_set": adapted_set,
            "rows": rows,
            "n_adapted": len(adapted),
            "consultation": consultation,
            "comments": comments,
            "attachments": consultation.attachments.order_by("uploaded_at", "id"),
            "missing": adaptation.consultation_missing(adapted_set),
            "moves": adaptation.available_moves(adapted_set, request.user),
            "transitions": adapted_set.transitions.select_related("by"),
            "editable": editable,
            "outcomes": CommentOutcome.choices,
            "indicators": list(indicators_by_id.values()),
            "max_mb": adaptation.ATTACHMENT_MAX_BYTES // 1024 // 1024,
            # The page's route if the spreadsheet part has one, else its API's (a plain GET).
            "xlsx_url": _optional_url("standards:adapted-xlsx", adapted_set.pk)
            or _optional_url("adapted-set-xlsx", adapted_set.pk),
            "import_url": _optional_url("standards:adapted-import-xlsx", adapted_set.pk),
        },
    )


def _optional_url(name: str, pk: int) -> str | None:
    # The spreadsheet pages are another part's (standards/urls_parts/spreadsheets.py): linked when
    # they are there.
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return None


@login_required
@require_http_methods(["GET", "POST"])
def adapted_indicator_edit(request, pk, indicator_pk):
    adapted_set = selectors.get_adapted_set_for_user(request.user, pk)
    indicator = get_object_or_404(Indicator, pk=indicator_pk, standard_id=adapted_set.standard_id)
    adaptation.authors_required(request.user, adapted_set)
    if (back := _not_a_draft(request, adapted_set)) is not None:
        return back
    existing = AdaptedIndicator.objects.filter(adapted_set=adapted_set, indicator=indicator).first()
    languages = target_languages()
    error = None
    revision = adapted_set.revision
    if request.method == "POST":
        values = _adaptation_from_form(request, languages)
        try:
            if request.POST.get("remove"):
                adaptation.adaptation_remove(
                    adapted_set=adapted_set, indicator=indicator, by=request.user, revision=_revision(request)
                )
                messages.success(
                    request, _("Indicator %(n)s uses the generic wording again.") % {"n": indicator.number}
                )
            else:
                adaptation.adaptation_save(
                    adapted_set=adapted_set,
                    indicator=indicator,
                    by=request.user,
                    revision=_revision(request),
                    data=values,
                )
                messages.success(request, _("Adaptation of indicator %(n)s saved.") % {"n": indicator.number})
        except DomainError as exc:
            refuse_if_not_allowed(exc)
            error = exc
            revision = _int(request.POST.get("revision")) or revision
        else:
            return redirect(_set_url(adapted_set, f"indicator-{indicator.pk}"))
    else:
        values = _adaptation_values(existing, languages)
    return render(
        request,
        "standards/adapted/indicator_edit.html",
        {
            "adapted_set": adapted_set,
            "indicator": indicator,
            "existing": existing,
            "form_languages": [
                (code, LANGUAGE_NAMES.get(code, code), _as_form(values["translations"].get(code, {})))
                for code in languages
            ],
            "values": _as_form(values),
            "revision": revision,
            "error": error,
        },
        status=(error.http_status if error else 200),
    )


def _as_form(values: dict[str, Any]) -> dict[str, Any]:
    """Lists of texts as the textarea shows them: one per line."""
    return {name: "\n".join(value) if isinstance(value, list) else value for name, value in values.items()}


def _adaptation_values(existing: AdaptedIndicator | None, languages: list[str]) -> dict[str, Any]:
    if existing is None:
        return {"text": "", "thresholds": "", "means_of_verification": [], "translations": {}}
    return {
        "text": existing.text,
        "thresholds": existing.thresholds,
        "means_of_verification": existing.means_of_verification,
        "translations": existing.translations or {},
    }


def _adaptation_from_form(request: HttpRequest, languages: list[str]) -> dict[str, Any]:
    post = request.POST
    return {
        "text": post.get("text", ""),
        "thresholds": post.get("thresholds", ""),
        "means_of_verification": _lines(post.get("means_of_verification", "")),
        "translations": {
            code: {
                "text": post.get(f"text_{code}", ""),
                "thresholds": post.get(f"thresholds_{code}", ""),
                "means_of_verification": _lines(post.get(f"means_of_verification_{code}", "")),
            }
            for code in languages
        },
    }


# --- the consultation --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def consultation_edit(request, pk):
    adapted_set = selectors.get_adapted_set_for_user(request.user, pk)
    adaptation.authors_required(request.user, adapted_set)
    if (back := _not_a_draft(request, adapted_set)) is not None:
        return back
    consultation = adaptation.consultation_of(adapted_set)
    error = None
    values = {name: getattr(consultation, name) or "" for name in adaptation.CONSULTATION_FIELDS}
    revision = adapted_set.revision
    if request.method == "POST":
        values = {name: request.POST.get(name, "").strip() for name in adaptation.CONSULTATION_FIELDS}
        try:
            adaptation.consultation_save(
                adapted_set=adapted_set, by=request.user, revision=_revision(request), changes=values
            )
        except DomainError as exc:
            refuse_if_not_allowed(exc)
            error = exc
            revision = _int(request.POST.get("revision")) or revision
        else:
            messages.success(request, _("Consultation record saved."))
            return redirect(_set_url(adapted_set, "consultation"))
    return render(
        request,
        "standards/adapted/consultation_edit.html",
        {"adapted_set": adapted_set, "values": values, "revision": revision, "error": error},
        status=(error.http_status if error else 200),
    )


def _comment_from_form(request: HttpRequest) -> dict[str, Any]:
    names = ("from_whom", "received_on", "comment", "response", "outcome", "indicator")
    return {name: request.POST.get(name, "").strip() for name in names}


@login_required
@require_POST
def comment_add(request, pk):
    adapted_set = selectors.get_adapted_set_for_user(request.user, pk)
    adaptation.authors_required(request.user, adapted_set)
    try:
        adaptation.comment_add(adapted_set=adapted_set, by=request.user, data=_comment_from_form(request))
    except DomainError as exc:
        flash_error(request, exc)
    else:
        messages.success(request, _("Comment recorded."))
    return redirect(_set_url(adapted_set, "comments"))


@login_required
@require_http_methods(["GET", "POST"])
def comment_edit(request, pk, comment_pk):
    adapted_set = selectors.get_adapted_set_for_user(request.user, pk)
    comment = adaptation.get_comment(adapted_set, comment_pk)
    adaptation.authors_required(request.user, adapted_set)
    if (back := _not_a_draft(request, adapted_set)) is not None:
        return back
    error = None
    values = {
        "from_whom": comment.from_whom,
        "received_on": comment.received_on.isoformat() if comment.received_on else "",
        "comment": comment.comment,
        "response": comment.response,
        "outcome": comment.outcome,
        "indicator": comment.indicator_id or "",
    }
    revision = adapted_set.revision
    if request.method == "POST":
        values = _comment_from_form(request)
        try:
            adaptation.comment_update(comment=comment, by=request.user, changes=values, revision=_revision(request))
        except DomainError as exc:
            refuse_if_not_allowed(exc)
            error = exc
            revision = _int(request.POST.get("revision")) or revision
        else:
            messages.success(request, _("Comment saved."))
            return redirect(_set_url(adapted_set, "comments"))
    return render(
        request,
        "standards/adapted/comment_edit.html",
        {
            "adapted_set": adapted_set,
            "comment": comment,
            "values": values,
            "revision": revision,
            "error": error,
            "outcomes": CommentOutcome.choices,
            "indicators": Indicator.objects.filter(standard_id=adapted_set.standard_id).order_by("position"),
        },
        status=(error.http_status if error else 200),
    )


@login_required
@require_POST
def attachment_add(request, pk):
    adapted_set = selectors.get_adapted_set_for_user(request.user, pk)
    adaptation.authors_required(request.user, adapted_set)
    try:
        adaptation.attachment_add(
            adapted_set=adapted_set,
            by=request.user,
            file=request.FILES.get("file"),
            title=request.POST.get("title", ""),
        )
    except DomainError as exc:
        flash_error(request, exc)
    else:
        messages.success(request, _("Document added to the consultation record."))
    return redirect(_set_url(adapted_set, "attachments"))


@login_required
@require_GET
def attachment_download(request, pk, attachment_pk):
    adapted_set = selectors.get_adapted_set_for_user(request.user, pk)
    return attachment_response(adaptation.get_attachment(adapted_set, attachment_pk))


# --- the lifecycle -----------------------------------------------------------------------------


@login_required
@require_POST
def adapted_move(request, pk):
    """Submit, approve or return: a first POST shows what will happen (nothing changes); the
    confirmation's own submit acts."""
    adapted_set = selectors.get_adapted_set_for_user(request.user, pk)
    to = request.POST.get("to", "")
    if to == AdaptedSetStatus.SUBMITTED:
        adaptation.authors_required(request.user, adapted_set)
    elif to in (AdaptedSetStatus.APPROVED, AdaptedSetStatus.DRAFT):
        adaptation.committee_required(request.user)
    else:
        messages.error(request, _("That is not a step this page offers."))
        return redirect(_set_url(adapted_set))
    note = request.POST.get("note", "").strip()
    move = adaptation.MACHINE.move(adapted_set.status, to)
    if move is not None and request.POST.get("confirm") != "yes":
        return render(
            request,
            "standards/adapted/move_confirm.html",
            {
                "adapted_set": adapted_set,
                "move": move,
                "to": to,
                "note": note,
                "missing": adaptation.consultation_missing(adapted_set),
            },
        )
    try:
        if to == AdaptedSetStatus.SUBMITTED:
            adaptation.adapted_set_submit(adapted_set=adapted_set, by=request.user, note=note)
            messages.success(request, _("Submitted to the Standard Committee."))
        elif to == AdaptedSetStatus.APPROVED:
            adaptation.adapted_set_approve(adapted_set=adapted_set, user=request.user, note=note)
            messages.success(
                request, _("Approved: sites of the jurisdiction are assessed against this set from now on.")
            )
        else:
            adaptation.adapted_set_return(adapted_set=adapted_set, by=request.user, note=note)
            messages.success(request, _("Returned to the expert group."))
    except DomainError as exc:
        flash_error(request, exc)
    return redirect(_set_url(adapted_set))
