"""A jurisdiction's adapted indicator set as an XLSX workbook, both ways (issue 14).

Sheet "Adapted indicators": one row per generic indicator of the set's Standard version: number,
generic_text (English, for reference; not read back), then text_<lang>, thresholds_<lang>,
mov_<lang> (one means of verification a line). Sheet "Set": key/value rows naming the set and the
Standard version it adapts (checked on the way back in: numbers mean something only in their
version).

Importing replaces the DRAFT set's adaptations as a whole, under the same rules as editing one in
the browser (`standards.adaptation`: the jurisdiction's expert group or the Committee, a draft
only, the revision moves on, `validate_adaptation` for every row). A row whose adapted columns are
all empty is not adapted (the generic wording applies); the file is checked as hostile as the
Standard's (`spreadsheet_files`), and nothing is saved unless every row is good.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook

from accounts.types import Person
from audit.services import audit_record

from . import adaptation
from .content import _mov_list
from .models import AdaptedIndicator, AdaptedIndicatorSet, Indicator
from .spreadsheet_files import (
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
from .texts import SOURCE_LANGUAGE, target_languages

ADAPTED, SET = "Adapted indicators", "Set"
_SHORT = {"means_of_verification": "mov"}
SET_KEYS = ("set", "title", "jurisdiction", "standard", "version")


def _languages() -> list[str]:
    return [SOURCE_LANGUAGE, *target_languages()]


def _column(field: str, language: str) -> str:
    return f"{_SHORT.get(field, field)}_{language}"


def columns() -> list[str]:
    return [
        "number",
        "generic_text",
        *[_column(f, lang) for f in adaptation.ADAPTED_FIELDS for lang in _languages()],
    ]


def file_name(adapted_set: AdaptedIndicatorSet) -> str:
    return f"adapted-set-{adapted_set.pk}-{adapted_set.jurisdiction.code}-{adapted_set.standard.version}.xlsx"


def adapted_set_to_xlsx(adapted_set: AdaptedIndicatorSet) -> bytes:
    """Every generic indicator of the set's version, with its adaptation where there is one."""
    adapted = {a.indicator_id: a for a in AdaptedIndicator.objects.filter(adapted_set=adapted_set)}
    rows = []
    for indicator in Indicator.objects.filter(standard_id=adapted_set.standard_id).order_by("position"):
        row: dict[str, Any] = {"number": indicator.number, "generic_text": indicator.text}
        adaptation_ = adapted.get(indicator.pk)
        if adaptation_ is not None:
            for field in adaptation.ADAPTED_FIELDS:
                for lang in _languages():
                    if lang == SOURCE_LANGUAGE:
                        value = getattr(adaptation_, field)
                    else:
                        value = (adaptation_.translations or {}).get(lang, {}).get(field)
                    if isinstance(value, list):
                        value = "\n".join(str(item) for item in value)
                    row[_column(field, lang)] = value
        rows.append([row.get(c) for c in columns()])
    workbook = Workbook()
    workbook.remove(workbook.active)
    widths = {"number": 9, "generic_text": 50}
    widths.update({c: 45 for c in columns()[2:]})
    write_sheet(workbook, ADAPTED, columns(), rows, widths)
    standard = adapted_set.standard
    meta: list[list[Any]] = [
        ["set", adapted_set.pk],
        ["title", adapted_set.title],
        ["jurisdiction", adapted_set.jurisdiction.code],
        ["standard", standard.code],
        ["version", standard.version],
    ]
    write_sheet(workbook, SET, ["key", "value"], meta, {"key": 16, "value": 60})
    return workbook_bytes(workbook)


@dataclass(frozen=True)
class AdaptedImportResult:
    adapted_set: AdaptedIndicatorSet
    adapted: int  # indicators adapted after the import
    replaced: int  # adaptations the set had before (all replaced)


def _check_set_sheet(rows: list[Any], adapted_set: AdaptedIndicatorSet, problems: list[SheetProblem]) -> None:
    values: dict[str, tuple[int, Any]] = {}
    for row in rows:
        key = text(row.values.get("key")).strip().lower()
        if key not in SET_KEYS:
            problems.append(SheetProblem(_("Unknown key “%(k)s”.") % {"k": key[:40]}, SET, row.number, "key"))
            continue
        values[key] = (row.number, row.values.get("value"))
    standard = adapted_set.standard
    for key, expected in (("standard", standard.code), ("version", standard.version)):
        row_number, value = values.get(key, (None, None))
        if text(value).strip() != expected:
            problems.append(
                SheetProblem(
                    _(
                        "This set adapts %(code)s version %(version)s; the file is for “%(found)s”. "
                        "Export the set again and copy your texts into that file."
                    )
                    % {"code": standard.code, "version": standard.version, "found": text(value)[:20]},
                    SET,
                    row_number,
                    "value",
                )
            )
            break


def _adaptation(values: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {
        "text": text(values.get("text_en")),
        "thresholds": text(values.get("thresholds_en")),
        "means_of_verification": _mov_list(text(values.get("mov_en"))),
        "translations": {},
    }
    for lang in target_languages():
        for field in adaptation.ADAPTED_FIELDS:
            value = values.get(_column(field, lang))
            if value not in (None, ""):
                data["translations"].setdefault(lang, {})[field] = text(value)
    return data


def read_adaptations(
    raw: bytes, filename: str, adapted_set: AdaptedIndicatorSet
) -> tuple[dict[int, dict[str, Any]], list[SheetProblem]]:
    """The adaptations of the file by indicator id, and every problem with its place."""
    workbook = open_workbook(raw, filename)
    problems: list[SheetProblem] = []
    try:
        names = list(workbook.sheetnames)
        for name in names:
            if name not in (ADAPTED, SET):
                problems.append(
                    SheetProblem(_("Unknown sheet (the sheets are %(s)s).") % {"s": f"{ADAPTED}, {SET}"}, name)
                )
        missing = [name for name in (ADAPTED, SET) if name not in names]
        for name in missing:
            problems.append(SheetProblem(_("The sheet is missing."), name))
        if missing:
            return {}, problems
        sheet = read_sheet(workbook[ADAPTED], ADAPTED, columns(), ("number", "text_en"), problems)
        meta = read_sheet(workbook[SET], SET, ("key", "value"), ("key", "value"), problems)
    finally:
        workbook.close()
    _check_set_sheet(meta.rows, adapted_set, problems)
    indicators = dict(Indicator.objects.filter(standard_id=adapted_set.standard_id).values_list("number", "pk"))
    found: dict[int, dict[str, Any]] = {}
    seen: dict[str, int] = {}
    for row in sheet.rows:
        number = text(row.values.get("number")).strip()
        if number not in indicators:
            problems.append(
                SheetProblem(
                    _("No indicator “%(n)s” in %(s)s.") % {"n": number[:20], "s": adapted_set.standard},
                    ADAPTED,
                    row.number,
                    "number",
                )
            )
            continue
        if repeated(seen, number, row.number, ADAPTED, problems):
            continue
        seen[number] = row.number
        data = _adaptation(row.values)
        for problem in adaptation.validate_adaptation(data, where=f"indicator {number}"):
            field = problem.field or "text"
            column = _column(field, problem.language or SOURCE_LANGUAGE) if field != "translations" else None
            problems.append(SheetProblem(problem.message, ADAPTED, row.number, column))
        values = {
            "text": data["text"].strip(),
            "thresholds": data["thresholds"].strip(),
            "means_of_verification": [m.strip() for m in data["means_of_verification"] if m.strip()],
            "translations": adaptation._clean_translations(data["translations"]),
        }
        if any(values.values()):
            found[indicators[number]] = values
    return found, problems


def import_allowed(adapted_set: AdaptedIndicatorSet, by: Person, revision: int | None = None) -> None:
    """Refuse before the file is read: not of the set's authors (403), not a draft or changed since
    `revision` (409). Checked again under the set's lock when the import writes."""
    adaptation.authors_required(by, adapted_set)
    with transaction.atomic():
        adaptation._locked_draft(adapted_set, by, revision)


def adapted_set_from_xlsx(
    adapted_set: AdaptedIndicatorSet, file: Any, by: Person, revision: int | None = None
) -> AdaptedImportResult:
    """Replace the draft set's adaptations with the workbook's, or refuse with every problem.

    `revision`, when given, is the set's revision the importer started from (a mismatch is a
    conflict, as for an edit in the browser)."""
    import_allowed(adapted_set, by, revision)
    raw, filename = read_upload(file)
    found, problems = read_adaptations(raw, filename, adapted_set)
    if problems:
        raise SpreadsheetInvalid(in_order(problems, (SET, ADAPTED)))
    with transaction.atomic():
        locked = adaptation._locked_draft(adapted_set, by, revision)
        removed, _rows = AdaptedIndicator.objects.filter(adapted_set=locked).delete()
        AdaptedIndicator.objects.bulk_create(
            [AdaptedIndicator(adapted_set=locked, indicator_id=pk, **values) for pk, values in found.items()]
        )
        adaptation._bump(locked, adapted_set)
        audit_record(
            actor=by,
            action="adapted_set.imported",
            target=locked,
            data={
                "file": filename[:200],
                "sha256": hashlib.sha256(raw).hexdigest(),
                "adapted": len(found),
                "replaced": removed,
            },
        )
    return AdaptedImportResult(adapted_set, len(found), removed)
