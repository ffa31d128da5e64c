"""The staff system page and the metrics scrape (issue 20). Thin: rules, readers and services decide."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from prometheus_client import CONTENT_TYPE_LATEST

from . import rules, services
from .metrics import render_metrics
from .system import system_state


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    # 404, not 401/403: to anyone but the scraper the address does not exist (README "Monitoring").
    if not rules.may_scrape_metrics(
        authorization=request.headers.get("Authorization", ""),
        remote_addr=request.META.get("REMOTE_ADDR", ""),
        proxied=rules.came_through_proxy(request.META),
    ):
        raise Http404
    return HttpResponse(render_metrics(), content_type=CONTENT_TYPE_LATEST)


@login_required
@require_GET
def system_page(request: HttpRequest) -> HttpResponse:
    if not rules.can_see_system(request.user):
        raise PermissionDenied
    return render(request, "operations/system.html", {"state": system_state()})


@login_required
@require_POST
def job_retry(request: HttpRequest, pk: int) -> HttpResponse:
    if not rules.can_see_system(request.user):
        raise PermissionDenied
    if services.failed_job_retry(job_id=pk, user=request.user) is None:  # type: ignore[arg-type]
        messages.info(request, _("Job #%(id)s was not failed any more: nothing to retry.") % {"id": pk})
    else:
        messages.success(request, _("Job #%(id)s is queued again.") % {"id": pk})
    return redirect("operations:system")


@login_required
@require_POST
def evidence_retry(request: HttpRequest, pk: int) -> HttpResponse:
    if not rules.can_see_system(request.user):
        raise PermissionDenied
    if services.failed_evidence_retry(item_id=pk, user=request.user) is None:  # type: ignore[arg-type]
        messages.info(request, _("Evidence item #%(id)s was not failed any more: nothing to retry.") % {"id": pk})
    else:
        messages.success(request, _("Evidence item #%(id)s is queued for processing again.") % {"id": pk})
    return redirect("operations:system")
