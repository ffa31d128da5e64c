"""`{% concern_link area %}`: the link to raise a concern about a listed site.

A template tag, so that the public pages of sites (protected_areas, certification) show it without
their views knowing of concerns."""

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from concerns.services import listing_certificates

register = template.Library()


@register.simple_tag
def concern_link(area) -> str:
    if area is None or not listing_certificates(area.pk).exists():
        return ""
    return format_html(
        '<p class="concern-link"><a href="{}" id="concern-link">{}</a></p>',
        reverse("concerns:raise", args=[area.pk]),
        _("Raise a concern about this site"),
    )
