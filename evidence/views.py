"""Evidence pages: upload (without JavaScript), the library, the link page of one indicator, the
evidence overview with badges and pins, search, thumbnails, and the download.

Evidence files leave the platform only through the permission-checked download here (and its twin
in the API, `GET /api/v1/evidence/{id}/file/`: same rule, same response, evidence.files); evidence
storage is private. The JSON the pages' scripts read (the picker, the status poll) is in `api/`.
"""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import rules
from assessments import services as assessment_services
from assessments.freshness import assessment_etag
from assessments.models import Answer
from assessments.selectors import get_assessment_for_user
from assessments.sites import application_areas
from core.errors import DomainError
from core.freshness import conditional_page
from core.limits import cut
from core.pages import flash_error
from core.pagination import page_number

from . import search as evidence_search
from . import selectors
from .badges import render_badges
from .choices import Sensitivity
from .files import evidence_file_response, thumbnail_response
from .forms import EvidenceForm
from .models import EvidenceItem
from .pipeline import assessment_period
from .services import evidence_upload, max_upload_bytes

# Twenty results a page, as search engines show: rendering a result (snippets, badges, thumbnail)
# is most of the page's time, and a page of 50 took 55 ms of CPU at 1,000,000 evidence items.
SEARCH_PAGE_SIZE = 20
OVERVIEW_MAX_ITEMS = 500


@login_required
@require_GET
def evidence_download(request, pk):
    return evidence_file_response(selectors.get_evidence_for_user(request.user, pk))


@login_required
@require_GET
def thumbnail(request, item_id):
    # Kept an hour by the person's own browser: a library page shows many (the API's twin,
    # `GET /api/v1/evidence/{id}/thumbnail/`, is not kept at all).
    # `?w=&v=` (the pages' srcset, evidence.thumbnails): a size, kept a year when `v` names this file.
    return thumbnail_response(
        selectors.get_evidence_for_user(request.user, item_id),
        cache="private, max-age=3600",
        width=request.GET.get("w"),
        version=request.GET.get("v"),
    )


# --- upload and links ----------------------------------------------------------------------------


@login_required
@require_POST
def evidence_post(request, pk):
    """Plain multipart upload (without JavaScript); the page's script uses the API instead."""
    assessment = get_assessment_for_user(request.user, pk)
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
            site=data.get("site") or None,
        )
    except DomainError as exc:
        flash_error(request, exc)
    else:
        messages.success(request, _("Uploaded “%(t)s”.") % {"t": item.title})
    return _after_upload(request, assessment)


def _after_upload(request, assessment):
    """Back to the indicator's evidence page when the upload came from there, else the assessment."""
    back = request.POST.get("back_to_answer", "")
    if back.isascii() and back.isdigit() and Answer.objects.filter(pk=int(back), assessment=assessment).exists():
        return redirect("evidence:answer-evidence", assessment.pk, int(back))
    return redirect(assessment)


@login_required
@require_GET
def evidence_library(request, pk):
    """All evidence of the assessment, one page at a time (the assessment page shows the first;
    its script swaps further pages in from here)."""
    assessment = get_assessment_for_user(request.user, pk)
    library = selectors.evidence_library_page(assessment, request.user, request.GET.get("page"))
    return render(request, "evidence/library.html", {"assessment": assessment, "library": library})


def _answer_seen(request, pk, answer_id):
    """The assessment (404 unless the person may see it) and its answer `answer_id` (404 otherwise),
    looked up once per request: the tag and the fragment both need them."""
    seen = getattr(request, "answer_seen", None)
    if seen is None or (str(seen[0].pk), str(seen[1].pk)) != (str(pk), str(answer_id)):
        assessment = get_assessment_for_user(request.user, pk)
        answer = get_object_or_404(Answer, pk=answer_id, assessment=assessment)
        seen = request.answer_seen = (assessment, answer)
    return seen


def _linked_etag(request, pk, answer_id):
    assessment, answer = _answer_seen(request, pk, answer_id)
    return assessment_etag(request, assessment, f"linked-{answer.pk}")


@login_required
@require_GET
@conditional_page(_linked_etag)
def answer_linked(request, pk, answer_id):
    """The evidence linked to one indicator, as the assessment page lists it under the indicator (each
    with its facts box): loaded when the list is asked for (static/js/assessment.js) and kept with the
    page for offline use; the page itself carries only the ids (issue 19). Whoever sees the
    assessment sees the items they may see, as on the page."""
    assessment, answer = _answer_seen(request, pk, answer_id)
    linked = selectors.linked_evidence(assessment, request.user).get(answer.pk, [])
    ids = [item_id for item_id, _title in linked]
    items = list(EvidenceItem.objects.filter(pk__in=ids).only("id", "processing_status", "status_reason"))
    boxes = render_badges(items, selectors.facts_for_items([item.pk for item in items])) if items else {}
    download = selectors.download_url_pattern()
    shown = [
        {"id": str(item_id), "title": title, "url": download.format(item_id), "box": boxes.get(item_id, "")}
        for item_id, title in linked
    ]
    return render(request, "evidence/_linked_items.html", {"linked": shown})


def _linkable_answer(request, pk, answer_id):
    assessment = get_assessment_for_user(request.user, pk)
    answer = get_object_or_404(Answer.objects.select_related("indicator"), pk=answer_id, assessment=assessment)
    if not rules.can_edit_assessment(request.user, assessment):
        raise PermissionDenied(_("Only the site's team can link evidence to this assessment."))
    return assessment, answer


@login_required
@require_http_methods(["GET", "POST"])
def answer_evidence(request, pk, answer_id):
    """Link or unlink evidence of one indicator without JavaScript: search, then one button per
    item. With JavaScript the assessment page does the same through the picker (api.views)."""
    assessment, answer = _linkable_answer(request, pk, answer_id)
    # A title search: nothing longer than a title can match.
    query = cut(request.GET.get("q", ""), EvidenceItem, "title")
    here = request.get_full_path()
    if request.method == "POST":
        return _answer_evidence_post(request, assessment, answer, here)
    page = Paginator(selectors.linkable_evidence(assessment, request.user, query), selectors.PICKER_PAGE_SIZE).get_page(
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
        "evidence/answer_evidence.html",
        {
            "assessment": assessment,
            "answer": answer,
            "editable": assessment.is_editable,
            "linked": [{"pk": pk, "title": title, "url": pattern.format(pk)} for pk, title in linked],
            "page": page,
            "query": query,
            "sensitivity_choices": Sensitivity.choices,
            "default_sensitivity": Sensitivity.REVIEWERS,
            "max_upload_mb": max_upload_bytes() // (1024 * 1024),
            # A multi-site application's sites, which an upload may name (issue 16).
            "application_sites": application_areas(assessment),
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
        item = selectors.linkable_evidence(assessment, request.user).filter(pk=item_id).first()
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
        assessment_services.answer_save(
            answer=answer, user=request.user, expected_version=version, changes={"evidence": ids}
        )
    except assessment_services.AnswerConflict:
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


# --- what processing found -----------------------------------------------------------------------


@login_required
@require_GET
def assessment_evidence(request, pk):
    assessment = get_assessment_for_user(request.user, pk)
    items = selectors.attach_facts(selectors.assessment_evidence(assessment, request.user)[:OVERVIEW_MAX_ITEMS])
    start, end = assessment_period(assessment)
    area = assessment.protected_area
    return render(
        request,
        "evidence/assessment_evidence.html",
        {
            "assessment": assessment,
            "items": items,
            "period_start": start,
            "period_end": end,
            "pins": selectors.map_pins(assessment, request.user),
            "boundary": json.loads(area.geom_display.json) if area.geom_display else None,
        },
    )


@login_required
@require_GET
def search(request, pk):
    assessment = get_assessment_for_user(request.user, pk)
    q = request.GET.get("q", "")
    error = None
    results: list = []
    number = 1
    try:
        number = page_number(request.GET.get("page"))
        first = (number - 1) * SEARCH_PAGE_SIZE
        # One more than a page tells whether there is a next one, without counting every match.
        results = list(
            evidence_search.search_evidence(assessment, request.user, q)[first : first + SEARCH_PAGE_SIZE + 1]
        )
    except DomainError as exc:
        error = exc.message
    has_next = len(results) > SEARCH_PAGE_SIZE
    results = selectors.attach_facts(results[:SEARCH_PAGE_SIZE])
    first_shown = (number - 1) * SEARCH_PAGE_SIZE + 1
    return render(
        request,
        "evidence/search.html",
        {
            "assessment": assessment,
            "q": q,
            "results": results,
            "error": error,
            "page": number,
            "has_next": has_next,
            "paged": bool(results) and (number > 1 or has_next),
            "first_shown": first_shown,
            "last_shown": first_shown + len(results) - 1,
        },
        status=400 if error else 200,
    )
