"""The page of a multi-site application's sites (issue 16): every site on one map, each added site's
connection statement, and the site team's and staff's forms to add and remove sites in the
application phase. Rules and writes are `assessments.rules` and `assessments.sites`."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import DomainError, NotAllowed
from core.pages import flash_error, refuse_if_not_allowed

from . import error_codes, rules, selectors, sites


def _check_rule(request, assessment) -> None:
    """The rule before the form (a person who may see but not change gets 403, core.pages)."""
    if not rules.can_change_application_sites(request.user, assessment):
        raise NotAllowed(
            error_codes.SITES_NOT_ALLOWED,
            _("Only the site team and IUCN staff can change the sites of an application."),
        )


@login_required
@require_http_methods(["GET", "POST"])
def sites_page(request, pk):
    assessment = selectors.get_assessment_for_user(request.user, pk)
    error, posted = None, {}
    if request.method == "POST":
        _check_rule(request, assessment)
        posted = {name: request.POST.get(name, "") for name in ("wdpa_id", "connection", "shared_values")}
        try:
            sites.check_may_change(assessment, request.user)  # the phase before the form's contents
            area = sites.find_area(wdpa_id=posted["wdpa_id"].strip())
            site = sites.site_add(
                assessment=assessment,
                area=area,
                by=request.user,
                connection=posted["connection"],
                shared_values=posted["shared_values"],
            )
        except DomainError as exc:
            refuse_if_not_allowed(exc)
            error = exc
        else:
            messages.success(request, _("%(site)s is now one of the application's sites.") % {"site": area.name})
            return redirect(f"{request.path}#site-{site.pk}")
    added = sites.application_sites(assessment)
    context = {
        "assessment": assessment,
        "sites": added,
        "map_data": sites.sites_map(assessment, added),
        "map": {"basemap_url": settings.BASEMAP_TILE_URL, "basemap_attribution": settings.BASEMAP_ATTRIBUTION},
        "editable": sites.sites_editable(assessment),
        "may_change": rules.can_change_application_sites(request.user, assessment),
        "error": error,
        "posted": posted,
    }
    return render(request, "assessments/sites.html", context, status=error.http_status if error else 200)


@login_required
@require_POST
def site_remove(request, pk, site_pk):
    assessment = selectors.get_assessment_for_user(request.user, pk)
    site = sites.get_site(assessment, site_pk)
    _check_rule(request, assessment)
    try:
        sites.site_remove(site=site, by=request.user)
    except DomainError as exc:
        flash_error(request, exc)
    else:
        messages.success(
            request, _("%(site)s is no longer one of the application's sites.") % {"site": site.protected_area.name}
        )
    return redirect("assessments:sites", pk=assessment.pk)
