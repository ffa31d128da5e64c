"""Pages of the evidence pipeline: the evidence overview with badges and pins, search, the
status poll, and thumbnails (evidence storage is private: every file goes through a check)."""

import json

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from assessments.selectors import get_assessment_for_user
from core.errors import DomainError
from evidence.selectors import get_evidence_for_user

from . import selectors
from .files import thumbnail_response
from .services import assessment_period

SEARCH_PAGE_SIZE = 50


@login_required
@require_GET
def assessment_evidence(request, pk):
    assessment = get_assessment_for_user(request.user, pk)
    items = selectors.attach_facts(selectors.assessment_evidence(assessment, request.user)[:500])
    start, end = assessment_period(assessment)
    area = assessment.protected_area
    return render(
        request,
        "evidence_processing/assessment_evidence.html",
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
    results = []
    try:
        results = list(selectors.search_evidence(assessment, request.user, q)[:SEARCH_PAGE_SIZE])
    except DomainError as exc:
        error = exc.message
    selectors.attach_facts(results)
    return render(
        request,
        "evidence_processing/search.html",
        {"assessment": assessment, "q": q, "results": results, "error": error},
        status=400 if error else 200,
    )


@login_required
@require_GET
def status(request, pk):
    assessment = get_assessment_for_user(request.user, pk)
    rows = selectors.status_for(assessment, request.user)
    pending = sum(1 for r in rows if r["status"] in ("pending", "processing"))
    response = JsonResponse({"assessment": assessment.pk, "pending": pending, "items": rows})
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def thumbnail(request, item_id):
    # Kept an hour by the person's own browser: a library page shows many (the API's twin,
    # `GET /api/v1/evidence/{id}/thumbnail/`, is not kept at all).
    return thumbnail_response(get_evidence_for_user(request.user, item_id), cache="private, max-age=3600")
