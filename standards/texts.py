"""The Standard's texts in the reader's language.

English is the Standard's own language and lives in the model's columns; French and Spanish live
in each row's `translations` JSON ({"fr": {"title": ..., "text": ...}, "es": {...}}), so a version
is copied, diffed, exported and published as whole rows. A text with no translation falls back to
English, and says so (`Localized.translated` is False), so that a page can mark it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import translation

SOURCE_LANGUAGE = "en"

# The texts each kind of row carries, in the order spreadsheets and the translation page show them.
TRANSLATABLE: dict[str, tuple[str, ...]] = {
    "standard": ("title",),
    "component": ("title", "description"),
    "criterion": ("title", "description"),
    "indicator": ("title", "text", "means_of_verification", "guidance"),
    "adaptedindicator": ("text", "thresholds", "means_of_verification"),
}
# Texts that are lists of strings rather than one string.
LIST_TEXTS = frozenset({"means_of_verification"})


def target_languages() -> list[str]:
    """The languages a text may be translated into (every site language but English)."""
    return [code for code, _name in settings.LANGUAGES if code != SOURCE_LANGUAGE]


def _empty(value: Any) -> bool:
    if isinstance(value, list):
        return not any(str(item).strip() for item in value)
    return value is None or not str(value).strip()


@dataclass(frozen=True)
class Localized:
    """A text as shown to a reader: its value, and whether it is in the language they asked for."""

    value: Any
    language: str
    translated: bool

    def __str__(self) -> str:
        if isinstance(self.value, list):
            return "\n".join(str(item) for item in self.value)
        return str(self.value or "")

    def __bool__(self) -> bool:
        return not _empty(self.value)


def _translation(translations: dict | None, field: str, language: str) -> Any:
    value = (translations or {}).get(language, {}).get(field)
    return None if _empty(value) else value


def translation_of(obj: Any, field: str, language: str) -> Any:
    """The stored translation of one field, or None."""
    return _translation(getattr(obj, "translations", None), field, language)


def _localized(source: Any, translations: dict | None, field: str, language: str | None) -> Localized:
    language = (language or translation.get_language() or SOURCE_LANGUAGE).split("-")[0]
    if language == SOURCE_LANGUAGE:
        return Localized(source, SOURCE_LANGUAGE, True)
    value = _translation(translations, field, language)
    if value is not None:
        return Localized(value, language, True)
    return Localized(source, SOURCE_LANGUAGE, _empty(source))


def localized(obj: Any, field: str, language: str | None = None) -> Localized:
    """`field` of `obj` in `language` (default: the active one), falling back to English.

    An English text that is itself empty is not "untranslated": there is nothing to translate.
    """
    return _localized(getattr(obj, field), getattr(obj, "translations", None), field, language)


def localized_entry(entry: dict, field: str, language: str | None = None) -> Localized:
    """`localized` for a text kept in a mapping with its own `translations` rather than in a row's
    column: a rating of the Standard's scale."""
    return _localized(entry.get(field), entry.get("translations"), field, language)


def missing_translations(obj: Any, kind: str, language: str) -> list[str]:
    """The fields of `obj` with English text but no translation into `language`."""
    return [
        field
        for field in TRANSLATABLE[kind]
        if not _empty(getattr(obj, field)) and translation_of(obj, field, language) is None
    ]
