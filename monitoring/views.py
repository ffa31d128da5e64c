"""The outcome page of an area: its monitoring series as charts, tables and a map, the links of series
to the Standard's outcome indicators, and processing a failed dataset again. Thin: monitoring.outcomes
builds the page, monitoring.indicator_links and monitoring.services write."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.errors import DomainError
from core.pages import flash_error
from protected_areas.selectors import area_for_user

from . import indicator_links, outcomes, rules, selectors, services


def _area(request, pk):
    area = area_for_user(request.user, pk)
    if not rules.can_view_monitoring(request.user, area):
        raise PermissionDenied(_("Monitoring series are shown to the site team, its assigned experts and IUCN staff."))
    return area


@login_required
@require_GET
def outcome_page(request, pk):
    area = _area(request, pk)
    can_add = rules.can_add_monitoring(request.user, area)
    context = outcomes.outcome_page(area, can_add=can_add)
    context.update(
        area=area,
        can_add=can_add,
        map={"basemap_url": settings.BASEMAP_TILE_URL, "basemap_attribution": settings.BASEMAP_ATTRIBUTION},
    )
    return render(request, "monitoring/outcomes.html", context)


def _back(area) -> str:
    return reverse("monitoring:outcomes", args=[area.pk]) + "#links"


@login_required
@require_POST
def link_add(request, pk):
    area = _area(request, pk)
    try:
        link = indicator_links.link_create(
            area=area,
            by=request.user,
            dataset_id=request.POST.get("dataset"),
            indicator_id=request.POST.get("indicator"),
            # "metric|taxon" of one series, or empty for the whole dataset (the page's select)
            metric=request.POST.get("series", "").partition("|")[0],
            taxon=request.POST.get("series", "").partition("|")[2],
        )
    except DomainError as exc:
        flash_error(request, exc)
    else:
        messages.success(request, _("Linked to indicator %(number)s.") % {"number": link.indicator.number})
    return redirect(_back(area))


@login_required
@require_POST
def link_remove(request, pk, link_id):
    area = _area(request, pk)
    try:
        indicator_links.link_delete(area=area, by=request.user, link_id=link_id)
    except DomainError as exc:
        flash_error(request, exc)
    else:
        messages.success(request, _("Link removed."))
    return redirect(_back(area))


@login_required
@require_POST
def dataset_process(request, pk, dataset_id):
    """Process a dataset again (the button beside a failed one; the API's POST …/process/): the same
    service, so the same rule (its site team and IUCN staff) and the same refusal while it is read."""
    area = _area(request, pk)
    dataset = get_object_or_404(selectors.area_datasets(area), pk=dataset_id)
    try:
        services.request_processing(dataset, by=request.user)
    except DomainError as exc:
        flash_error(request, exc)
    else:
        messages.success(request, _("Processing again: the values are shown once a worker has read the files."))
    return redirect(reverse("monitoring:outcomes", args=[area.pk]) + f"#dataset-{dataset.pk}")
