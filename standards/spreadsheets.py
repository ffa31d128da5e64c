"""A version of the Standard as an XLSX workbook, both ways (issue 14, "Spreadsheets both ways").

Expert groups work in spreadsheets, so a version is exported as one, one row per indicator, and the
same workbook comes back as a new DRAFT. The workbook is `standards.content`'s shape laid flat:

- "Version": key/value rows (code, version, title_<lang>, published, provenance, and rules and
  rating_scale as JSON text);
- "Components": number, title_<lang>, description_<lang>;
- "Criteria": component, number, title_<lang>, description_<lang>;
- "Indicators": component, criterion, number, lineage, wording, title_<lang>, text_<lang>,
  mov_<lang> (one means of verification a line), sdgs ("1, 15"), guidance_<lang>.

<lang> is English (the columns of the models) and every translation language (`texts.target_languages`).
Importing checks the file as hostile (`spreadsheet_files`), reads every sheet, then runs
`content.validate` and maps each problem back to its sheet, row and column, so one upload shows
every problem. Nothing is saved unless the whole file is good.

Round trip: export → import unchanged (under a new version label, since a label names one version)
gives a draft whose `content_of` equals the source's except `standard.version`. What a cell cannot
carry is not kept: control characters, a carriage return (Excel stores line ends as "\\n"), spaces
around a means of verification, and a text starting with "=" (refused as a formula on the way in).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook

from accounts import rules
from accounts.types import Person
from audit.services import audit_record
from core.errors import NotAllowed

from . import content, error_codes
from .models import Standard, StandardStatus
from .spreadsheet_files import (
    Row,
    Sheet,
    SheetProblem,
    SpreadsheetInvalid,
    in_order,
    open_workbook,
    read_sheet,
    read_upload,
    repeated,
    text,
    workbook_bytes,
    write_sheet,
)
from .texts import SOURCE_LANGUAGE, TRANSLATABLE, target_languages

VERSION, COMPONENTS, CRITERIA, INDICATORS = "Version", "Components", "Criteria", "Indicators"
SHEETS = (VERSION, COMPONENTS, CRITERIA, INDICATORS)
# A column per text and language is named <field>_<lang>; means of verification are "mov".
_SHORT = {"means_of_verification": "mov"}
_JSON_KEYS = ("rules", "rating_scale")
_WIDTHS = {"number": 9, "component": 11, "criterion": 10, "lineage": 18, "wording": 12, "sdgs": 10, "key": 16}
_WIDTH_BY_FIELD = {"title": 40, "description": 60, "text": 60, "mov": 45, "guidance": 50, "value": 100}
# How deep each kind's number is: 1, 1.1, 1.1.1.
_NUMBER_SHAPES = {
    COMPONENTS: re.compile(r"\d{1,3}"),
    CRITERIA: re.compile(r"\d{1,3}\.\d{1,3}"),
    INDICATORS: re.compile(r"\d{1,3}\.\d{1,3}\.\d{1,3}"),
}
_INDICATOR_CODE_MAX = 40  # Indicator.code
_SEQUENCE = re.compile(r"^(component|criterion|indicator)s(?: of (\S+))? are numbered")
_KIND_SHEET = {"component": COMPONENTS, "criterion": CRITERIA, "indicator": INDICATORS}


def languages() -> list[str]:
    return [SOURCE_LANGUAGE, *target_languages()]


def _column(field: str, language: str) -> str:
    return f"{_SHORT.get(field, field)}_{language}"


def _text_columns(kind: str) -> list[str]:
    return [_column(f, lang) for f in TRANSLATABLE[kind] for lang in languages()]


def columns(sheet: str) -> list[str]:
    """The columns of a sheet, in order (all of them known to the import)."""
    if sheet == VERSION:
        return ["key", "value"]
    if sheet == COMPONENTS:
        return ["number", *_text_columns("component")]
    if sheet == CRITERIA:
        return ["component", "number", *_text_columns("criterion")]
    titles = [_column(f, lang) for f in ("title", "text", "means_of_verification") for lang in languages()]
    guidance = [_column("guidance", lang) for lang in languages()]
    return ["component", "criterion", "number", "lineage", "wording", *titles, "sdgs", *guidance]


REQUIRED = {
    VERSION: ("key", "value"),
    COMPONENTS: ("number", "title_en"),
    CRITERIA: ("component", "number", "title_en"),
    INDICATORS: ("component", "criterion", "number", "lineage", "wording", "title_en", "text_en"),
}


def version_keys() -> list[str]:
    return [
        "code",
        "version",
        *[_column("title", lang) for lang in languages()],
        "published",
        "provenance",
        *_JSON_KEYS,
    ]


REQUIRED_KEYS = ("code", "version", "title_en", "rules", "rating_scale")


# --- export -------------------------------------------------------------------------------------------


def _texts(row: dict[str, Any], kind: str, fields: tuple[str, ...] | None = None) -> dict[str, Any]:
    """The cells of a row's texts: English from the row, other languages from its translations."""
    out: dict[str, Any] = {}
    for field in fields or TRANSLATABLE[kind]:
        for lang in languages():
            value = (
                row.get(field) if lang == SOURCE_LANGUAGE else (row.get("translations") or {}).get(lang, {}).get(field)
            )
            if isinstance(value, list):
                value = "\n".join(str(item) for item in value)
            out[_column(field, lang)] = value
    return out


def content_to_xlsx(data: dict[str, Any]) -> bytes:
    """Content (standards.content's shape) as a workbook."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    meta = data["standard"]
    version_rows: list[list[Any]] = [["code", meta.get("code")], ["version", meta.get("version")]]
    version_rows += [[key, value] for key, value in _texts(meta, "standard").items()]
    version_rows += [["published", meta.get("published")], ["provenance", meta.get("provenance")]]
    version_rows += [[key, json.dumps(data.get(key), indent=2, ensure_ascii=False)] for key in _JSON_KEYS]
    component_rows, criterion_rows, indicator_rows = [], [], []
    for comp in data["components"]:
        cells = {"number": comp["number"], **_texts(comp, "component")}
        component_rows.append([cells.get(c) for c in columns(COMPONENTS)])
        for crit in comp["criteria"]:
            cells = {"component": comp["number"], "number": crit["number"], **_texts(crit, "criterion")}
            criterion_rows.append([cells.get(c) for c in columns(CRITERIA)])
            for ind in crit["indicators"]:
                cells = {
                    "component": comp["number"],
                    "criterion": crit["number"],
                    "number": ind["number"],
                    "lineage": ind.get("lineage"),
                    "wording": ind.get("wording"),
                    "sdgs": ", ".join(str(n) for n in ind.get("sdgs") or []),
                    **_texts(ind, "indicator"),
                }
                indicator_rows.append([cells.get(c) for c in columns(INDICATORS)])
    for name, rows in (
        (VERSION, version_rows),
        (COMPONENTS, component_rows),
        (CRITERIA, criterion_rows),
        (INDICATORS, indicator_rows),
    ):
        cols = columns(name)
        widths = {c: _WIDTHS.get(c, _WIDTH_BY_FIELD.get(c.rsplit("_", 1)[0], 30)) for c in cols}
        write_sheet(workbook, name, cols, rows, widths)
    return workbook_bytes(workbook)


def standard_to_xlsx(standard: Standard) -> bytes:
    return content_to_xlsx(content.content_of(standard))


def file_name(standard: Standard) -> str:
    label = re.sub(r"[^A-Za-z0-9._-]+", "-", f"{standard.code}-{standard.version}")
    return f"{label}{'-draft' if standard.is_draft else ''}.xlsx"


# --- import: workbook → content ----------------------------------------------------------------------


@dataclass
class _Index:
    """Where each thing of the content came from, to put `content.validate`'s problems back in place."""

    version_rows: dict[str, int]
    components: dict[str, int]
    criteria: dict[str, int]
    indicators: dict[str, int]
    first_child: dict[tuple[str, str], int]  # (sheet, parent number) → row of its first child
    label_given: bool
    file_version: str  # the version the Version sheet names (the draft's based_on, if it exists)


def _translations(row: Row, kind: str) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for lang in target_languages():
        for field in TRANSLATABLE[kind]:
            value = row.values.get(_column(field, lang))
            if value not in (None, ""):
                out.setdefault(lang, {})[field] = text(value)
    return out


def _number(row: Row, sheet: str, column: str, shape: str, problems: list[SheetProblem]) -> str | None:
    value = row.values.get(column)
    if isinstance(value, float) and not value.is_integer():
        problems.append(
            SheetProblem(
                _("A number like %(v)s must be typed as text (Excel turns 1.10 into 1.1): format the column as Text.")
                % {"v": value},
                sheet,
                row.number,
                column,
            )
        )
        return None
    number = text(value).strip()
    if not number:
        problems.append(SheetProblem(_("The number is missing."), sheet, row.number, column))
        return None
    if isinstance(value, bool) or not _NUMBER_SHAPES[shape].fullmatch(number):
        example = {COMPONENTS: "2", CRITERIA: "2.1", INDICATORS: "2.1.3"}[shape]
        problems.append(
            SheetProblem(
                _("“%(v)s” is not a number of this kind (e.g. %(e)s).") % {"v": number[:40], "e": example},
                sheet,
                row.number,
                column,
            )
        )
        return None
    return number


def _sdgs(row: Row, problems: list[SheetProblem]) -> list[Any]:
    value = row.values.get("sdgs")
    if value in (None, ""):
        return []
    if isinstance(value, int | float) and not isinstance(value, bool):
        if float(value).is_integer():
            return [int(value)]
    tokens = [t for t in re.split(r"[,;\s]+", text(value)) if t]
    if isinstance(value, bool) or not all(t.isascii() and t.isdigit() and len(t) <= 3 for t in tokens):
        problems.append(
            SheetProblem(
                _("Related SDGs are numbers from 1 to 17 separated by commas (found “%(v)s”).")
                % {"v": text(value)[:60]},
                INDICATORS,
                row.number,
                "sdgs",
            )
        )
        return []
    return [int(t) for t in tokens]


def _read_version(sheet: Sheet, problems: list[SheetProblem]) -> tuple[dict[str, Any], dict[str, Any], dict[str, int]]:
    values: dict[str, Any] = {}
    rows: dict[str, int] = {}
    known = version_keys()
    for row in sheet.rows:
        key = text(row.values.get("key")).strip().lower()
        if key not in known:
            problems.append(SheetProblem(_("Unknown key “%(k)s”.") % {"k": key[:40]}, VERSION, row.number, "key"))
            continue
        if key in rows:
            problems.append(
                SheetProblem(
                    _("The key appears twice (also row %(r)d).") % {"r": rows[key]}, VERSION, row.number, "key"
                )
            )
            continue
        rows[key] = row.number
        values[key] = row.values.get("value")
    if "key" in sheet.columns:
        for key in REQUIRED_KEYS:
            if values.get(key) in (None, ""):
                problems.append(
                    SheetProblem(_("The value of “%(k)s” is missing.") % {"k": key}, VERSION, rows.get(key), "value")
                )
    published = values.get("published")
    if isinstance(published, datetime.datetime):
        published = published.date().isoformat()
    elif isinstance(published, datetime.date):
        published = published.isoformat()
    meta: dict[str, Any] = {
        "code": text(values.get("code")).strip(),
        "version": text(values.get("version")).strip(),
        "title": text(values.get("title_en")),
        "published": text(published).strip() or None,
        "provenance": text(values.get("provenance")),
        "translations": {},
    }
    for lang in target_languages():
        title = values.get(_column("title", lang))
        if title not in (None, ""):
            meta["translations"][lang] = {"title": text(title)}
    parsed: dict[str, Any] = {"rules": {}, "rating_scale": []}
    for key in _JSON_KEYS:
        raw = values.get(key)
        if raw in (None, ""):
            continue
        try:
            parsed[key] = json.loads(text(raw))
        except ValueError as exc:
            problems.append(
                SheetProblem(
                    _("“%(k)s” is not valid JSON (%(e)s).") % {"k": key, "e": str(exc)[:120]},
                    VERSION,
                    rows.get(key),
                    "value",
                )
            )
    return meta, parsed, rows


def _read_components(
    sheet: Sheet, problems: list[SheetProblem]
) -> tuple[list[dict[str, Any]], dict[str, int], set[str]]:
    """The components in the sheet's order, their rows, and the numbers of rows refused (whose
    criteria are then not reported again)."""
    components: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    refused: set[str] = set()
    for row in sheet.rows:
        number = _number(row, COMPONENTS, "number", COMPONENTS, problems)
        if number is None:
            refused.add(text(row.values.get("number")).strip())
            continue
        if repeated(seen, number, row.number, COMPONENTS, problems):
            continue
        seen[number] = row.number
        components.append(
            {
                "number": number,
                "title": text(row.values.get("title_en")),
                "description": text(row.values.get("description_en")),
                "translations": _translations(row, "component"),
                "criteria": [],
            }
        )
    return components, seen, refused


def _read_criteria(
    sheet: Sheet, components: list[dict[str, Any]], refused_components: set[str] | None, problems: list[SheetProblem]
) -> tuple[dict[str, dict[str, Any]], dict[str, int], set[str]]:
    by_number = {c["number"]: c for c in components}
    criteria: dict[str, dict[str, Any]] = {}
    rows: dict[str, int] = {}
    refused: set[str] = set()
    for row in sheet.rows:
        number = _number(row, CRITERIA, "number", CRITERIA, problems)
        parent = text(row.values.get("component")).strip()
        if number is None:
            refused.add(text(row.values.get("number")).strip())
            continue
        if repeated(rows, number, row.number, CRITERIA, problems):
            continue
        component = by_number.get(parent)
        if component is None:
            refused.add(number)
            # A component refused above (or a missing sheet: None) is reported there already.
            if refused_components is not None and parent not in refused_components:
                problems.append(
                    SheetProblem(
                        _("Component “%(c)s” is not on the Components sheet.") % {"c": parent[:20]},
                        CRITERIA,
                        row.number,
                        "component",
                    )
                )
            continue
        rows[number] = row.number
        criterion = {
            "number": number,
            "title": text(row.values.get("title_en")),
            "description": text(row.values.get("description_en")),
            "translations": _translations(row, "criterion"),
            "indicators": [],
        }
        criteria[number] = criterion
        component["criteria"].append(criterion)
    return criteria, rows, refused


def _read_indicators(
    sheet: Sheet,
    criteria: dict[str, dict[str, Any]],
    refused_criteria: set[str] | None,
    problems: list[SheetProblem],
) -> dict[str, int]:
    rows: dict[str, int] = {}
    component_of = {k: k.split(".")[0] for k in criteria}
    for row in sheet.rows:
        number = _number(row, INDICATORS, "number", INDICATORS, problems)
        parent = text(row.values.get("criterion")).strip()
        if number is None:
            continue
        if repeated(rows, number, row.number, INDICATORS, problems):
            continue
        criterion = criteria.get(parent)
        if criterion is None:
            if refused_criteria is not None and parent not in refused_criteria:
                problems.append(
                    SheetProblem(
                        _("Criterion “%(c)s” is not on the Criteria sheet.") % {"c": parent[:20]},
                        INDICATORS,
                        row.number,
                        "criterion",
                    )
                )
            continue
        component = text(row.values.get("component")).strip()
        if component != component_of[parent]:
            problems.append(
                SheetProblem(
                    _("Criterion %(k)s belongs to component %(c)s, not “%(given)s”.")
                    % {"k": parent, "c": component_of[parent], "given": component[:20]},
                    INDICATORS,
                    row.number,
                    "component",
                )
            )
        rows[number] = row.number
        criterion["indicators"].append(
            {
                "number": number,
                "title": text(row.values.get("title_en")),
                "text": text(row.values.get("text_en")),
                "wording": text(row.values.get("wording")).strip().lower(),
                "lineage": text(row.values.get("lineage")).strip(),
                "means_of_verification": text(row.values.get("mov_en")),
                "sdgs": _sdgs(row, problems),
                "guidance": text(row.values.get("guidance_en")),
                "translations": _translations(row, "indicator"),
            }
        )
    return rows


def _fill_lineages(data: dict[str, Any], taken: set[str]) -> None:
    """An indicator row with no lineage is a new meaning: it gets a key nobody used, here or in the
    version it is based on (so that answers never follow it by mistake)."""
    code = str(data["standard"].get("code") or "GLS")
    used = taken | {
        i["lineage"] for c in data["components"] for k in c["criteria"] for i in k["indicators"] if i["lineage"]
    }
    for comp in data["components"]:
        for crit in comp["criteria"]:
            for ind in crit["indicators"]:
                if ind["lineage"]:
                    continue
                candidate, n = content.default_lineage(code, ind["number"]), 1
                while candidate in used:
                    n += 1
                    candidate = f"{content.default_lineage(code, ind['number'])}-n{n}"
                ind["lineage"] = candidate
                used.add(candidate)


def _place(problem: content.Problem, index: _Index) -> SheetProblem:
    """Where in the workbook a problem of `content.validate` is."""
    sequence = _SEQUENCE.match(problem.message)
    if sequence:
        sheet = _KIND_SHEET[sequence.group(1)]
        return SheetProblem(problem.message, sheet, index.first_child.get((sheet, sequence.group(2) or "")), "number")
    language = problem.language or SOURCE_LANGUAGE
    field = problem.field or ""
    if problem.number is None:
        if field == "version" and index.label_given:
            return SheetProblem(problem.message, None, None, "version")
        key = _column(field, language) if field == "title" else field
        return SheetProblem(problem.message, VERSION, index.version_rows.get(key), "value" if key else None)
    number = problem.number
    if field in ("number", "lineage", "wording", "sdgs"):
        column: str | None = field
    elif field in ("indicators", "criteria", "translations", ""):
        column = "number" if field != "translations" else None
    else:
        column = _column(field, language)
    for sheet, rows in ((INDICATORS, index.indicators), (CRITERIA, index.criteria), (COMPONENTS, index.components)):
        if number in rows:
            return SheetProblem(problem.message, sheet, rows[number], column)
    return SheetProblem(problem.message)


def read_content(
    raw: bytes, filename: str = "", label: str | None = None
) -> tuple[dict[str, Any], list[SheetProblem], _Index]:
    """The workbook as content, and every problem found on the way (sheet, row, column)."""
    workbook = open_workbook(raw, filename)
    problems: list[SheetProblem] = []
    sheets: dict[str, Sheet] = {}
    present: set[str] = set()  # sheets found with their required columns
    try:
        names = list(workbook.sheetnames)
        for name in names:
            if name not in SHEETS:
                problems.append(
                    SheetProblem(_("Unknown sheet (the sheets are %(s)s).") % {"s": ", ".join(SHEETS)}, name)
                )
        for name in SHEETS:
            if name not in names:
                problems.append(SheetProblem(_("The sheet is missing."), name))
                sheets[name] = Sheet(name)
            else:
                sheets[name] = read_sheet(workbook[name], name, columns(name), REQUIRED[name], problems)
                if all(c in sheets[name].columns for c in REQUIRED[name]):
                    present.add(name)
    finally:
        workbook.close()
    meta, parsed, version_rows = _read_version(sheets[VERSION], problems)
    file_version = meta["version"]
    if label:
        meta["version"] = label
    components, component_rows, refused_components = _read_components(sheets[COMPONENTS], problems)
    criteria, criterion_rows, refused = _read_criteria(
        sheets[CRITERIA], components, refused_components if COMPONENTS in present else None, problems
    )
    indicator_rows = _read_indicators(sheets[INDICATORS], criteria, refused if CRITERIA in present else None, problems)
    first_child: dict[tuple[str, str], int] = {}
    if component_rows:
        first_child[(COMPONENTS, "")] = min(component_rows.values())
    for number, row in criterion_rows.items():
        first_child.setdefault((CRITERIA, number.split(".")[0]), row)
    for number, row in indicator_rows.items():
        first_child.setdefault((INDICATORS, number.rsplit(".", 1)[0]), row)
    data = {"standard": meta, **parsed, "components": components}
    index = _Index(version_rows, component_rows, criterion_rows, indicator_rows, first_child, bool(label), file_version)
    return data, problems, index


# --- import: a new draft ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    standard: Standard
    based_on: Standard | None
    counts: content.Counts


def _based_on(code: str, version: str) -> Standard | None:
    """The version the file names: published before drafts, newest first."""
    return (
        Standard.objects.filter(code=code, version=version)
        .order_by("-status", "-published_at", "-id")  # "published" sorts after "draft"
        .first()
    )


def _version_taken(code: str, version: str, index: _Index) -> SheetProblem | None:
    existing = Standard.objects.filter(code=code, version=version).order_by("-id").first()
    if existing is None:
        return None
    state = _("a draft") if existing.is_draft else _("published")
    message = _(
        "%(code)s already has a version %(version)s (%(state)s): name a new version label for the draft "
        "(e.g. %(version)s-draft), in the form or on the Version sheet."
    ) % {"code": code, "version": version, "state": state}
    if index.label_given:
        return SheetProblem(message, None, None, "version")
    return SheetProblem(message, VERSION, index.version_rows.get("version"), "value")


def _keeper_required(by: Person) -> None:
    if not rules.can_author_standard(by):
        raise NotAllowed(
            error_codes.STANDARD_KEEPERS_ONLY, _("Only members of the Standard Committee can import the Standard.")
        )


def import_standard_xlsx(*, upload: Any, by: Person, version: str | None = None) -> ImportResult:
    """A new draft from a workbook, or `SpreadsheetInvalid` listing every problem (nothing saved).

    `version` names the draft's version label instead of the Version sheet's; the version the sheet
    names (if it exists) is the draft's `based_on`."""
    _keeper_required(by)
    raw, filename = read_upload(upload)
    label = (version or "").strip() or None
    data, problems, index = read_content(raw, filename, label)
    meta = data["standard"]
    code = str(meta.get("code") or "")
    based_on = _based_on(code, index.file_version) if code and index.file_version else None
    _fill_lineages(data, set(based_on.indicators.values_list("lineage", flat=True)) if based_on else set())
    data = content.normalise(data)
    problems += [_place(p, index) for p in content.validate(data)]
    version_label = str(meta.get("version") or "")
    if code and version_label and len(code) <= content.CODE_MAX and len(version_label) <= content.VERSION_MAX:
        for number, row in index.indicators.items():
            if len(content.indicator_code(code, version_label, number)) > _INDICATOR_CODE_MAX:
                problems.append(
                    SheetProblem(
                        _(
                            "The indicator's code %(c)s would be longer than %(n)d characters: "
                            "use a shorter version label."
                        )
                        % {"c": content.indicator_code(code, version_label, number), "n": _INDICATOR_CODE_MAX},
                        INDICATORS,
                        row,
                        "number",
                    )
                )
                break
        taken = _version_taken(code, version_label, index)
        if taken:
            problems.append(taken)
    if problems:
        raise SpreadsheetInvalid(in_order(problems, SHEETS))
    sha = hashlib.sha256(raw).hexdigest()
    try:
        with transaction.atomic():
            # Two imports of one label at once: the second waits here, then finds the first's draft.
            list(Standard.objects.select_for_update().filter(code=code).values_list("pk", flat=True))
            taken = _version_taken(code, version_label, index)
            if taken:
                raise SpreadsheetInvalid([taken])
            draft = content.create_version(
                data, status=StandardStatus.DRAFT, by=by, based_on=based_on, source_sha256=sha
            )
            counts = content.counts_of(data)
            audit_record(
                actor=by,
                action="standard.draft_imported",
                target=draft,
                data={
                    "file": filename[:200],
                    "sha256": sha,
                    "version": version_label,
                    "based_on": based_on.pk if based_on else None,
                    "indicators": counts.indicators,
                },
            )
    except IntegrityError as exc:  # the same file under the same label, published meanwhile
        raise SpreadsheetInvalid([SheetProblem(_("This version exists already: name a new version label."))]) from exc
    return ImportResult(draft, based_on, counts)
