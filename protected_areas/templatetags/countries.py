"""`{{ codes|country_names }}`: ISO 3166 alpha-3 codes ("VNM", "LAO") written as the countries'
names in the reader's language ("Viêt Nam, Laos"), through protected_areas.country_names, the one
home of those names; "" for none. For a page that holds codes only (a jurisdiction's `countries`);
a protected area has its own `countries` property."""

from django import template

from protected_areas.country_names import country_names as names_of

register = template.Library()


@register.filter
def country_names(codes: list[str] | None) -> str:
    return ", ".join(names_of(codes))
