"""Template tags that show the Standard's texts in the reader's language, with the marks the
Standard needs: "not translated" where English stands in, and "wording pending the official text"
where the platform does not know IUCN's words (GREENLIST.md).

    {% load standard_text %}
    {% std indicator "title" %}             the title, marked when English stands in
    {% std_list indicator "means_of_verification" %}   a <ul> of the list's items
    {% wording_note indicator %}            the wording mark, or nothing for official text
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from standards.models import Wording
from standards.texts import localized

register = template.Library()


def _untranslated_mark() -> SafeString:
    return format_html(' <small class="untranslated">({})</small>', _("not translated"))


@register.simple_tag
def std(obj: Any, field: str) -> SafeString:
    """One text of the Standard, escaped; in English with a mark when it is not translated."""
    text = localized(obj, field)
    if text.translated:
        return format_html("{}", str(text))
    return format_html('<span lang="en">{}</span>{}', str(text), _untranslated_mark())


@register.simple_tag
def std_list(obj: Any, field: str) -> SafeString:
    """A list text (means of verification) as a <ul>; nothing when the list is empty."""
    text = localized(obj, field)
    items = [str(item) for item in (text.value or []) if str(item).strip()]
    if not items:
        return SafeString("")
    lang = "" if text.translated else ' lang="en"'
    body = format_html_join("", "<li>{}</li>", ((item,) for item in items))
    return format_html(
        '<ul class="mov-list"{}>{}</ul>{}', SafeString(lang), body, "" if text.translated else _untranslated_mark()
    )


@register.simple_tag
def std_text(obj: Any, field: str) -> str:
    """The plain text, for attributes and PDFs (no mark)."""
    return str(localized(obj, field))


@register.simple_tag
def wording_note(indicator: Any) -> SafeString:
    """A short note on how far the indicator's wording is IUCN's."""
    wording = getattr(indicator, "wording", Wording.OFFICIAL)
    if wording == Wording.OFFICIAL:
        return SafeString("")
    return SafeString(render_to_string("standards/_wording_note.html", {"wording": wording, "Wording": Wording}))
