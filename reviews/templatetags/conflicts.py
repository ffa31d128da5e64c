"""`{{ warning|warning_text }}`: an automatic conflict warning (experts' and Panel members') in the
reader's language (reviews.selectors.warning_text)."""

from django import template

from reviews.selectors import warning_text as _warning_text

register = template.Library()


@register.filter
def warning_text(warning: dict) -> str:
    return _warning_text(warning)
