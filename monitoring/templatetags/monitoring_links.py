"""`{% outcome_link area %}`: the link to an area's outcome page (its monitoring series), for those
who may see it. A template tag, so that the area and assessment pages show it without their views
knowing of monitoring (the app sits above protected_areas and assessments in the layers)."""

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from monitoring import rules

register = template.Library()


@register.simple_tag(takes_context=True)
def outcome_link(context, area) -> str:
    request = context.get("request")
    user = getattr(request, "user", None)
    if area is None or user is None or not rules.can_view_monitoring(user, area):
        return ""
    return format_html(
        '<p class="outcome-link"><a href="{}" id="outcome-link">{}</a></p>',
        reverse("monitoring:outcomes", args=[area.pk]),
        _("Outcomes: monitoring series"),
    )
