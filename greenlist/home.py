"""The home page: what this person has to do next, gathered from every app.

It lives in the project package, above all the apps (docs/architecture.md): a signed-in person's
home shows their sites with the newest assessment of each, their review assignments and, for
staff, the portfolio and lapsing accreditations. accounts, below those apps, cannot compose it.
"""

from typing import Any

from django.shortcuts import render

from accounts import rules
from accounts.models import User
from accounts.selectors import accreditations_lapsing
from assessments.models import Assessment
from protected_areas.models import ProtectedArea
from reviews.selectors import my_assignments


def home_context(user: User) -> dict[str, Any]:
    roles = rules.active_roles(user)
    context: dict[str, Any] = {"active": roles}
    if roles.managed_area_ids:
        # Each site with its newest assessment (one query for sites, one for their assessments).
        sites = list(
            ProtectedArea.objects.filter(pk__in=roles.managed_area_ids).only(
                "id", "name", "iso3", "iucn_category", "designation_eng"
            )
        )
        latest: dict[int, Assessment] = {}
        for assessment in Assessment.objects.filter(protected_area__in=sites).order_by("protected_area_id", "-cycle"):
            latest.setdefault(assessment.protected_area_id, assessment)
        for site in sites:
            site.latest_assessment = latest.get(site.pk)
        context["my_sites"] = sites
    if roles.expert_jurisdiction_ids or roles.independent_reviewer:
        context["my_assignments"] = list(my_assignments(user)[:20])
    if roles.iucn_staff:
        context["portfolio_area_count"] = ProtectedArea.objects.count()
        context["lapsing"] = accreditations_lapsing()[:10]
    return context


def home(request):
    """The role's home page: what this person has to do next."""
    if not request.user.is_authenticated:
        return render(request, "home_public.html")
    return render(request, "home.html", home_context(request.user))
