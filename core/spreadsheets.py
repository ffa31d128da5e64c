"""Text that spreadsheet programs must show as text, never run as a formula (CSV/formula injection).

The one home of the guard: every exporter that writes a CSV or XLSX cell goes through here. Cell
text comes from people (justifications, evidence titles) and from imported data (protected-area
names from the WDPA, Standard titles from YAML): a name such as `=HYPERLINK("http://evil","x")`
became a live formula in the XLSX export, and `x;=cmd|' /C calc'!A0` ran in a semicolon-separated
locale, where the CSV's `;` splits a cell in two (issue 12).
"""

from __future__ import annotations

import re
from typing import Any

# A cell starting with one of these is read as a formula (or as DDE, `-cmd|…`) by Excel, LibreOffice
# or Google Sheets. The full-width forms count too: Excel with an East Asian input method reads
# `＝1+1` as a formula.
FORMULA_TRIGGERS = "=+-@\uff1d\uff0b\uff0d\uff20"
# A leading tab, carriage return or line feed: some programs drop it and read the rest as a formula.
_LEADING_CONTROLS = "\t\r\n"
# Leading spaces are trimmed by some imports ("trim spaces" in LibreOffice).
_LEADING_SPACES = " \u3000"
# Characters that a spreadsheet program may take as the cell separator (comma and semicolon
# locales, tab-separated import): text after one of them can become the start of a new cell.
_SEPARATOR_THEN_TRIGGER = re.compile(rf"([,;\t][ \u3000]*)(?=[{re.escape(FORMULA_TRIGGERS)}])")


def looks_like_formula(text: str) -> bool:
    """Would a spreadsheet program read this text, as a whole cell, as a formula?"""
    if not text:
        return False
    if text[0] in _LEADING_CONTROLS:
        return True
    stripped = text.lstrip(_LEADING_SPACES)
    return bool(stripped) and stripped[0] in FORMULA_TRIGGERS


def neutralise(value: Any) -> Any:
    """A delimited-text (CSV) cell that stays text in every spreadsheet program.

    Text read as a formula gets a leading apostrophe (shown by nothing, understood by all as "this
    is text"); so does any formula start that follows a comma, semicolon or tab, in case the file
    is opened with that character as the separator. Other values pass unchanged.
    """
    if not isinstance(value, str) or not value:
        return value
    value = _SEPARATOR_THEN_TRIGGER.sub(r"\1'", value)
    if looks_like_formula(value):
        value = "'" + value
    return value


def append_row(worksheet, values) -> None:
    """Append a row to an openpyxl worksheet with every text cell stored as text.

    openpyxl makes any string starting with `=` a formula cell; here each string is written as a
    string cell (data type "s"), with Excel's quote prefix on those that look like formulas, so that
    editing the cell does not turn it into one either. The text itself is kept as it was.
    """
    from openpyxl.cell.cell import Cell

    cells = []
    for value in values:
        cell = Cell(worksheet, value=None)
        if isinstance(value, str):
            cell.value = value
            cell.data_type = "s"  # after the value: openpyxl guesses "f" for a leading "="
            if looks_like_formula(value):
                cell.quotePrefix = True
        else:
            cell.value = value
        cells.append(cell)
    worksheet.append(cells)
