from django import template

from ..badges import badges
from ..search import highlight_parts

register = template.Library()


@register.inclusion_tag("evidence/_highlighted.html")
def highlighted(snippet: str | None) -> dict:
    """A ts_headline snippet with its matches in <mark>: the template escapes every part, so text
    from a file never becomes markup."""
    return {"parts": highlight_parts(snippet)}


@register.inclusion_tag("evidence/_facts.html")
def evidence_facts(item, facts=None) -> dict:
    """Badges and thumbnail of one item (see `badges.py`). Pass `facts` from `facts_for_items` (one
    query for a whole page); without it, `item.processing_facts` from `attach_facts` is used."""
    return {"b": badges(item, facts if facts is not None else getattr(item, "processing_facts", None))}
