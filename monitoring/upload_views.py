"""The page where the site team (or IUCN staff) adds a monitoring dataset to an area: the same
service, rules and checks as the API and the import command. Thin: monitoring.services decides."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.errors import DomainError
from protected_areas.selectors import area_for_user

from . import rules, services
from .choices import DatasetKind

# The parameters the form offers (each kind reads its own; monitoring.services.PARAMS).
FORM_PARAMS = ("min_confidence", "year", "canopy_threshold", "buffer_km")


@login_required
@require_http_methods(["GET", "POST"])
def dataset_add(request, pk):
    area = area_for_user(request.user, pk)
    if not rules.can_add_monitoring(request.user, area):
        raise PermissionDenied(_("Only the site team of this area and IUCN staff add monitoring data."))
    error: DomainError | None = None
    if request.method == "POST":
        try:
            dataset = services.add_dataset(
                area=area,
                title=request.POST.get("title", ""),
                files=[(f.name, f) for f in request.FILES.getlist("files")],
                by=request.user,
                kind=request.POST.get("kind", ""),
                params={name: request.POST[name] for name in FORM_PARAMS if request.POST.get(name, "").strip()},
                sensitive=request.POST.get("sensitive") == "on",
            )
        except DomainError as exc:
            error = exc
        else:
            messages.success(request, _("“%(title)s” was received; a worker reads it now.") % {"title": dataset.title})
            return redirect("monitoring:outcomes", area.pk)
    context = {"area": area, "kinds": DatasetKind.choices, "error": error, "posted": request.POST}
    return render(request, "monitoring/add.html", context, status=400 if error else 200)
