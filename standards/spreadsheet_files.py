"""Reading an uploaded workbook that nobody vouches for (issue 14, spreadsheets both ways).

The package is checked BEFORE openpyxl opens it, because openpyxl trusts what it is given: its size
on disk, what it expands to, the number of its parts and their compression ratio (a zip bomb), that
it is an Excel workbook at all ([Content_Types].xml), that it carries no macros (vbaProject.bin,
macro sheets, ActiveX), no links to other workbooks and no XML entity declarations. Then every cell
is read as a value: a formula, or a text that Excel would read as one, is refused. Every problem
found is listed with its sheet, row and column; the caller saves nothing unless there are none.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import IO, Any

from django.utils.translation import gettext as _
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from core.errors import DomainError, without_paths

from . import error_codes

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Limits of an upload: far above any real Standard (50 indicators × 3 languages is ~100 kB), far
# below what would hurt the server.
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_RATIO = 100  # uncompressed / compressed, per part (XML compresses ~10×; bombs ~1000×)
MAX_MEMBERS = 500
MAX_ROWS = 5000
MAX_COLUMNS = 100
CELL_MAX = 32767  # Excel's own limit of one cell
_MAIN_TYPES = (
    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    b"application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
)
_MACRO_SUFFIXES = {".xlsm", ".xltm", ".xlam", ".xlsb"}
_MACRO_PARTS = ("vbaproject.bin", "xl/activex/", "xl/macrosheets/", "xl/dialogsheets/", "vbadata.xml")
_EXTERNAL_PARTS = ("xl/externallinks/", "xl/connections.xml")


@dataclass(frozen=True)
class SheetProblem:
    """One thing wrong with a workbook, and where: sheet, row (as Excel numbers them) and column
    (its heading); None where the problem is about the whole file, sheet or row."""

    message: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "message": self.message}

    def place(self) -> str:
        parts = [p for p in (self.sheet, f"row {self.row}" if self.row else None, self.column) if p]
        return ", ".join(parts) if parts else _("file")

    def __str__(self) -> str:
        return f"{self.place()}: {self.message}"


class SpreadsheetInvalid(DomainError):
    """The workbook was refused; `problems` lists every problem with its place. Nothing was saved."""

    def __init__(self, problems: list[SheetProblem]):
        super().__init__(
            error_codes.STANDARD_FILE_INVALID,
            _("The spreadsheet was refused (%(n)d problem(s)); nothing was saved.") % {"n": len(problems)},
            field="file",
            data={"problems": [p.as_dict() for p in problems]},
        )
        self.problems = problems


def repeated(seen: dict[str, int], number: str, row: int, sheet: str, problems: list[SheetProblem]) -> bool:
    """Whether `number` was on an earlier row of `sheet` (`seen`: number → row); if so, say which."""
    if number not in seen:
        return False
    problems.append(
        SheetProblem(
            _("Duplicate number %(n)s (also row %(r)d).") % {"n": number, "r": seen[number]}, sheet, row, "number"
        )
    )
    return True


def in_order(problems: list[SheetProblem], sheets: Iterable[str]) -> list[SheetProblem]:
    """Problems as a reader goes through the file: the file's own first, then sheet by sheet (in
    `sheets`' order, unknown sheets last), row by row; the order found within one row."""
    order = {name: i for i, name in enumerate(sheets, start=1)}
    return sorted(problems, key=lambda p: (order.get(p.sheet, len(order) + 1) if p.sheet else 0, p.row or 0))


def read_upload(upload: Any) -> tuple[bytes, str]:
    """The bytes and name of an upload (a Django file, an open file, a path or bytes), reading at most
    one byte past the limit."""
    if isinstance(upload, bytes | bytearray):
        return bytes(upload[: MAX_FILE_BYTES + 1]), ""
    if isinstance(upload, str | PurePath):
        with open(upload, "rb") as opened:
            return opened.read(MAX_FILE_BYTES + 1), PurePath(upload).name
    stream: IO[bytes] = upload
    if hasattr(stream, "seek"):
        stream.seek(0)
    return stream.read(MAX_FILE_BYTES + 1), PurePath(str(getattr(upload, "name", "") or "")).name


def _refused(message: str) -> list[SheetProblem]:
    return [SheetProblem(message)]


def check_package(raw: bytes, filename: str = "") -> list[SheetProblem]:
    """Everything wrong with the file as a package; empty when openpyxl may open it."""
    if len(raw) > MAX_FILE_BYTES:
        return _refused(_("The file is larger than %(mb)d MB.") % {"mb": MAX_FILE_BYTES // (1024 * 1024)})
    if not raw:
        return _refused(_("The file is empty."))
    suffix = PurePath(filename).suffix.lower() if filename else ""
    if suffix in _MACRO_SUFFIXES:
        return _refused(
            _("A macro-enabled or binary workbook (%(suffix)s) is not accepted: save it as .xlsx.") % {"suffix": suffix}
        )
    if raw[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return _refused(
            _("This is an old .xls workbook or a password-protected one: save it as an unprotected .xlsx workbook.")
        )
    if raw[:4] != b"PK\x03\x04":
        return _refused(_("This is not an .xlsx workbook (an .xlsx file is a zip package)."))
    try:
        package = zipfile.ZipFile(io.BytesIO(raw))
        members = package.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        return _refused(_("The workbook is corrupt: its zip package cannot be read."))
    with package:
        return _check_members(package, members)


def _check_members(package: zipfile.ZipFile, members: list[zipfile.ZipInfo]) -> list[SheetProblem]:
    if len(members) > MAX_MEMBERS:
        return _refused(_("The package holds %(n)d parts; a workbook has far fewer.") % {"n": len(members)})
    total = sum(m.file_size for m in members)
    if total > MAX_UNCOMPRESSED_BYTES:
        return _refused(
            _("The package expands to %(mb)d MB (at most %(max)d MB): refused as a possible zip bomb.")
            % {"mb": total // (1024 * 1024), "max": MAX_UNCOMPRESSED_BYTES // (1024 * 1024)}
        )
    problems: list[SheetProblem] = []
    for member in members:
        if member.file_size > 1024 * 1024 and member.file_size > MAX_RATIO * max(member.compress_size, 1):
            problems.append(
                SheetProblem(
                    _("Part %(name)s expands %(ratio)d times: refused as a possible zip bomb.")
                    % {"name": member.filename, "ratio": member.file_size // max(member.compress_size, 1)}
                )
            )
        if member.flag_bits & 0x1:
            problems.append(SheetProblem(_("The workbook is encrypted: save it without a password.")))
            break
    if problems:
        return problems
    names = {m.filename.lower(): m for m in members}
    if "[content_types].xml" not in names:
        return _refused(_("This is not an .xlsx workbook: the package has no [Content_Types].xml."))
    if any(name.endswith(part) or name.startswith(part) for name in names for part in _MACRO_PARTS):
        problems.append(
            SheetProblem(_("The workbook contains macros (or ActiveX controls): save it as a plain .xlsx."))
        )
    if any(name.startswith(part) for name in names for part in _EXTERNAL_PARTS):
        problems.append(
            SheetProblem(_("The workbook links to other workbooks or data sources: remove the links (paste values)."))
        )
    for member in members:
        if not member.filename.lower().endswith((".xml", ".rels", ".vml")):
            continue
        try:
            body = package.read(member)
        except (zipfile.BadZipFile, zlib.error, ValueError, OSError, EOFError, NotImplementedError):
            return _refused(_("The workbook is corrupt: part %(name)s cannot be read.") % {"name": member.filename})
        if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
            problems.append(
                SheetProblem(
                    _("Part %(name)s declares XML entities, which a workbook never does.") % {"name": member.filename}
                )
            )
        if member.filename == "[Content_Types].xml":
            if b"macroEnabled" in body or b"vbaProject" in body:
                problems.append(SheetProblem(_("The workbook is macro-enabled: save it as a plain .xlsx.")))
            elif not any(kind in body for kind in _MAIN_TYPES):
                problems.append(SheetProblem(_("This is not an Excel workbook (the package holds no worksheets).")))
        if member.filename.endswith(".rels") and (b"/externalLink" in body or b"/oleObject" in body):
            problems.append(
                SheetProblem(_("Part %(name)s links to an external workbook or object.") % {"name": member.filename})
            )
    # One message per kind is enough: the same macro found in three parts is one problem.
    return list(dict.fromkeys(problems))


def open_workbook(raw: bytes, filename: str = "") -> Any:
    """The workbook, read-only and with formulas as formulas, once the package passed; else refused."""
    problems = check_package(raw, filename)
    if problems:
        raise SpreadsheetInvalid(problems)
    from openpyxl import load_workbook

    try:
        return load_workbook(io.BytesIO(raw), read_only=True, data_only=False, keep_links=False)
    except Exception as exc:  # openpyxl raises anything from KeyError to XML errors on a broken file
        raise SpreadsheetInvalid(
            [
                SheetProblem(
                    _("The workbook is corrupt and cannot be read (%(error)s).") % {"error": without_paths(exc)[:200]}
                )
            ]
        ) from exc


# --- sheets as rows of named cells ----------------------------------------------------------------


@dataclass
class Row:
    number: int  # as Excel shows it (the heading is row 1)
    values: dict[str, Any]


@dataclass
class Sheet:
    name: str
    columns: list[str] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)


def _cell_value(cell: Any, sheet: str, row: int, column: str, problems: list[SheetProblem]) -> Any:
    value = cell.value
    kind = getattr(cell, "data_type", None)
    if kind == "f" or (isinstance(value, str) and value.startswith("=")):
        problems.append(
            SheetProblem(
                _("A formula is not accepted: type the value itself (found %(f)s).") % {"f": str(value)[:60]},
                sheet,
                row,
                column,
            )
        )
        return None
    if kind == "e":
        problems.append(SheetProblem(_("The cell holds an error value (%(v)s).") % {"v": value}, sheet, row, column))
        return None
    if isinstance(value, str) and len(value) > CELL_MAX:
        problems.append(
            SheetProblem(_("The cell is longer than %(n)d characters.") % {"n": CELL_MAX}, sheet, row, column)
        )
        return None
    return value


def read_sheet(
    worksheet: Any, name: str, known: Iterable[str], required: Iterable[str], problems: list[SheetProblem]
) -> Sheet:
    """The sheet's rows as {heading: value}, headings lower-cased; unknown, repeated and missing
    headings, formulas and oversized cells go to `problems`. Empty rows are skipped."""
    sheet = Sheet(name)
    known = set(known)
    rows: Iterator[Any] = worksheet.iter_rows()
    try:
        header = next(rows, ())
    except Exception as exc:
        problems.append(SheetProblem(_("The sheet cannot be read (%(e)s).") % {"e": without_paths(exc)[:200]}, name))
        return sheet
    headings: list[str | None] = []
    blank: set[int] = set()  # columns with no heading: they must stay empty
    for index, cell in enumerate(header, start=1):
        if index > MAX_COLUMNS:
            problems.append(SheetProblem(_("More than %(n)d columns.") % {"n": MAX_COLUMNS}, name, 1))
            break
        value = _cell_value(cell, name, 1, get_column_letter(index), problems)
        heading = str(value).strip().lower() if value not in (None, "") else None
        if heading is None:
            blank.add(index - 1)
        elif heading is not None and heading not in known:
            problems.append(
                SheetProblem(_("Unknown column “%(h)s”.") % {"h": str(value)[:60]}, name, 1, str(value)[:60])
            )
            heading = None
        elif heading in headings:
            problems.append(SheetProblem(_("The column appears twice."), name, 1, heading))
            heading = None
        headings.append(heading)
    sheet.columns = [h for h in headings if h]
    for missing in [c for c in required if c not in sheet.columns]:
        problems.append(SheetProblem(_("Required column is missing."), name, 1, missing))
    try:
        for number, cells in enumerate(rows, start=2):
            if number > MAX_ROWS:
                problems.append(SheetProblem(_("More than %(n)d rows.") % {"n": MAX_ROWS}, name, number))
                break
            values: dict[str, Any] = {}
            for index, cell in enumerate(cells):
                if index >= len(headings):
                    if cell.value not in (None, ""):
                        problems.append(
                            SheetProblem(
                                _("A value in a column with no heading."), name, number, get_column_letter(index + 1)
                            )
                        )
                    continue
                heading = headings[index]
                if heading is None:
                    # An unknown or repeated column was reported once, at its heading.
                    if index in blank and cell.value not in (None, ""):
                        problems.append(
                            SheetProblem(
                                _("A value in a column with no heading."), name, number, get_column_letter(index + 1)
                            )
                        )
                    continue
                values[heading] = _cell_value(cell, name, number, heading, problems)
            if any(v not in (None, "") for v in values.values()):
                sheet.rows.append(Row(number, values))
    except Exception as exc:
        problems.append(SheetProblem(_("The sheet cannot be read (%(e)s).") % {"e": without_paths(exc)[:200]}, name))
    return sheet


# --- reading values --------------------------------------------------------------------------------


def text(value: Any) -> str:
    """A cell as text: empty for an empty cell, integers without a decimal point."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# --- writing ----------------------------------------------------------------------------------------

_HEADER_FONT = Font(bold=True)
_WRAP = Alignment(wrap_text=True, vertical="top")


def clean(value: Any) -> Any:
    """A value openpyxl can write and Excel will show as typed: control characters removed, and a
    text that starts with '=' kept a text (the import refuses it, as it refuses every formula)."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def write_sheet(
    workbook: Any, title: str, columns: list[str], rows: Iterable[list[Any]], widths: dict[str, int]
) -> None:
    """One sheet: a bold, frozen heading row, wrapped text, widths by column."""
    sheet = workbook.create_sheet(title)
    sheet.append(columns)
    for cell in sheet[1]:
        cell.font = _HEADER_FONT
    sheet.freeze_panes = "A2"
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = widths.get(column, 30)
    for values in rows:
        sheet.append([clean(v) if v not in ("", None) else None for v in values])
        for cell in sheet[sheet.max_row]:
            cell.alignment = _WRAP
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"


def workbook_bytes(workbook: Any) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
