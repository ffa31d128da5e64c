from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from ..badges import facts_html
from ..selectors import HIGHLIGHT_START, HIGHLIGHT_STOP

register = template.Library()


@register.filter
def highlighted(snippet: str | None) -> str:
    """ts_headline output made safe: everything escaped, then only our markers become <mark>."""
    text = escape(snippet or "")
    return mark_safe(text.replace(HIGHLIGHT_START, "<mark>").replace(HIGHLIGHT_STOP, "</mark>"))  # noqa: S308


@register.simple_tag
def evidence_facts(item, facts=None):
    """Badges and thumbnail of one item (see `badges.py`). Pass `facts` from `facts_for_items` (one
    query for a whole page); without it, `item.processing_facts` from `attach_facts` is used."""
    return facts_html(item, facts if facts is not None else getattr(item, "processing_facts", None))
