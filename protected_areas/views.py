"""Pages about protected areas: list, detail, global map, vector tiles, imports and site teams."""

import gzip
import re
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseNotModified, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import rules
from core.errors import DomainError
from core.pages import flash_error, refuse_if_not_allowed
from core.replica import reads_from_replica

from . import basemap, import_wizard, selectors, services
from .filters import ProtectedAreaFilter
from .forms import WIZARD_FIELDS, WIZARD_LABELS, ImportForm, SiteManagerForm
from .importer.summary import outcome_counts
from .pagination import KeysetPage, LargeTablePaginator, NameSearchPaginator, keyset_page, numbered_page, page_cursors

PAGE_SIZE = 25


def _map_config():
    return {
        "basemap_url": settings.BASEMAP_TILE_URL,
        "basemap_attribution": settings.BASEMAP_ATTRIBUTION,
    }


@reads_from_replica
@require_GET
def area_list(request):
    filterset = ProtectedAreaFilter(request.GET or None, queryset=selectors.areas_for_list(request.user))
    queryset = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
    if filterset.is_bound and not filterset.is_valid():
        queryset = queryset.none()
    query = request.GET.copy()
    for param in ("page", "after", "before"):
        query.pop(param, None)
    # A name search counts its matches only up to a cap (NameSearchPaginator); the whole list's count
    # is the table's estimate (LargeTablePaginator). Both page in the list's (name, id) order.
    searching = filterset.is_bound and filterset.is_valid() and filterset.form.cleaned_data.get("q")
    paginator = (NameSearchPaginator if searching else LargeTablePaginator)(queryset, PAGE_SIZE)
    context = {
        "filter": filterset,
        "count": paginator.count,
        "capped": getattr(paginator, "capped", False),
        "query": query.urlencode(),
    }
    try:
        context["page"] = _list_page(request, queryset, paginator)
    except DomainError as exc:  # a damaged page link: say so, with the way back to the first page
        return render(request, "protected_areas/list.html", {**context, "page_error": exc.message}, status=400)
    return render(request, "protected_areas/list.html", context)


def _list_page(request, queryset, paginator: Paginator) -> KeysetPage:
    """The page a link asks for: after or before a row (the links this page makes), or a numbered
    page (links kept from before keyset pages; read with OFFSET, so slower the deeper). A number
    it cannot use shows the first or the last page, as Django's `Paginator.get_page` did."""
    if cursors := page_cursors(request.GET):
        return keyset_page(queryset, size=PAGE_SIZE, **cursors)
    number = paginator.get_page(request.GET.get("page")).number
    if number == 1:
        return keyset_page(queryset, size=PAGE_SIZE)
    return numbered_page(queryset, size=PAGE_SIZE, number=number)


@reads_from_replica
@require_GET
def area_detail(request, pk):
    area = selectors.area_for_user(request.user, pk)
    can_manage = rules.can_manage_site_teams(request.user)
    return render(
        request,
        "protected_areas/detail.html",
        {
            "area": area,
            "versions": selectors.boundary_versions(area),
            "team": selectors.site_team(area),
            # Who the managers are is not public (issue 12): others see how many there are.
            "show_team": rules.can_see_site_team(request.user, area),
            "can_manage_team": can_manage,
            "team_form": SiteManagerForm() if can_manage else None,
            "boundary": area.geom_display.geojson if area.geom_display else None,
            "point": area.point.geojson if area.point else None,
            "map": _map_config(),
        },
    )


@require_GET
def area_map(request):
    # No data version in the URL: an import changes only some tiles, which browsers learn by their ETag.
    tiles = reverse("protected_areas:tile", args=[0, 0, 0]).replace("/0/0/0.pbf", "/{z}/{x}/{y}.pbf")
    return render(
        request,
        "protected_areas/map.html",
        {"tiles_url": tiles, "map": _map_config(), "extent": selectors.areas_extent()},
    )


_ACCEPTS_GZIP = re.compile(r"\bgzip\b")


@require_GET
def area_tile(request, z, x, y):
    if not selectors.tile_in_range(z, x, y):
        raise Http404("No such tile.")
    etag, gzipped = selectors.tile(z, x, y)
    # Kept gzipped (tile_cache); the rare client that does not take gzip gets it unpacked. Each
    # coding has its own ETag, as a cache between us and the browser may hold both.
    as_gzip = bool(_ACCEPTS_GZIP.search(request.headers.get("Accept-Encoding", "")))
    etag = f'"{etag}-gz"' if as_gzip else f'"{etag}"'
    if etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
        response = HttpResponseNotModified()
    else:
        data = gzipped if as_gzip else gzip.decompress(gzipped)
        response = HttpResponse(data, content_type="application/vnd.mapbox-vector-tile")
        if as_gzip:
            response["Content-Encoding"] = "gzip"
    # Browsers ask again each time (a 304 from the cache costs a millisecond), so a tile an import
    # changed is never shown stale, and the others are never downloaded twice.
    response["Cache-Control"] = "public, no-cache"
    response["ETag"] = etag
    patch_vary_headers(response, ("Accept-Encoding",))
    return response


@require_GET
def basemap_tile(request, z, x, y):
    """The platform's own base map (Natural Earth countries), public like the map it is under."""
    if not basemap.tile_in_range(z, x, y):
        raise Http404("No such tile.")
    response = HttpResponse(basemap.basemap_tile(z, x, y), content_type="application/vnd.mapbox-vector-tile")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@require_GET
def basemap_places(request, language):
    """The base map's place names in `language` (in the URL, so each language caches apart), for
    every map's labels; public like the base map."""
    if language not in dict(settings.LANGUAGES):
        raise Http404("No such language.")
    response = JsonResponse(basemap.basemap_labels(language), json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "public, max-age=86400"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def import_start(request):
    if not rules.can_import_protected_areas(request.user):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid() and form.cleaned_data["preview"]:
        # The wizard: a dry run first; nothing is saved until staff confirm on its page.
        source = form.cleaned_data["source"] or Path(form.cleaned_data["file"].name).stem
        job = import_wizard.preview_job_start(
            user=request.user,
            upload=form.cleaned_data["file"],
            layer=form.cleaned_data["layer"],
            field_map=form.cleaned_data["field_map"] or import_wizard.remembered_mapping(source),
            source=source,
        )
        return redirect("protected_areas:import-status", job_id=job.pk)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.import_job_start(
                user=request.user,
                upload=form.cleaned_data["file"],
                layer=form.cleaned_data["layer"],
                field_map=form.cleaned_data["field_map"],
                source=form.cleaned_data["source"],
            )
        except DomainError as exc:
            refuse_if_not_allowed(exc)
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            return redirect("protected_areas:import-status", job_id=job.pk)
    return render(request, "protected_areas/import.html", {"form": form, "jobs": selectors.recent_import_jobs()})


@login_required
@require_GET
def import_status(request, job_id):
    job = selectors.get_import_job_for_user(request.user, job_id)
    if job.kind == import_wizard.PREVIEW_JOB_KIND:
        return render(request, "protected_areas/import_preview.html", _preview_context(job))
    return render(
        request, "protected_areas/import_status.html", {"job": job, "counts": outcome_counts(job.result or {})}
    )


def _preview_context(job, errors=None):
    result = job.result or {}
    field_map = job.params.get("field_map") or {}
    columns = result.get("columns") or []
    # What each field reads now: the mapping asked for, else the column the import recognised by name.
    missing = result.get("mapping_missing") or []
    mapping_rows = [
        {
            "field": name,
            "label": WIZARD_LABELS[name],
            "column": field_map.get(name, ""),
            "choices": columns,
            "missing": name in missing,
        }
        for name in WIZARD_FIELDS
    ]
    duplicates = [
        {**d, "reason_labels": import_wizard.reason_labels(d), "suggested": d.get("suggested", "update")}
        for d in result.get("duplicates") or []
    ]
    return {
        "job": job,
        "result": result,
        "counts": outcome_counts(result.get("summary") or {}),
        "mapping_rows": mapping_rows,
        "missing_labels": [str(WIZARD_LABELS[name]) for name in WIZARD_FIELDS if name in missing],
        "duplicates": list(enumerate(duplicates)),
        "finished": job.status in (job.Status.DONE, job.Status.FAILED),
        "layers_to_import": import_wizard.LAYERS_TO_IMPORT,
        "errors": errors or [],
        "map": _map_config(),
    }


def _finished_preview(request, job_id):
    """The wizard's steps after a preview (import it, or preview another layer) start from a finished
    preview the person may see, and only for people who import."""
    job = selectors.get_import_job_for_user(request.user, job_id)
    if not rules.can_import_protected_areas(request.user):
        raise PermissionDenied
    if job.kind != import_wizard.PREVIEW_JOB_KIND or job.status != job.Status.DONE:
        raise Http404("No finished preview.")
    return job


@login_required
@require_POST
def import_layer(request, job_id):
    """Preview another layer of a previewed file (its layers are listed on the preview), from the
    file already uploaded."""
    job = _finished_preview(request, job_id)
    try:
        again = import_wizard.preview_other_layer(job, user=request.user, layer=request.POST.get("layer", ""))
    except DomainError as exc:
        return render(request, "protected_areas/import_preview.html", _preview_context(job, [exc.message]), status=400)
    return redirect("protected_areas:import-status", job_id=again.pk)


@login_required
@require_POST
def import_confirm(request, job_id):
    """The wizard's last step: import with the mapping and the duplicate choices made on the preview
    (a changed mapping is previewed again first)."""
    job = _finished_preview(request, job_id)
    columns = {c["name"] for c in job.result.get("columns") or []}
    field_map = {}
    errors = []
    for name in WIZARD_FIELDS:
        column = request.POST.get(f"map_{name}", "")
        if column and column not in columns:
            errors.append(_("The file has no column %(column)s.") % {"column": column})
        elif column:
            field_map[name] = column
    mapping_changed = field_map != (job.params.get("field_map") or {})
    decisions = import_wizard.DuplicateDecisions()
    if not mapping_changed:  # a changed mapping is previewed again: its duplicates are to choose then
        if job.result.get("mapping_error"):
            # the same mapping again would only fail again, in the worker
            errors.append(_("Choose a column for each field marked."))
        duplicates = job.result.get("duplicates") or []
        decisions = import_wizard.duplicate_decisions(
            duplicates, [request.POST.get(f"duplicate_{i}", "keep_both") for i in range(len(duplicates))]
        )
        errors += decisions.errors
    if errors:
        return render(request, "protected_areas/import_preview.html", _preview_context(job, errors), status=400)
    with job.input_file.open("rb") as handle:
        upload = File(handle, name=job.params["file_name"])
        if mapping_changed:
            again = import_wizard.preview_job_start(
                user=request.user,
                upload=upload,
                layer=job.params.get("layer") or "",
                field_map=field_map,
                source=job.params["source"],
            )
            return redirect("protected_areas:import-status", job_id=again.pk)
        real = services.import_job_start(
            user=request.user,
            upload=upload,
            layer=job.params.get("layer") or "",
            field_map=field_map,
            source=job.params["source"],
            skip_keys=decisions.skip,
            adopt=decisions.adopt,
        )
    return redirect("protected_areas:import-status", job_id=real.pk)


@login_required
@require_GET
def import_status_json(request, job_id):
    """The page's old status address: the job's status is the API's (GET /api/v1/jobs/{id}/), which
    the page polls; kept for anyone still asking here, after the same check as the page."""
    job = selectors.get_import_job_for_user(request.user, job_id)
    return redirect(reverse("job-detail", args=[job.pk]))


@login_required
@require_POST
def team_add(request, pk):
    area = selectors.area_for_user(request.user, pk)
    if not rules.can_manage_site_teams(request.user):
        raise PermissionDenied
    form = SiteManagerForm(request.POST)
    if form.is_valid():
        try:
            assignment = services.site_manager_add(area=area, email=form.cleaned_data["email"], by=request.user)
        except DomainError as exc:
            flash_error(request, exc)
        else:
            messages.success(request, _("%(user)s is now a site manager of this area.") % {"user": assignment.user})
    else:
        messages.error(request, " ".join(form.errors.get("email", [])))
    return redirect(area.get_absolute_url() + "#team")


@login_required
@require_POST
def team_remove(request, pk, assignment_id):
    area = selectors.area_for_user(request.user, pk)
    if not rules.can_manage_site_teams(request.user):
        raise PermissionDenied
    try:
        assignment = services.site_manager_remove(area=area, assignment_id=assignment_id, by=request.user)
    except DomainError as exc:
        flash_error(request, exc)
    else:
        messages.success(request, _("%(user)s is no longer on the site team.") % {"user": assignment.user})
    return redirect(area.get_absolute_url() + "#team")
