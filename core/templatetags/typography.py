"""Punctuation that differs between languages, for templates.

`{{ _("Reason")|colon }}` writes a label before its value with the reader's colon: "Reason:" in
English and Spanish, "Motif :" in French (a no-break space before the colon, as French typography
wants; a hard-coded ":" after a translated word gets that wrong). A builtin (settings.TEMPLATES):
no {% load %} needed.
"""

from django import template
from django.utils.translation import pgettext

register = template.Library()


@register.filter
def colon(label: str) -> str:
    return pgettext("a label before its value", "%(label)s:") % {"label": label}
