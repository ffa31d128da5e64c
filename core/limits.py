"""Limits on text people send: one number each, read by services, forms and templates alike.

A text stored in a model field is limited by the field's `max_length` (`max_length(Model, "field")`),
so that changing the model changes what the services cut or refuse and what the page's `maxlength`
says (templates use `{% field_max "app.Model" "field" %}`, core/templatetags/limits.py). A text that
is no field's, or a TextField's (which has no max_length), has one named constant where it is
enforced (`assessments.workflow.NOTE_MAX`, `evidence.search.SEARCH_MAX_CHARS`), which templates read
with `{% limit "module.NAME" %}`.
"""

from __future__ import annotations

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import models


def max_length(model: type[models.Model] | str, field: str) -> int:
    """The `max_length` of a text field of `model` (a class or "app_label.Model")."""
    cls = apps.get_model(model) if isinstance(model, str) else model
    found = cls._meta.get_field(field)
    if not isinstance(found, models.Field) or found.max_length is None:
        raise ImproperlyConfigured(f"{cls._meta.label}.{field} has no max_length.")
    return int(found.max_length)


def cut(text: str, model: type[models.Model] | str, field: str) -> str:
    """`text` cut to what `model.field` holds (for values copied in from elsewhere: an import,
    a file's metadata, a generated summary)."""
    return text[: max_length(model, field)]
