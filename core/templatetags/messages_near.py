from django import template

from core.messages import near_target as _near_target

register = template.Library()


@register.filter
def near_target(extra_tags: str) -> str:
    return _near_target(extra_tags)
