"""A version of the Standard as XLSX, both ways: export, import as a draft, every problem in place."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from accounts.tests.factories import Role, make_user
from audit.models import AuditEvent
from standards import content, spreadsheets
from standards.models import Indicator, Standard
from standards.spreadsheet_files import SpreadsheetInvalid


@pytest.fixture
def keeper(db):
    return make_user(Role.STANDARD_COMMITTEE, email="keeper@example.org")


def workbook_of(standard):
    return load_workbook(io.BytesIO(spreadsheets.standard_to_xlsx(standard)))


def save(workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def row_of(sheet, number, column="number"):
    """The row (as Excel numbers them) whose `column` holds `number`."""
    index = [c.value for c in sheet[1]].index(column)
    return next(row[0].row for row in sheet.iter_rows(min_row=2) if row[index].value == number)


def col(sheet, name):
    return [c.value for c in sheet[1]].index(name) + 1


def refused(raw, keeper, **kwargs) -> list[dict]:
    before = (Standard.objects.count(), Indicator.objects.count(), AuditEvent.objects.count())
    with pytest.raises(SpreadsheetInvalid) as caught:
        spreadsheets.import_standard_xlsx(upload=raw, by=keeper, **kwargs)
    # nothing half-saved
    assert (Standard.objects.count(), Indicator.objects.count(), AuditEvent.objects.count()) == before
    assert caught.value.code == "standard_file_invalid"
    assert caught.value.data["problems"] == [p.as_dict() for p in caught.value.problems]
    return caught.value.data["problems"]


# --- export ------------------------------------------------------------------------------------


def test_export_has_one_row_per_indicator_and_the_columns_of_the_format(standard):
    # when
    book = workbook_of(standard)
    # then
    assert book.sheetnames == ["Version", "Components", "Criteria", "Indicators"]
    sheet = book["Indicators"]
    assert [c.value for c in sheet[1]] == [
        "component", "criterion", "number", "lineage", "wording",
        "title_en", "title_fr", "title_es", "text_en", "text_fr", "text_es", "mov_en", "mov_fr", "mov_es",
        "sdgs", "guidance_en", "guidance_fr", "guidance_es",
    ]  # fmt: skip
    assert sheet.max_row - 1 == Indicator.objects.filter(standard=standard).count()
    assert all(c.font.b for c in sheet[1]) and sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["I"].width == 60
    first = Indicator.objects.filter(standard=standard).order_by("position").first()
    row = {h.value: c.value for h, c in zip(sheet[1], sheet[2], strict=True)}
    assert row["number"] == first.number and row["lineage"] == first.lineage and row["text_en"] == first.text
    assert row["mov_en"] == "\n".join(first.means_of_verification)
    assert sheet.cell(2, col(sheet, "text_en")).alignment.wrap_text
    assert [c.value for c in book["Criteria"][1]] == [
        "component", "number", "title_en", "title_fr", "title_es", "description_en", "description_fr",
        "description_es",
    ]  # fmt: skip
    assert [c.value for c in book["Components"][1]][:2] == ["number", "title_en"]
    keys = [r[0].value for r in book["Version"].iter_rows(min_row=2)]
    assert keys == ["code", "version", "title_en", "title_fr", "title_es", "published", "provenance", "rules",
                    "rating_scale"]  # fmt: skip


def test_export_writes_a_text_that_starts_with_equals_as_text_not_as_a_formula(standard):
    Indicator.objects.filter(standard=standard, number="1.1.1").update(guidance="=HYPERLINK(x)")
    book = workbook_of(standard)
    sheet = book["Indicators"]
    cell = sheet.cell(row_of(sheet, "1.1.1"), col(sheet, "guidance_en"))
    assert cell.value == "=HYPERLINK(x)" and cell.data_type == "s"


# --- round trip --------------------------------------------------------------------------------


def test_an_exported_version_imported_unchanged_gives_the_same_content_as_a_draft(standard, keeper):
    # given some translations, SDGs, guidance and a pending wording, so every column carries something
    ind = Indicator.objects.get(standard=standard, number="2.1.2")
    ind.translations = {"fr": {"title": "Titre", "text": "Texte\nsur deux lignes", "means_of_verification": ["A", "B"]}}
    ind.sdgs, ind.guidance, ind.wording = [14, 15], "Read the WDPA record.", "pending"
    ind.save()
    source = content.content_of(standard)
    raw = spreadsheets.standard_to_xlsx(standard)
    # when
    result = spreadsheets.import_standard_xlsx(upload=raw, by=keeper, version="1.1-rt")
    # then
    draft = result.standard
    assert draft.is_draft and draft.based_on == standard and draft.created_by == keeper
    assert draft.published_at is None and draft.version == "1.1-rt"
    imported = content.content_of(draft)
    assert imported["standard"].pop("version") == "1.1-rt"
    assert source["standard"].pop("version") == "1.1"
    assert imported == source
    lineages = dict(Indicator.objects.filter(standard=standard).values_list("number", "lineage"))
    assert dict(Indicator.objects.filter(standard=draft).values_list("number", "lineage")) == lineages
    assert result.counts == content.counts_of(source)
    event = AuditEvent.objects.get(action="standard.draft_imported")
    assert event.actor == keeper and event.target_id == str(draft.pk)
    # and the draft exports to the same workbook rows (the version label apart)
    again = load_workbook(io.BytesIO(spreadsheets.standard_to_xlsx(draft)))
    before = load_workbook(io.BytesIO(raw))
    for name in ("Components", "Criteria", "Indicators"):
        assert [[c.value for c in r] for r in again[name].iter_rows()] == [
            [c.value for c in r] for r in before[name].iter_rows()
        ]


def test_the_version_label_may_come_from_the_sheet_and_a_new_row_with_no_lineage_gets_a_new_one(standard, keeper):
    book = workbook_of(standard)
    version = book["Version"]
    version.cell(row_of(version, "version", "key"), 2).value = "1.2"
    sheet = book["Indicators"]
    last = row_of(sheet, "4.3.2") if any(r[2].value == "4.3.2" for r in sheet.iter_rows(min_row=2)) else sheet.max_row
    template = [c.value for c in sheet[last]]
    number = template[2]
    new_number = number.rsplit(".", 1)[0] + "." + str(int(number.rsplit(".", 1)[1]) + 1)
    template[2], template[3] = new_number, None
    sheet.append(template)
    # when
    draft = spreadsheets.import_standard_xlsx(upload=save(book), by=keeper).standard
    # then: version 1.2 does not exist, so it is based on nothing; the new indicator has a lineage of its own
    assert draft.version == "1.2" and draft.based_on is None
    new = Indicator.objects.get(standard=draft, number=new_number)
    assert new.lineage and not Indicator.objects.filter(standard=standard, lineage=new.lineage).exists()
    assert Indicator.objects.filter(standard=draft).count() == Indicator.objects.filter(standard=standard).count() + 1


def test_a_version_label_already_used_is_refused_with_what_to_do(standard, keeper):
    raw = spreadsheets.standard_to_xlsx(standard)
    # unchanged: 1.1 is the published version itself
    problems = refused(raw, keeper)
    assert problems == [
        {
            "sheet": "Version",
            "row": 3,
            "column": "value",
            "message": "GLS already has a version 1.1 (published): name a new version label for the draft "
            "(e.g. 1.1-draft), in the form or on the Version sheet.",
        }
    ]
    spreadsheets.import_standard_xlsx(upload=raw, by=keeper, version="1.2")
    problems = refused(raw, keeper, version="1.2")
    assert problems[0]["column"] == "version" and problems[0]["sheet"] is None
    assert "(a draft)" in problems[0]["message"]


def test_only_keepers_import(standard, staff, expert):
    from core.errors import NotAllowed

    raw = spreadsheets.standard_to_xlsx(standard)
    for person in (staff, expert):
        with pytest.raises(NotAllowed):
            spreadsheets.import_standard_xlsx(upload=raw, by=person, version="9")
    assert Standard.objects.count() == 1


# --- every problem, in place -------------------------------------------------------------------


def test_a_file_with_ten_problems_reports_the_ten_each_with_sheet_row_and_column(standard, keeper):
    book = workbook_of(standard)
    ind, crit, version = book["Indicators"], book["Criteria"], book["Version"]
    width = ind.max_column
    # 1. a duplicate number (a second row 1.1.1)
    ind.append([c.value for c in ind[row_of(ind, "1.1.1")]])
    dup_row = ind.max_row
    ind.cell(dup_row, col(ind, "lineage")).value = "GLS-dup"
    # 2. a gap: the last indicator of 2.1 renumbered one up
    last_21 = max(r[0].row for r in ind.iter_rows(min_row=2) if r[1].value == "2.1")
    old = ind.cell(last_21, col(ind, "number")).value
    ind.cell(last_21, col(ind, "number")).value = "2.1." + str(int(old.rsplit(".", 1)[1]) + 1)
    # 3. a criterion with no indicator
    last_4 = max(int(r[1].value.split(".")[1]) for r in crit.iter_rows(min_row=2) if r[0].value == "4")
    crit.append(["4", f"4.{last_4 + 1}", "A criterion nobody filled"])
    empty_row = crit.max_row
    # 4. an unknown column
    ind.cell(1, width + 1).value = "Notes"
    ind.cell(2, width + 1).value = "remember to ask"
    # 5. a cell too long
    ind.cell(row_of(ind, "3.1.1"), col(ind, "title_en")).value = "x" * (content.TITLE_MAX + 1)
    # 6. a formula
    ind.cell(row_of(ind, "1.2.1"), col(ind, "text_fr")).value = "=A1&B1"
    # 7. a bad SDG
    ind.cell(row_of(ind, "1.3.1"), col(ind, "sdgs")).value = "15, 18"
    # 8. a bad wording
    ind.cell(row_of(ind, "2.2.1"), col(ind, "wording")).value = "maybe"
    # 9. an indicator under a criterion that does not exist
    ind.append(["3", "3.9", "3.9.1", "GLS-new", "paraphrase", "T", None, None, "Text"])
    orphan_row = ind.max_row
    # 10. a date that is not one
    version.cell(row_of(version, "published", "key"), 2).value = "soon"
    # when
    problems = refused(save(book), keeper, version="1.2")
    # then
    places = {(p["sheet"], p["row"], p["column"]) for p in problems}
    first_21 = min(r[0].row for r in ind.iter_rows(min_row=2) if r[1].value == "2.1")
    assert places == {
        ("Indicators", dup_row, "number"),
        ("Indicators", first_21, "number"),
        ("Criteria", empty_row, "number"),
        ("Indicators", 1, "Notes"),
        ("Indicators", row_of(ind, "3.1.1"), "title_en"),
        ("Indicators", row_of(ind, "1.2.1"), "text_fr"),
        ("Indicators", row_of(ind, "1.3.1"), "sdgs"),
        ("Indicators", row_of(ind, "2.2.1"), "wording"),
        ("Indicators", orphan_row, "criterion"),
        ("Version", row_of(version, "published", "key"), "value"),
    }, problems
    assert len(problems) == 10
    text = " | ".join(p["message"] for p in problems)
    for words in ("Duplicate number 1.1.1", "no gap", "has no indicator", "Unknown column", "at most 300",
                  "formula", "SDG", "'wording' is 'maybe'", "Criterion “3.9” is not on the Criteria sheet",
                  "not a date"):  # fmt: skip
        assert words in text


def test_missing_sheets_and_columns_and_unknown_sheets_are_named_without_a_flood(standard, keeper):
    book = workbook_of(standard)
    del book["Criteria"]
    book["Indicators"].delete_cols(col(book["Indicators"], "title_en"))
    book.create_sheet("Scratch")
    problems = refused(save(book), keeper, version="1.2")
    assert {"sheet": "Criteria", "row": None, "column": None, "message": "The sheet is missing."} in problems
    assert {"sheet": "Indicators", "row": 1, "column": "title_en", "message": "Required column is missing."} in problems
    assert any(p["sheet"] == "Scratch" and "Unknown sheet" in p["message"] for p in problems)
    # the indicators whose criteria are on no sheet are not each reported again
    assert not any("not on the Criteria sheet" in p["message"] for p in problems)


def test_numbers_typed_as_decimals_and_bad_json_are_refused_in_place(standard, keeper):
    book = workbook_of(standard)
    crit, version = book["Criteria"], book["Version"]
    crit.cell(row_of(crit, "1.2"), 2).value = 1.2  # Excel turned the text into a number
    version.cell(row_of(version, "rules", "key"), 2).value = "{not json"
    problems = refused(save(book), keeper, version="1.2")
    assert any(
        p["sheet"] == "Criteria" and p["column"] == "number" and "typed as text" in p["message"] for p in problems
    )
    assert any(p["sheet"] == "Version" and "not valid JSON" in p["message"] for p in problems)


def test_a_superscript_digit_in_the_sdgs_cell_is_a_problem_not_a_crash():
    """'²'.isdigit() is true but int('²') fails: the cell is reported like any other non-number."""
    from standards.spreadsheet_files import Row

    problems: list = []
    assert spreadsheets._sdgs(Row(number=5, values={"sdgs": "14, ²"}), problems) == []
    assert len(problems) == 1 and "14, ²" in str(problems[0].message)
