"""Workbooks nobody vouches for: each refused before or while openpyxl reads it, nothing saved."""

from __future__ import annotations

import io
import zipfile

import pytest

from standards import spreadsheet_files, spreadsheets
from standards.tests.test_spreadsheets import keeper, refused  # noqa: F401  (the fixture)


def rezip(raw: bytes, *, add: dict[str, bytes] | None = None, replace: dict[str, bytes] | None = None) -> bytes:
    """The package with parts added or replaced, as a hand-made zip."""
    source = zipfile.ZipFile(io.BytesIO(raw))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = (replace or {}).get(info.filename, source.read(info))
            target.writestr(info.filename, body)
        for name, body in (add or {}).items():
            target.writestr(name, body)
    return out.getvalue()


def only(problems) -> str:
    assert len(problems) == 1, problems
    return problems[0]["message"]


@pytest.fixture
def raw(standard):
    return spreadsheets.standard_to_xlsx(standard)


def test_not_a_zip(keeper):  # noqa: F811
    assert "not an .xlsx" in only(refused(b"component,criterion\n1,1.1\n", keeper))


def test_an_old_xls_or_a_password_protected_workbook(keeper):  # noqa: F811
    assert "old .xls" in only(refused(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, keeper))


def test_a_zip_that_is_no_workbook(keeper):  # noqa: F811
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("notes.txt", "hello")
    assert "[Content_Types].xml" in only(refused(out.getvalue(), keeper))


def test_a_corrupt_package_and_a_corrupt_workbook(raw, keeper):  # noqa: F811
    assert "corrupt" in only(refused(raw[: len(raw) // 2], keeper))
    broken = rezip(raw, replace={"xl/workbook.xml": b"<workbook><sheets><sheet name="})
    assert "corrupt" in only(refused(broken, keeper))


def test_a_macro_enabled_workbook_by_part_by_content_type_and_by_name(raw, keeper):  # noqa: F811
    with_vba = rezip(raw, add={"xl/vbaProject.bin": b"\x00VBA" * 100})
    assert "macros" in refused(with_vba, keeper)[0]["message"]
    types = zipfile.ZipFile(io.BytesIO(raw)).read("[Content_Types].xml")
    macro_types = types.replace(
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    )
    assert "macro-enabled" in only(refused(rezip(raw, replace={"[Content_Types].xml": macro_types}), keeper))
    with pytest.raises(spreadsheet_files.SpreadsheetInvalid) as caught:
        spreadsheet_files.open_workbook(raw, "standard.xlsm")
    assert "macro-enabled" in caught.value.problems[0].message


def test_a_zip_bomb_by_total_size_and_by_ratio_and_by_member_count(raw, keeper):  # noqa: F811
    huge = rezip(raw, add={"xl/media/zeros.bin": b"\0" * (spreadsheet_files.MAX_UNCOMPRESSED_BYTES + 1)})
    assert len(huge) < spreadsheet_files.MAX_FILE_BYTES  # small on disk
    assert "zip bomb" in only(refused(huge, keeper))
    dense = rezip(raw, add={"xl/media/zeros.bin": b"\0" * (3 * 1024 * 1024)})
    assert "expands" in only(refused(dense, keeper))
    many = rezip(raw, add={f"xl/media/{i}.txt": b"x" for i in range(spreadsheet_files.MAX_MEMBERS)})
    assert "parts" in only(refused(many, keeper))


def test_a_file_too_large(keeper):  # noqa: F811
    assert "larger than 5 MB" in only(refused(b"PK\x03\x04" + b"\0" * spreadsheet_files.MAX_FILE_BYTES, keeper))


def test_external_links_and_xml_entities(raw, keeper):  # noqa: F811
    linked = rezip(raw, add={"xl/externalLinks/externalLink1.xml": b"<externalLink/>"})
    assert "links to other workbooks" in only(refused(linked, keeper))
    sheet = zipfile.ZipFile(io.BytesIO(raw)).read("xl/worksheets/sheet1.xml")
    laughs = b'<!DOCTYPE x [<!ENTITY a "aaaa">]>' + sheet
    assert "entities" in only(refused(rezip(raw, replace={"xl/worksheets/sheet1.xml": laughs}), keeper))


def test_formulas_are_refused_even_where_excel_would_show_their_value(standard, keeper):  # noqa: F811
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(spreadsheets.standard_to_xlsx(standard)))
    book["Indicators"]["G2"] = '=HYPERLINK("http://example.org","x")'  # title_fr
    book["Components"]["C2"] = "=1+1"  # title_fr
    out = io.BytesIO()
    book.save(out)
    problems = refused(out.getvalue(), keeper, version="1.2")
    assert [(p["sheet"], p["row"], p["column"]) for p in problems] == [
        ("Components", 2, "title_fr"),
        ("Indicators", 2, "title_fr"),
    ]
    assert all("formula" in p["message"] for p in problems)
