"""What changed between two versions of the Standard, or between a version and an adapted set.

Both sides are content in the one shape of `standards.content` (`content_of`, or
`content_of_adapted_set` below, where a jurisdiction's adapted wording stands in for the generic
text). Indicators are matched by `lineage`, the key of an indicator's meaning across versions, so:

- `added` / `removed`: a lineage on one side only. When the same NUMBER sits on both sides with
  different lineages, the indicator's meaning changed: the old one is removed and a new one added,
  and both say so (`meaning_changed`) and sort next to each other;
- `moved`: the same lineage under another number or criterion;
- `reworded`: the same lineage, a text changed in some language (title, text, means of
  verification, guidance, thresholds), or its related SDGs or its wording marker changed;
- `unchanged`: none of that.

An indicator can be both moved and reworded: its status is `moved` and `reworded` is True, and the
summary counts it under both. Components and criteria are matched by number.

Changed texts come with word-level segments (equal / insert / delete) from difflib over words,
spaces and punctuation, so a page can mark the words that changed. Segments hold raw text: the
page escapes it like any other text. Nothing here writes to the database, and the comparison only
runs difflib on texts that differ, so 300 indicators take milliseconds.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from accounts.types import Person
from core.errors import DomainError

from . import error_codes
from .models import Standard
from .texts import LIST_TEXTS, SOURCE_LANGUAGE, target_languages

if TYPE_CHECKING:
    from .models import AdaptedIndicatorSet

ADDED = "added"
REMOVED = "removed"
MOVED = "moved"
REWORDED = "reworded"
UNCHANGED = "unchanged"
STATUSES = (ADDED, REMOVED, MOVED, REWORDED, UNCHANGED)

EQUAL = "equal"
INSERT = "insert"
DELETE = "delete"

# The texts compared per kind, each in every language; `thresholds` exists on adapted indicators only.
INDICATOR_TEXTS = ("title", "text", "means_of_verification", "guidance", "thresholds")
SECTION_TEXTS = ("title", "description")
# Fields that have no language: a change to them shows under every language filter.
NEUTRAL = ""

# Words (letters and digits of any script), runs of spaces, and each other character on its own.
_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")


@dataclass(frozen=True)
class Segment:
    op: str  # equal / insert / delete
    text: str


@dataclass(frozen=True)
class FieldChange:
    """One field in one language that differs between the two sides. `old`/`new` are the values
    (None where the side has none); `segments` mark the words that changed."""

    field: str
    language: str
    old: Any
    new: Any
    segments: tuple[Segment, ...]


@dataclass(frozen=True)
class IndicatorDiff:
    status: str
    lineage: str
    old_number: str | None
    new_number: str | None
    old_criterion: str | None
    new_criterion: str | None
    title: str
    moved: bool = False
    reworded: bool = False
    meaning_changed: bool = False
    changes: tuple[FieldChange, ...] = ()

    @property
    def number(self) -> str:
        return self.new_number or self.old_number or ""

    @property
    def renumbered(self) -> bool:
        return self.moved and self.old_number != self.new_number

    @property
    def changed_criterion(self) -> bool:
        return self.moved and self.old_criterion != self.new_criterion

    def changes_in(self, language: str | None) -> tuple[FieldChange, ...]:
        """The changes a reader of `language` sees (all for None); SDGs and the wording marker
        have no language and are always shown."""
        if not language:
            return self.changes
        return tuple(c for c in self.changes if c.language in (language, NEUTRAL))


@dataclass(frozen=True)
class SectionDiff:
    """A component or criterion, matched by number."""

    kind: str  # component / criterion
    number: str
    status: str  # added / removed / reworded / unchanged
    title: str
    changes: tuple[FieldChange, ...] = ()

    def changes_in(self, language: str | None) -> tuple[FieldChange, ...]:
        if not language:
            return self.changes
        return tuple(c for c in self.changes if c.language == language)


@dataclass(frozen=True)
class Summary:
    added: int
    removed: int
    moved: int
    reworded: int
    unchanged: int
    meaning_changed: int
    total: int

    def as_dict(self) -> dict[str, int]:
        return {
            ADDED: self.added,
            REMOVED: self.removed,
            MOVED: self.moved,
            REWORDED: self.reworded,
            UNCHANGED: self.unchanged,
            "meaning_changed": self.meaning_changed,
            "total": self.total,
        }


@dataclass(frozen=True)
class VersionDiff:
    indicators: tuple[IndicatorDiff, ...]
    sections: tuple[SectionDiff, ...]
    summary: Summary
    languages: tuple[str, ...] = field(default=())

    @property
    def identical(self) -> bool:
        return all(e.status == UNCHANGED for e in self.indicators) and all(s.status == UNCHANGED for s in self.sections)

    def entries(self, status: str | None = None, language: str | None = None) -> list[IndicatorDiff]:
        return filter_entries(self.indicators, status=status, language=language)


# --- words ---------------------------------------------------------------------------------------


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def segments(old: str, new: str) -> tuple[Segment, ...]:
    """`new` against `old`, word by word: runs of equal, deleted and inserted text.

    A lone space (or punctuation mark) between two changed words is folded into the change, so
    that "the board meets" → "a committee sits" reads as one deletion and one insertion rather
    than a patchwork.
    """
    a, b = tokens(old), tokens(new)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    ops = [(tag, a[i1:i2], b[j1:j2]) for tag, i1, i2, j1, j2 in matcher.get_opcodes()]
    for i in range(1, len(ops) - 1):
        tag, old_tokens, _new_tokens = ops[i]
        if (
            tag == EQUAL
            and ops[i - 1][0] != EQUAL
            and ops[i + 1][0] != EQUAL
            and len(old_tokens) == 1
            and not old_tokens[0].isalnum()
        ):
            ops[i] = ("replace", old_tokens, old_tokens)
    out: list[Segment] = []
    deleted: list[str] = []
    inserted: list[str] = []

    def flush() -> None:
        if deleted:
            out.append(Segment(DELETE, "".join(deleted)))
        if inserted:
            out.append(Segment(INSERT, "".join(inserted)))
        deleted.clear()
        inserted.clear()

    for tag, old_tokens, new_tokens in ops:
        if tag == EQUAL:
            flush()
            out.append(Segment(EQUAL, "".join(old_tokens)))
        else:
            deleted.extend(old_tokens)
            inserted.extend(new_tokens)
    flush()
    return tuple(out)


# --- values --------------------------------------------------------------------------------------


def _clean(value: Any) -> Any:
    """A text or list as compared: None when empty."""
    if isinstance(value, list):
        items = [str(item) for item in value if str(item).strip()]
        return items or None
    if value is None or not str(value).strip():
        return None
    return str(value)


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "\n".join(value)
    return str(value)


def text_of(item: dict[str, Any], name: str, language: str) -> Any:
    """One text of a content row (component, criterion, indicator) in one language; None if empty."""
    if language == SOURCE_LANGUAGE:
        return _clean(item.get(name))
    translations = item.get("translations") or {}
    return _clean((translations.get(language) or {}).get(name))


def _text_changes(
    old: dict[str, Any] | None, new: dict[str, Any] | None, names: Iterable[str], languages: Sequence[str]
) -> list[FieldChange]:
    changes = []
    for language in languages:
        for name in names:
            before = text_of(old, name, language) if old is not None else None
            after = text_of(new, name, language) if new is not None else None
            if before != after:
                changes.append(FieldChange(name, language, before, after, segments(_as_text(before), _as_text(after))))
    return changes


def _sdgs(item: dict[str, Any] | None) -> list[int]:
    return sorted({int(n) for n in (item or {}).get("sdgs") or []})


def _neutral_changes(old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[FieldChange]:
    changes = []
    before, after = _sdgs(old), _sdgs(new)
    if before != after:
        as_text = ", ".join
        changes.append(
            FieldChange("sdgs", NEUTRAL, before, after, segments(as_text(map(str, before)), as_text(map(str, after))))
        )
    wording_before = (old or {}).get("wording") or None
    wording_after = (new or {}).get("wording") or None
    if old is not None and new is not None and wording_before != wording_after:
        changes.append(
            FieldChange(
                "wording",
                NEUTRAL,
                wording_before,
                wording_after,
                segments(str(wording_before or ""), str(wording_after or "")),
            )
        )
    return changes


# --- the comparison ------------------------------------------------------------------------------


def number_key(number: str | None) -> tuple[tuple[int, int, str], ...]:
    """ "3.10.2" after "3.9.1": numbers compare part by part."""
    return tuple((0, int(p), "") if p.isascii() and p.isdigit() else (1, 0, p) for p in (number or "").split("."))


def _indicators(data: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    """Indicators by lineage, each with the number of its criterion."""
    out: dict[str, tuple[str, dict[str, Any]]] = {}
    for comp in data.get("components") or []:
        for crit in comp.get("criteria") or []:
            for ind in crit.get("indicators") or []:
                lineage = str(ind.get("lineage") or ind.get("number"))
                out[lineage] = (str(crit["number"]), ind)
    return out


def _sections(data: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for comp in data.get("components") or []:
        out[("component", str(comp["number"]))] = comp
        for crit in comp.get("criteria") or []:
            out[("criterion", str(crit["number"]))] = crit
    return out


def diff_contents(old: dict[str, Any], new: dict[str, Any], languages: Sequence[str] | None = None) -> VersionDiff:
    """Compare two contents (old → new) in `languages` (default: English and every target
    language)."""
    langs = tuple(languages) if languages is not None else (SOURCE_LANGUAGE, *target_languages())
    before, after = _indicators(old), _indicators(new)
    removed_numbers = {str(ind["number"]) for lineage, (_c, ind) in before.items() if lineage not in after}
    added_numbers = {str(ind["number"]) for lineage, (_c, ind) in after.items() if lineage not in before}
    meaning_changed = removed_numbers & added_numbers

    entries: list[IndicatorDiff] = []
    for lineage, (criterion, ind) in before.items():
        if lineage not in after:
            number = str(ind["number"])
            entries.append(
                IndicatorDiff(
                    status=REMOVED,
                    lineage=lineage,
                    old_number=number,
                    new_number=None,
                    old_criterion=criterion,
                    new_criterion=None,
                    title=str(ind.get("title") or ""),
                    meaning_changed=number in meaning_changed,
                    changes=tuple(_text_changes(ind, None, INDICATOR_TEXTS, langs) + _neutral_changes(ind, None)),
                )
            )
    for lineage, (criterion, ind) in after.items():
        number = str(ind["number"])
        if lineage not in before:
            entries.append(
                IndicatorDiff(
                    status=ADDED,
                    lineage=lineage,
                    old_number=None,
                    new_number=number,
                    old_criterion=None,
                    new_criterion=criterion,
                    title=str(ind.get("title") or ""),
                    meaning_changed=number in meaning_changed,
                    changes=tuple(_text_changes(None, ind, INDICATOR_TEXTS, langs) + _neutral_changes(None, ind)),
                )
            )
            continue
        old_criterion, old_ind = before[lineage]
        old_number = str(old_ind["number"])
        moved = old_number != number or old_criterion != criterion
        changes = tuple(_text_changes(old_ind, ind, INDICATOR_TEXTS, langs) + _neutral_changes(old_ind, ind))
        status = MOVED if moved else REWORDED if changes else UNCHANGED
        entries.append(
            IndicatorDiff(
                status=status,
                lineage=lineage,
                old_number=old_number,
                new_number=number,
                old_criterion=old_criterion,
                new_criterion=criterion,
                title=str(ind.get("title") or ""),
                moved=moved,
                reworded=bool(changes),
                changes=changes,
            )
        )
    # In reading order of the new version; a removed indicator where it stood, just before an added
    # one that took its number.
    entries.sort(key=lambda e: (number_key(e.number), 0 if e.status == REMOVED else 1))

    old_sections, new_sections = _sections(old), _sections(new)
    sections: list[SectionDiff] = []
    for key in sorted(old_sections.keys() | new_sections.keys(), key=lambda k: (number_key(k[1]), k[0])):
        kind, number = key
        was, now = old_sections.get(key), new_sections.get(key)
        section_changes = tuple(_text_changes(was, now, SECTION_TEXTS, langs))
        status = ADDED if was is None else REMOVED if now is None else REWORDED if section_changes else UNCHANGED
        sections.append(SectionDiff(kind, number, status, str((now or was or {}).get("title") or ""), section_changes))

    summary = Summary(
        added=sum(e.status == ADDED for e in entries),
        removed=sum(e.status == REMOVED for e in entries),
        moved=sum(e.moved for e in entries),
        reworded=sum(e.reworded for e in entries),
        unchanged=sum(e.status == UNCHANGED for e in entries),
        meaning_changed=len(meaning_changed),
        total=len(entries),
    )
    return VersionDiff(tuple(entries), tuple(sections), summary, langs)


def filter_entries(
    entries: Iterable[IndicatorDiff], *, status: str | None = None, language: str | None = None
) -> list[IndicatorDiff]:
    """The entries of one status (`moved` and `reworded` are flags: an indicator can be both),
    and, for one language, without those whose only changes are in other languages."""
    out = []
    for entry in entries:
        if status == MOVED and not entry.moved:
            continue
        if status == REWORDED and not entry.reworded:
            continue
        if status in (ADDED, REMOVED, UNCHANGED) and entry.status != status:
            continue
        if language and entry.status == REWORDED and not entry.changes_in(language):
            continue
        out.append(entry)
    return out


# --- an adapted set as content -------------------------------------------------------------------


def adapt_content(data: dict[str, Any], adaptations: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """`data` (a version's content) as a jurisdiction reads it: for each indicator number in
    `adaptations` ({"text", "thresholds", "means_of_verification", "translations"}), the adapted
    text and thresholds replace the generic ones, and so do the means of verification when the
    adaptation lists any (assessment pages show the generic ones otherwise). A replaced text's
    generic translations go with it: they translate words that are no longer there."""
    out = {**data, "components": []}
    for comp in data["components"]:
        criteria = []
        for crit in comp["criteria"]:
            indicators = []
            for ind in crit["indicators"]:
                adapted = adaptations.get(str(ind["number"]))
                if adapted is None:
                    indicators.append(ind)
                    continue
                replaced = ["text", "thresholds"]
                if _clean(adapted.get("means_of_verification")):
                    replaced.append("means_of_verification")
                translations: dict[str, dict[str, Any]] = {}
                for language in set(ind.get("translations") or {}) | set(adapted.get("translations") or {}):
                    own = {
                        k: v
                        for k, v in ((ind.get("translations") or {}).get(language) or {}).items()
                        if k not in replaced
                    }
                    theirs = {
                        k: v
                        for k, v in ((adapted.get("translations") or {}).get(language) or {}).items()
                        if k in replaced
                    }
                    if own or theirs:
                        translations[language] = {**own, **theirs}
                indicators.append(
                    {
                        **ind,
                        **{name: adapted.get(name) or ([] if name in LIST_TEXTS else "") for name in replaced},
                        "translations": translations,
                        "adapted": True,
                    }
                )
            criteria.append({**crit, "indicators": indicators})
        out["components"].append({**comp, "criteria": criteria})
    return out


def content_of_adapted_set(adapted_set: AdaptedIndicatorSet) -> dict[str, Any]:
    """The content of the set's Standard version with the set's adapted wording in place."""
    from .content import content_of
    from .models import AdaptedIndicator

    rows = AdaptedIndicator.objects.filter(adapted_set=adapted_set).select_related("indicator")
    adaptations = {
        a.indicator.number: {
            "text": a.text,
            "thresholds": a.thresholds,
            "means_of_verification": list(a.means_of_verification or []),
            "translations": a.translations or {},
        }
        for a in rows
    }
    return adapt_content(content_of(adapted_set.standard), adaptations)


# --- the sides a reader may compare --------------------------------------------------------------

# "12" (a version) or "set:4" (an adapted set); an id of at most 9 digits, so that no number past
# the database's integer reaches a query.
_SIDE = re.compile(r"(set:)?([0-9]{1,9})")


@dataclass(frozen=True)
class Side:
    """One side of a diff: a version of the Standard, or an adapted set (read over its version)."""

    key: str
    standard: Standard
    adapted_set: AdaptedIndicatorSet | None = None

    @property
    def label(self) -> str:
        standard = self.standard
        state = _("draft") if standard.is_draft else _("published")
        if self.adapted_set is None:
            return f"{standard.code} v{standard.version} ({state})"
        return _("%(title)s: adapted set (%(status)s) of %(code)s v%(version)s") % {
            "title": self.adapted_set.title,
            "status": self.adapted_set.get_status_display(),
            "code": standard.code,
            "version": standard.version,
        }

    def content(self) -> dict[str, Any]:
        if self.adapted_set is not None:
            return content_of_adapted_set(self.adapted_set)
        from .content import content_of

        return content_of(self.standard)


def parse_side(value: str | None, name: str) -> tuple[str, int]:
    """("standard" | "set", id) from a `from`/`to` value; DomainError(diff_side_invalid) else."""
    match = _SIDE.fullmatch((value or "").strip())
    if match is None:
        raise DomainError(
            error_codes.DIFF_SIDE_INVALID,
            _("'%(name)s' must be the id of a version of the Standard, or set:<id> for an adapted set.")
            % {"name": name},
            field=name,
        )
    return ("set" if match.group(1) else "standard", int(match.group(2)))


def side_for(user: Person, value: str | None, name: str) -> Side | None:
    """The side `value` names if `user` may read it; None when it does not exist or is hidden
    (a draft to a non-keeper: the page answers 404, as for an unknown id)."""
    from .selectors import adapted_sets_visible, standards_visible

    kind, pk = parse_side(value, name)
    if kind == "set":
        adapted_set = adapted_sets_visible(user).filter(pk=pk).first()
        if adapted_set is None or not standards_visible(user).filter(pk=adapted_set.standard_id).exists():
            return None
        return Side(f"set:{pk}", adapted_set.standard, adapted_set)
    standard = standards_visible(user).filter(pk=pk).first()
    return Side(str(pk), standard) if standard is not None else None


def default_base(user: Person, new: Side) -> Side:
    """What `new` is compared with when no `from` is named: an adapted set's own version; a
    version's draft source (`based_on`), else the published version before it."""
    from .selectors import standards_visible

    if new.adapted_set is not None:
        return Side(str(new.standard.pk), new.standard)
    visible = standards_visible(user)
    base = visible.filter(pk=new.standard.based_on_id).first() if new.standard.based_on_id else None
    if base is None:
        base = (
            visible.filter(code=new.standard.code, status=Standard.Status.PUBLISHED, pk__lt=new.standard.pk)
            .order_by("-pk")
            .first()
        )
    if base is None:
        raise DomainError(
            error_codes.DIFF_SIDE_INVALID,
            _("%(side)s has no earlier version to compare with: choose one.") % {"side": new.label},
            field="from",
        )
    return Side(str(base.pk), base)


def sides_for(user: Person) -> list[Side]:
    """Everything `user` may compare, for the pickers: versions newest first, then adapted sets."""
    from .selectors import adapted_sets_visible, standards_visible

    standards = standards_visible(user).order_by("code", "-published_at", "-loaded_at", "-id")
    sets = adapted_sets_visible(user).filter(standard__in=standards_visible(user))
    return [Side(str(s.pk), s) for s in standards] + [
        Side(f"set:{a.pk}", a.standard, a) for a in sets.order_by("jurisdiction__name", "-created_at", "-id")
    ]


def diff_sides(old: Side, new: Side, languages: Sequence[str] | None = None) -> VersionDiff:
    return diff_contents(old.content(), new.content(), languages)
