"""How far a version of the Standard is translated: per target language, the texts translated and
missing per kind and field, and the list of the missing ones (where to find them).

A text counts only where its English exists (`standards.texts.missing_translations`): an empty
guidance has nothing to translate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .models import Component, Criterion, Indicator, Standard
from .texts import SOURCE_LANGUAGE, TRANSLATABLE, localized, missing_translations, target_languages

# The kinds in reading order, each with the fields the page counts.
KINDS = ("standard", "component", "criterion", "indicator")


@dataclass(frozen=True)
class FieldCount:
    kind: str
    field: str
    translated: int
    missing: int

    @property
    def total(self) -> int:
        return self.translated + self.missing

    @property
    def percent(self) -> int:
        return _percent(self.translated, self.total)


@dataclass(frozen=True)
class MissingText:
    """One text with English but no translation: which row (kind, number, id) and which fields."""

    kind: str
    number: str
    title: str
    object_id: int
    fields: tuple[str, ...]


@dataclass(frozen=True)
class LanguageState:
    language: str
    counts: tuple[FieldCount, ...]
    missing_texts: tuple[MissingText, ...] = field(default=())

    @property
    def translated(self) -> int:
        return sum(c.translated for c in self.counts)

    @property
    def missing(self) -> int:
        return sum(c.missing for c in self.counts)

    @property
    def total(self) -> int:
        return self.translated + self.missing

    @property
    def percent(self) -> int:
        return _percent(self.translated, self.total)

    @property
    def complete(self) -> bool:
        return self.missing == 0


def _percent(part: int, whole: int) -> int:
    """Rounded down, so that 99.6 % is not shown as complete."""
    return 100 if whole == 0 else (100 * part) // whole


def _rows(standard: Standard) -> list[tuple[str, str, str, Any]]:
    """(kind, number, title, row) for the version and each of its components, criteria and
    indicators, in reading order (three queries)."""
    rows: list[tuple[str, str, str, Any]] = [("standard", standard.version, standard.title, standard)]
    criteria: dict[int, list[Criterion]] = {}
    for criterion in Criterion.objects.filter(component__standard=standard).order_by("position"):
        criteria.setdefault(criterion.component_id, []).append(criterion)
    indicators: dict[int, list[Indicator]] = {}
    for indicator in Indicator.objects.filter(standard=standard).order_by("position"):
        indicators.setdefault(indicator.criterion_id, []).append(indicator)
    for component in Component.objects.filter(standard=standard).order_by("position"):
        rows.append(("component", component.number, component.title, component))
        for criterion in criteria.get(component.pk, []):
            rows.append(("criterion", criterion.number, criterion.title, criterion))
            rows.extend(("indicator", i.number, i.title, i) for i in indicators.get(criterion.pk, []))
    return rows


def translation_state(standard: Standard, languages: list[str] | None = None) -> list[LanguageState]:
    """The state of each target language (default: every site language but English)."""
    rows = _rows(standard)
    states = []
    for language in languages if languages is not None else target_languages():
        counts: dict[tuple[str, str], list[int]] = {
            (kind, name): [0, 0] for kind in KINDS for name in TRANSLATABLE[kind]
        }
        missing_texts = []
        for kind, number, title, row in rows:
            missing = missing_translations(row, kind, language)
            for name in TRANSLATABLE[kind]:
                if name in missing:
                    counts[(kind, name)][1] += 1
                elif localized(row, name, SOURCE_LANGUAGE):
                    counts[(kind, name)][0] += 1
            if missing:
                missing_texts.append(MissingText(kind, number, title, row.pk, tuple(missing)))
        states.append(
            LanguageState(
                language,
                tuple(FieldCount(kind, name, t, m) for (kind, name), (t, m) in counts.items() if t + m),
                tuple(missing_texts),
            )
        )
    return states
