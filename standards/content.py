"""A version of the Standard as plain data: the one shape that YAML files, XLSX workbooks, drafts,
the diff and the API all read and write.

    content = {
        "standard": {"code", "version", "title", "published", "provenance", "translations"},
        "rules": {...}, "rating_scale": [...],
        "components": [{"number", "title", "description", "translations",
            "criteria": [{"number", "title", "description", "translations",
                "indicators": [{"number", "title", "text", "wording", "lineage",
                                "means_of_verification": [...], "sdgs": [...], "guidance",
                                "translations"}]}]}],
    }

`normalise` fills defaults (a missing lineage is "<code>-<number>", a means-of-verification text is
split into one item per line), `validate` lists every problem with where it is, `content_of` reads
a stored version back, and `create_version` writes one in a single transaction.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Prefetch

from accounts.types import Person

from .models import Component, Criterion, Indicator, Standard, StandardStatus, Wording
from .texts import LIST_TEXTS, TRANSLATABLE, target_languages

RATING_KEYS = (
    "code",
    "label",
    "counts_as_met",
    "score",
    "requires_justification",
    "requires_action",
    "allowed_on_submit",
    "description",
    "translations",
)
# Limits of one text, whatever its source (the columns' own limits, and a bound on long texts so a
# spreadsheet cell cannot carry a book).
TITLE_MAX = 300
TEXT_MAX = 5000
MOV_ITEMS_MAX = 30
VERSION_MAX = 20
CODE_MAX = 20
LINEAGE_MAX = 80
SDG_RANGE = range(1, 18)
_NUMBER = re.compile(r"\d{1,3}")
_LINEAGE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]*")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a version's content, and where: the number of the component,
    criterion or indicator, and the field (and language) when it is about one text."""

    message: str
    number: str | None = None
    field: str | None = None
    language: str | None = None

    def __str__(self) -> str:
        return self.message


def default_lineage(code: str, number: str) -> str:
    return f"{code}-{number}"


def indicator_code(code: str, version: str, number: str) -> str:
    return f"{code}-V{version}-{number}"


def _mov_list(value: Any) -> Any:
    if value is None:
        return []
    if isinstance(value, str):
        return [line.strip() for line in value.splitlines() if line.strip()]
    return value


def _normalise_translations(value: Any) -> Any:
    if value is None:
        return {}
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for language, fields in value.items():
            if isinstance(fields, dict):
                fields = {
                    name: (_mov_list(text) if name in LIST_TEXTS else text)
                    for name, text in fields.items()
                    if text not in (None, "", [])
                }
            out[str(language)] = fields
        return {language: fields for language, fields in out.items() if fields != {}}
    return value


def normalise(data: Any) -> Any:
    """Defaults filled in, in place where the shape allows; a shape that is wrong is left for
    `validate` to report."""
    if not isinstance(data, dict):
        return data
    meta = data.get("standard")
    code = str(meta.get("code", "")) if isinstance(meta, dict) else ""
    if isinstance(meta, dict):
        meta["translations"] = _normalise_translations(meta.get("translations"))
        if isinstance(meta.get("published"), datetime.date):
            meta["published"] = meta["published"].isoformat()
        for key in ("code", "version"):
            if meta.get(key) is not None:
                meta[key] = str(meta[key])
    for comp in data.get("components") or [] if isinstance(data.get("components"), list) else []:
        if not isinstance(comp, dict):
            continue
        comp["translations"] = _normalise_translations(comp.get("translations"))
        comp.setdefault("description", "")
        for crit in comp.get("criteria") or [] if isinstance(comp.get("criteria"), list) else []:
            if not isinstance(crit, dict):
                continue
            crit["translations"] = _normalise_translations(crit.get("translations"))
            crit.setdefault("description", "")
            for ind in crit.get("indicators") or [] if isinstance(crit.get("indicators"), list) else []:
                if not isinstance(ind, dict):
                    continue
                for key in ("number",):
                    if ind.get(key) is not None:
                        ind[key] = str(ind[key])
                ind["means_of_verification"] = _mov_list(ind.get("means_of_verification"))
                ind["translations"] = _normalise_translations(ind.get("translations"))
                ind["sdgs"] = ind.get("sdgs") if ind.get("sdgs") is not None else []
                ind["guidance"] = ind.get("guidance") or ""
                ind["wording"] = ind.get("wording") or Wording.PARAPHRASE.value
                if not ind.get("lineage") and ind.get("number"):
                    ind["lineage"] = default_lineage(code, str(ind["number"]))
        for key in ("number",):
            if comp.get(key) is not None:
                comp[key] = str(comp[key])
    return data


class _Checker:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(
        self, message: str, number: str | None = None, field: str | None = None, language: str | None = None
    ) -> None:
        self.problems.append(Problem(message, number, field, language))

    def require(self, obj: Any, keys: tuple[str, ...], where: str, number: str | None = None) -> bool:
        if not isinstance(obj, dict):
            self.add(f"{where}: expected a mapping, found {type(obj).__name__}", number)
            return False
        missing = [k for k in keys if k not in obj or obj[k] in (None, "")]
        for key in missing:
            self.add(f"{where}: missing key '{key}'", number, key)
        return not missing

    def text(
        self, value: Any, where: str, number: str | None, field: str, limit: int, language: str | None = None
    ) -> None:
        if value is None:
            return
        if not isinstance(value, str):
            self.add(f"{where}: '{field}' must be text", number, field, language)
        elif len(value) > limit:
            self.add(f"{where}: '{field}' is {len(value)} characters long; at most {limit}", number, field, language)

    def mov(self, value: Any, where: str, number: str | None, language: str | None = None) -> None:
        field = "means_of_verification"
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            self.add(f"{where}: '{field}' must be a list of texts", number, field, language)
            return
        if len(value) > MOV_ITEMS_MAX:
            self.add(f"{where}: at most {MOV_ITEMS_MAX} means of verification", number, field, language)
        for item in value:
            self.text(item, where, number, field, TEXT_MAX, language)

    def translations(self, value: Any, kind: str, where: str, number: str | None) -> None:
        if not isinstance(value, dict):
            self.add(f"{where}: 'translations' must be a mapping of language to texts", number, "translations")
            return
        languages = target_languages()
        for language, fields in value.items():
            if language not in languages:
                self.add(
                    f"{where}: unknown language '{language}' (known: {', '.join(languages)})",
                    number,
                    "translations",
                    language,
                )
                continue
            if not isinstance(fields, dict):
                self.add(f"{where}: translations[{language}] must be a mapping", number, "translations", language)
                continue
            for name, text in fields.items():
                if name not in TRANSLATABLE[kind]:
                    self.add(f"{where}: '{name}' cannot be translated here", number, name, language)
                elif name in LIST_TEXTS:
                    self.mov(text, f"{where} ({language})", number, language)
                else:
                    limit = TITLE_MAX if name == "title" else TEXT_MAX
                    self.text(text, f"{where} ({language})", number, name, limit, language)


def _check_sequence(check: _Checker, numbers: list[str], prefix: str, what: str, parent: str | None) -> None:
    """Numbers run 1, 2, 3… under their parent: no gap, no repeat, nothing out of order."""
    tails = []
    for number in numbers:
        tail = number[len(prefix) :] if number.startswith(prefix) else None
        if tail is None or not _NUMBER.fullmatch(tail):
            return  # reported elsewhere (does not belong, or not a number)
        tails.append(int(tail))
    expected = list(range(1, len(tails) + 1))
    if tails != expected and sorted(set(tails)) == sorted(tails):
        where = f"{what}s of {parent}" if parent else f"{what}s"
        check.add(
            f"{where} are numbered {', '.join(prefix + str(t) for t in tails)}; expected "
            f"{', '.join(prefix + str(t) for t in expected)} (no gap, in order)",
            parent,
            "number",
        )


def validate(data: Any) -> list[Problem]:
    """Every problem in the content, so that one run shows all of them."""
    check = _Checker()
    if not check.require(data, ("standard", "rules", "rating_scale", "components"), "file"):
        return check.problems
    meta = data["standard"]
    if check.require(meta, ("code", "version", "title"), "standard"):
        check.text(meta["code"], "standard", None, "code", CODE_MAX)
        check.text(meta["version"], "standard", None, "version", VERSION_MAX)
        check.text(meta["title"], "standard", None, "title", TITLE_MAX)
        check.translations(meta.get("translations", {}), "standard", "standard", None)
        published = meta.get("published")
        if published not in (None, ""):
            try:
                datetime.date.fromisoformat(str(published))
            except ValueError:
                check.add(f"standard: 'published' is not a date: {published!r}", None, "published")
    if not isinstance(data["rules"], dict):
        check.add("rules: expected a mapping", None, "rules")
    scale = data["rating_scale"]
    if not isinstance(scale, list) or not scale:
        check.add("rating_scale: expected a non-empty list", None, "rating_scale")
    else:
        seen: set[str] = set()
        for i, rating in enumerate(scale):
            where = f"rating_scale[{i}]"
            if check.require(rating, ("code", "label"), where):
                for key in RATING_KEYS[2:7]:
                    if key not in rating:
                        check.add(f"{where} ({rating['code']}): missing key '{key}'", None, "rating_scale")
                if rating["code"] in seen:
                    check.add(f"{where}: duplicate rating code '{rating['code']}'", None, "rating_scale")
                seen.add(rating["code"])
                words = rating.get("translations") or {}
                if not isinstance(words, dict) or any(
                    language not in target_languages()
                    or not isinstance(texts, dict)
                    or set(texts) - {"label", "description"}
                    or not all(isinstance(t, str) for t in texts.values())
                    for language, texts in words.items()
                ):
                    check.add(
                        f"{where} ({rating['code']}): 'translations' must map a language "
                        f"({', '.join(target_languages())}) to a label and a description",
                        None,
                        "rating_scale",
                    )
        if not any(isinstance(r, dict) and r.get("allowed_on_submit") for r in scale):
            check.add("rating_scale: no rating is allowed on submit", None, "rating_scale")
    components = data["components"]
    if not isinstance(components, list) or not components:
        check.add("components: expected a non-empty list", None, "components")
        return check.problems
    numbers: set[str] = set()
    lineages: dict[str, str] = {}
    component_numbers: list[str] = []
    for ci, comp in enumerate(components):
        where = f"components[{ci}]"
        if not check.require(comp, ("number", "title", "criteria"), where):
            continue
        cnum = str(comp["number"])
        component_numbers.append(cnum)
        where = f"component {cnum}"
        if cnum in numbers:
            check.add(f"{where}: duplicate number '{cnum}'", cnum, "number")
        numbers.add(cnum)
        check.text(comp["title"], where, cnum, "title", TITLE_MAX)
        check.text(comp.get("description"), where, cnum, "description", TEXT_MAX)
        check.translations(comp.get("translations", {}), "component", where, cnum)
        if not isinstance(comp["criteria"], list) or not comp["criteria"]:
            check.add(f"{where}: 'criteria' must be a non-empty list", cnum, "criteria")
            continue
        criterion_numbers: list[str] = []
        for ki, crit in enumerate(comp["criteria"]):
            kwhere = f"{where} criteria[{ki}]"
            if not check.require(crit, ("number", "title"), kwhere, cnum):
                continue
            knum = str(crit["number"])
            criterion_numbers.append(knum)
            kwhere = f"criterion {knum}"
            if knum in numbers:
                check.add(f"{kwhere}: duplicate number '{knum}'", knum, "number")
            numbers.add(knum)
            if not knum.startswith(f"{cnum}."):
                check.add(f"{kwhere}: number does not belong under component {cnum}", knum, "number")
            check.text(crit["title"], kwhere, knum, "title", TITLE_MAX)
            check.text(crit.get("description"), kwhere, knum, "description", TEXT_MAX)
            check.translations(crit.get("translations", {}), "criterion", kwhere, knum)
            if not isinstance(crit.get("indicators"), list) or not crit["indicators"]:
                check.add(f"{kwhere}: has no indicator ('indicators' must be a non-empty list)", knum, "indicators")
                continue
            indicator_numbers: list[str] = []
            for ii, ind in enumerate(crit["indicators"]):
                iwhere = f"{kwhere} indicators[{ii}]"
                if not check.require(ind, ("number", "title", "text"), iwhere, knum):
                    continue
                inum = str(ind["number"])
                indicator_numbers.append(inum)
                iwhere = f"indicator {inum}"
                if inum in numbers:
                    check.add(f"{iwhere}: duplicate number '{inum}'", inum, "number")
                numbers.add(inum)
                if not inum.startswith(f"{knum}."):
                    check.add(f"{iwhere}: is listed under criterion {knum}, where it does not belong", inum, "number")
                check.text(ind["title"], iwhere, inum, "title", TITLE_MAX)
                check.text(ind["text"], iwhere, inum, "text", TEXT_MAX)
                check.text(ind.get("guidance"), iwhere, inum, "guidance", TEXT_MAX)
                check.mov(ind.get("means_of_verification", []), iwhere, inum)
                check.translations(ind.get("translations", {}), "indicator", iwhere, inum)
                if ind.get("wording") not in Wording.values:
                    check.add(
                        f"{iwhere}: 'wording' is {ind.get('wording')!r}; one of {', '.join(Wording.values)}",
                        inum,
                        "wording",
                    )
                sdgs = ind.get("sdgs")
                if not isinstance(sdgs, list) or not all(
                    isinstance(n, int) and not isinstance(n, bool) and n in SDG_RANGE for n in sdgs
                ):
                    check.add(f"{iwhere}: 'sdgs' must be a list of SDG numbers from 1 to 17", inum, "sdgs")
                elif len(set(sdgs)) != len(sdgs):
                    check.add(f"{iwhere}: an SDG is listed twice", inum, "sdgs")
                lineage = str(ind.get("lineage") or "")
                if len(lineage) > LINEAGE_MAX or not _LINEAGE.fullmatch(lineage):
                    check.add(f"{iwhere}: 'lineage' {lineage!r} is not a valid key", inum, "lineage")
                elif lineage in lineages:
                    check.add(
                        f"{iwhere}: lineage '{lineage}' is already used by indicator {lineages[lineage]}",
                        inum,
                        "lineage",
                    )
                else:
                    lineages[lineage] = inum
            _check_sequence(check, indicator_numbers, f"{knum}.", "indicator", knum)
        _check_sequence(check, criterion_numbers, f"{cnum}.", "criterion", cnum)
    _check_sequence(check, component_numbers, "", "component", None)
    return check.problems


def content_of(standard: Standard) -> dict[str, Any]:
    """A stored version as content (four queries, whatever its size)."""
    components = (
        Component.objects.filter(standard=standard)
        .order_by("position")
        .prefetch_related(
            Prefetch(
                "criteria",
                queryset=Criterion.objects.order_by("position").prefetch_related(
                    Prefetch("indicators", queryset=Indicator.objects.order_by("position"))
                ),
            )
        )
    )
    return {
        "standard": {
            "code": standard.code,
            "version": standard.version,
            "title": standard.title,
            "published": standard.published.isoformat() if standard.published else None,
            "provenance": standard.provenance,
            "translations": standard.translations or {},
        },
        "rules": standard.rules,
        "rating_scale": standard.rating_scale,
        "components": [
            {
                "number": comp.number,
                "title": comp.title,
                "description": comp.description,
                "translations": comp.translations or {},
                "criteria": [
                    {
                        "number": crit.number,
                        "title": crit.title,
                        "description": crit.description,
                        "translations": crit.translations or {},
                        "indicators": [
                            {
                                "number": ind.number,
                                "title": ind.title,
                                "text": ind.text,
                                "wording": ind.wording,
                                "lineage": ind.lineage,
                                "means_of_verification": list(ind.means_of_verification or []),
                                "sdgs": list(ind.sdgs or []),
                                "guidance": ind.guidance,
                                "translations": ind.translations or {},
                            }
                            for ind in crit.indicators.all()
                        ],
                    }
                    for crit in comp.criteria.all()
                ],
            }
            for comp in components
        ],
    }


@dataclass(frozen=True)
class Counts:
    components: int
    criteria: int
    indicators: int


def counts_of(data: dict[str, Any]) -> Counts:
    comps = data["components"]
    return Counts(
        len(comps),
        sum(len(c["criteria"]) for c in comps),
        sum(len(k["indicators"]) for c in comps for k in c["criteria"]),
    )


@transaction.atomic
def create_version(
    data: dict[str, Any],
    *,
    status: str = StandardStatus.PUBLISHED,
    by: Person | None = None,
    based_on: Standard | None = None,
    source_sha256: str = "",
) -> Standard:
    """Write validated content as a new version (a draft, or published now)."""
    from django.utils import timezone

    meta = data["standard"]
    code, version = str(meta["code"]), str(meta["version"])
    published = meta.get("published")
    from accounts.models import User

    user = by if isinstance(by, User) else None
    now = timezone.now()
    standard = Standard.objects.create(
        code=code,
        version=version,
        title=meta["title"],
        published=datetime.date.fromisoformat(str(published)) if published else None,
        provenance=meta.get("provenance") or "",
        rules=data["rules"],
        rating_scale=[
            {key: rating.get(key) for key in RATING_KEYS if key != "translations"}
            | {"translations": rating.get("translations") or {}}
            for rating in data["rating_scale"]
        ],
        source_sha256=source_sha256,
        status=status,
        based_on=based_on,
        created_by=user,
        published_at=now if status == StandardStatus.PUBLISHED else None,
        published_by=user if status == StandardStatus.PUBLISHED else None,
        translations=meta.get("translations") or {},
    )
    position = 0
    indicators = []
    for cpos, comp in enumerate(data["components"]):
        component = Component.objects.create(
            standard=standard,
            number=str(comp["number"]),
            title=comp["title"],
            description=comp.get("description") or "",
            position=cpos,
            translations=comp.get("translations") or {},
        )
        for kpos, crit in enumerate(comp["criteria"]):
            criterion = Criterion.objects.create(
                component=component,
                number=str(crit["number"]),
                title=crit["title"],
                description=crit.get("description") or "",
                position=kpos,
                translations=crit.get("translations") or {},
            )
            for ind in crit["indicators"]:
                position += 1
                number = str(ind["number"])
                indicators.append(
                    Indicator(
                        criterion=criterion,
                        standard=standard,
                        code=indicator_code(code, version, number),
                        number=number,
                        title=ind["title"],
                        text=ind["text"],
                        means_of_verification=list(ind.get("means_of_verification") or []),
                        guidance=ind.get("guidance") or "",
                        sdgs=list(ind.get("sdgs") or []),
                        wording=ind.get("wording") or Wording.PARAPHRASE,
                        lineage=ind.get("lineage") or default_lineage(code, number),
                        position=position,
                        translations=ind.get("translations") or {},
                    )
                )
    Indicator.objects.bulk_create(indicators)
    return standard
