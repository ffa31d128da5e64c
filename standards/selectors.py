"""Reads for the Standard: the current version, its tree, and the indicator set a site uses."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from accounts import rules
from accounts.types import Person

from .models import AdaptedIndicator, AdaptedIndicatorSet, Component, Criterion, Indicator, Jurisdiction, Standard


def current_standard(code: str = "GLS") -> Standard | None:
    """The newest published version of a Standard (a reloaded, changed file counts as newer);
    drafts are never current."""
    return Standard.objects.filter(code=code, status=Standard.Status.PUBLISHED).order_by("-published_at", "-id").first()


def standard_tree(standard: Standard) -> QuerySet[Component]:
    """Components → criteria → indicators in three queries, whatever the size."""
    return Component.objects.filter(standard=standard).prefetch_related(
        Prefetch(
            "criteria",
            queryset=Criterion.objects.order_by("position").prefetch_related(
                Prefetch("indicators", queryset=Indicator.objects.order_by("position"))
            ),
        )
    )


@dataclass(frozen=True)
class Headings:
    """A version's components and criteria by number: the rows whose titles a page shows in the
    reader's language beside figures stored with English titles (score snapshots)."""

    components: dict[str, Component]
    criteria: dict[str, Criterion]


def headings_of(standard_ids: Iterable[int]) -> dict[int, Headings]:
    """The headings of each of these versions, in one query whatever their number (every
    component has a criterion: `standards.content.validate` refuses one without)."""
    out: dict[int, Headings] = {}
    ids = set(standard_ids)
    if not ids:
        return out
    rows = (
        Criterion.objects.filter(component__standard_id__in=ids)
        .select_related("component")
        .only(
            "number",
            "title",
            "translations",
            "component__number",
            "component__title",
            "component__translations",
            "component__standard_id",
        )
    )
    for criterion in rows:
        component = criterion.component
        headings = out.setdefault(component.standard_id, Headings({}, {}))
        headings.components.setdefault(component.number, component)
        headings.criteria[criterion.number] = criterion
    return out


@dataclass(frozen=True)
class IndicatorSet:
    """The indicators an assessment of a site uses: a Standard version, adapted or generic."""

    standard: Standard
    adapted_set: AdaptedIndicatorSet | None


class InCountries(Protocol):
    """A protected area as the Standard sees it: the countries it lies in (protected_areas sits
    beside standards, not below it, so its model is not imported here)."""

    @property
    def iso3(self) -> list[str] | None: ...

    @property
    def parent_iso3(self) -> list[str] | None: ...


def _area_countries(protected_area: InCountries) -> list[str]:
    return sorted(set(protected_area.parent_iso3 or []) | set(protected_area.iso3 or []))


def jurisdiction_for(protected_area: InCountries) -> Jurisdiction | None:
    countries = _area_countries(protected_area)
    if not countries:
        return None
    return Jurisdiction.objects.filter(countries__overlap=countries).order_by("code").first()


class JurisdictionIndex:
    """`jurisdiction_for` of many areas from one query (lists): the same rule, the first jurisdiction
    by code that covers one of the area's countries."""

    def __init__(self) -> None:
        self.rows = [(j.pk, set(j.countries or [])) for j in Jurisdiction.objects.order_by("code").only("countries")]

    def id_for(self, protected_area: InCountries) -> int | None:
        countries = set(_area_countries(protected_area))
        return next((pk for pk, covered in self.rows if covered & countries), None)


def indicator_set_for(protected_area: InCountries) -> IndicatorSet | None:
    """The approved adapted set of the site's jurisdiction, else the generic indicators of the
    newest Standard. None when no Standard is loaded at all."""
    countries = _area_countries(protected_area)
    if countries:
        adapted = (
            AdaptedIndicatorSet.objects.filter(
                status=AdaptedIndicatorSet.Status.APPROVED, jurisdiction__countries__overlap=countries
            )
            .select_related("standard", "jurisdiction")
            .order_by("-standard__loaded_at", "-approved_on", "-id")
            .first()
        )
        if adapted is not None:
            return IndicatorSet(standard=adapted.standard, adapted_set=adapted)
    standard = current_standard()
    return IndicatorSet(standard=standard, adapted_set=None) if standard else None


def adaptations(adapted_set: AdaptedIndicatorSet | None) -> dict[int, AdaptedIndicator]:
    """Adapted wording by indicator id (one query)."""
    if adapted_set is None:
        return {}
    return {a.indicator_id: a for a in AdaptedIndicator.objects.filter(adapted_set=adapted_set)}


def jurisdictions_visible(user: Person) -> QuerySet[Jurisdiction]:
    """Jurisdictions are reference data, named on public pages; the API still asks for a login."""
    return Jurisdiction.objects.order_by("name", "id")


def standards_visible(user: Person) -> QuerySet[Standard]:
    """Published versions are public reference text (the API still asks for a login, house rule);
    drafts are seen by the keepers of the Standard only."""
    if rules.can_author_standard(user):
        return Standard.objects.all()
    return Standard.objects.filter(status=Standard.Status.PUBLISHED)


# --- adapted sets (issue 14) -----------------------------------------------------------------------

IN_FORCE = (AdaptedIndicatorSet.Status.APPROVED, AdaptedIndicatorSet.Status.RETIRED)


def adapted_sets_visible(user: Person) -> QuerySet[AdaptedIndicatorSet]:
    """`rules.can_see_adapted_set` as a queryset: sets in force (approved, or retired since) for
    anyone logged in; drafts and submitted sets for their jurisdiction's expert group and the
    Committee."""
    sets = AdaptedIndicatorSet.objects.select_related("standard", "jurisdiction")
    if not user.is_authenticated or not user.is_active:
        return sets.none()
    if rules.is_standard_keeper(user):
        return sets
    experts = rules.active_roles(user).expert_jurisdiction_ids
    return sets.filter(Q(status__in=IN_FORCE) | Q(jurisdiction_id__in=experts))


def get_adapted_set_for_user(user: Person, pk: int | str) -> AdaptedIndicatorSet:
    """The set if this person may see it, else 404: the one lookup of the pages and the API."""
    try:
        return adapted_sets_visible(user).get(pk=pk)
    except (AdaptedIndicatorSet.DoesNotExist, ValueError, TypeError):
        raise Http404("No such adapted indicator set.") from None


__all__ = [
    "Headings",
    "IndicatorSet",
    "adaptations",
    "headings_of",
    "current_standard",
    "indicator_set_for",
    "standard_tree",
]
