"""`{% consultation_link area %}`: the link to a site's public comment page while a window is open.

A template tag, so that the public pages of sites (protected_areas, certification) show it without
their views knowing of consultations."""

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from stakeholders.selectors import open_area_ids

register = template.Library()


@register.simple_tag
def consultation_link(area) -> str:
    if area is None or area.pk not in open_area_ids([area.pk]):
        return ""
    return format_html(
        '<p class="consultation-link"><a class="button secondary" href="{}" id="consultation-link">{}</a></p>',
        reverse("stakeholders:public", args=[area.pk]),
        _("A consultation is open: comment on this site"),
    )
