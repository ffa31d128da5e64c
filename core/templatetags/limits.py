"""Text limits in templates, from where the server takes them (core.limits): a form's `maxlength`
is `{% field_max "app.Model" "field" %}` for a model's text field, or `{% limit "module.NAME" %}`
for a named limit that is no field's (a transition note, a search query).

Both give text, not a number: a number in a template is localised ("5,000" is no maxlength).
Inside a loop, take it once before the loop with `as`: `{% field_max "a.B" "c" as c_max %}`."""

from __future__ import annotations

from django import template
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from core.limits import max_length

register = template.Library()


@register.simple_tag
def field_max(model: str, field: str) -> str:
    return str(max_length(model, field))


@register.simple_tag
def limit(path: str) -> str:
    value = import_string(path)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ImproperlyConfigured(f"{path} is not a limit (an int).")
    return str(value)
