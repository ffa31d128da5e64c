"""Punctuation that differs between languages, for templates.

`{{ _("Reason")|colon }}` writes a label before its value with the reader's colon: "Reason:" in
English and Spanish, "Motif :" in French (a no-break space before the colon, as French typography
wants; a hard-coded ":" after a translated word gets that wrong).

`{{ score.percent|percent }}` writes a percentage (a score, a share of agreeing reviews) the one
way the platform writes them: at most one decimal, rounded half up, with the reader's decimal sign
and percent sign ("94.9%", "94,9 %", "94,9 %"; Babel's CLDR patterns), "—" for none. The same
figure reads the same on the dashboard, the report and the dossier; the charts' labels write it
with the browser's Intl.NumberFormat, to the same pattern (static/js/charts.js).

Builtins (settings.TEMPLATES): no {% load %} needed.
"""

from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import format_percent
from django import template
from django.utils.translation import get_language, pgettext, to_locale

register = template.Library()


@register.filter
def colon(label: str) -> str:
    return pgettext("a label before its value", "%(label)s:") % {"label": label}


@register.filter
def percent(value: float | int | Decimal | None) -> str:
    if value is None or value == "":
        return "—"
    # Decimal(float) is the float's exact value: 94.85 (94.8499…) rounds to 94.8, as Intl does in
    # the charts; Django's floatformat rounds its repr and would write 94.9 there.
    rounded = Decimal(value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return format_percent(rounded / 100, locale=to_locale(get_language() or "en"), decimal_quantization=False)
