"""Template tags that show the Standard's texts in the reader's language, with the marks the
Standard needs: "not translated" where English stands in, and "wording pending the official text"
where the platform does not know IUCN's words (GREENLIST.md).

    {% load standard_text %}
    {% std indicator "title" %}             the title, marked when English stands in
    {% std indicator "guidance" breaks=True %}   the same as a <p>, line breaks kept
    {% std_list indicator "means_of_verification" %}   a <ul> of the list's items
    {% std_text indicator "title" %}        plain text, no mark (attributes, subjects)
    {% wording_note indicator %}            the wording mark, or nothing for official text

Every tag takes None (a heading a page could not find) and then draws nothing. They are cheap on
purpose: the assessment and review pages call them for each of 50 indicators, and a translation
is a column of a row the page already loaded, so they add no query.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.defaultfilters import linebreaksbr
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core.fragments import DrawnFragments
from standards.models import Wording
from standards.texts import Localized, localized

register = template.Library()

# The note is the same few sentences for every indicator of a wording: drawn once per language and
# wording, not once per indicator.
_NOTES = DrawnFragments("standards/_wording_note.html", max_entries=64)


def _untranslated_mark() -> SafeString:
    return format_html(' <small class="untranslated">({})</small>', _("not translated"))


@register.simple_tag
def std(obj: Any, field: str, breaks: bool = False) -> SafeString:
    """One text of the Standard, escaped; in English (lang="en") with a mark when it is not
    translated. `breaks`: a paragraph (<p>) that keeps the text's line breaks, for descriptions,
    indicator texts and guidance; the mark then sits at the end of the paragraph."""
    if obj is None:
        return SafeString("")
    text = localized(obj, field)
    if breaks:
        lang = "" if text.translated else ' lang="en"'
        mark = "" if text.translated else _untranslated_mark()
        return format_html("<p{}>{}{}</p>", SafeString(lang), linebreaksbr(str(text), autoescape=True), mark)
    return std_shown(text)


@register.simple_tag
def std_shown(text: Localized) -> SafeString:
    """A text of the Standard already localized (`texts.Localized`, as `Standard.scale_for_pages` gives
    its ratings), escaped; in English (lang="en") with a mark when it is not translated."""
    if text.translated:
        return format_html("{}", str(text))
    return format_html('<span lang="en">{}</span>{}', str(text), _untranslated_mark())


@register.simple_tag
def std_list(obj: Any, field: str) -> SafeString:
    """A list text (means of verification) as a <ul>; nothing when the list is empty."""
    if obj is None:
        return SafeString("")
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
    """The plain text, for attributes, e-mails and PDFs (no mark)."""
    if obj is None:
        return ""
    return str(localized(obj, field))


@register.simple_tag
def wording_note(indicator: Any) -> SafeString:
    """A short note on how far the indicator's wording is IUCN's; nothing for official text."""
    wording = getattr(indicator, "wording", Wording.OFFICIAL)
    if wording == Wording.OFFICIAL:
        return SafeString("")
    wording = Wording.PENDING if wording == Wording.PENDING else Wording.PARAPHRASE
    return _NOTES.draw((get_language(), str(wording)), {"wording": wording, "Wording": Wording})


# The rating select of every indicator lists the same scale: drawn once per scale, selected rating
# and language (the labels are in the key), not looped over in each of fifty selects.
_SCALE_OPTIONS = DrawnFragments("standards/_scale_options.html", max_entries=256)


@register.simple_tag
def scale_options(scale, selected) -> SafeString:
    """The `<option>`s of a rating select: each rating of `scale` (`Standard.scale_for_pages`), the one
    whose code is `selected` marked selected, and one whose label is English standing in for the page's
    language said to be English (`lang`: an option holds no mark)."""
    choices = tuple((r["code"], str(r["label"]), r["code"] == selected, not r["label"].translated) for r in scale)
    return _SCALE_OPTIONS.draw(choices, {"choices": choices})
