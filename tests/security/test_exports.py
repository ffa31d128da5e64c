"""Formula injection in the exports (issue 12): text from people and from imported data must stay
text in every spreadsheet program, in every format."""

import csv
import io

import pytest
from django.urls import reverse

from assessments.models import Answer
from assessments.services import answer_save, assessment_create
from assessments.workflow import transition
from core.spreadsheets import neutralise
from eligibility.tests.factories import make_eligible
from reports import services
from reviews.tests.factories import make_standard
from standards.models import Component

HYPERLINK = '=HYPERLINK("http://evil.example","x")'
DDE_SEMICOLON = "x;=cmd|' /C calc'!A0"


def _starts_formula(text: str) -> bool:
    return text[:1] != "" and text[0] in "=+-@\uff1d"


@pytest.fixture
def poisoned(area, site_manager, staff):
    """An assessment whose site name, Standard titles and answers carry formulas."""
    area.name = HYPERLINK
    area.save(update_fields=["name"])
    standard = make_standard(3)
    Component.objects.filter(standard=standard).update(title="@SUM(1+1)*cmd|' /C calc'!A0")
    standard.indicators.filter(number="1.1.1").update(title="+1+1")
    assessment = assessment_create(protected_area=area, user=site_manager, year=2026)
    make_eligible(assessment, staff=staff)
    transition(assessment, "candidate", by=staff)
    texts = [DDE_SEMICOLON, "\t=1+1", "\uff1dcmd|' /C calc'!A0"]
    answers = Answer.objects.filter(assessment=assessment).order_by("indicator__position")
    for answer, text in zip(answers, texts, strict=True):
        answer_save(
            answer=answer,
            user=site_manager,
            expected_version=answer.version,
            changes={"rating": "meets", "justification": text, "action_owner": "-2+3"},
        )
    return assessment


@pytest.mark.django_db
def test_xlsx_has_no_formula_cell_and_keeps_the_text(poisoned, site_manager):
    from openpyxl import load_workbook

    # given an assessment whose texts start with formulas; when it is exported as XLSX
    workbook = load_workbook(io.BytesIO(services.build_export(poisoned, site_manager, "xlsx")))

    # then no cell of any sheet is a formula, and every formula-like text is a text cell
    texts = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert cell.data_type in ("s", "inlineStr"), (sheet.title, cell.coordinate)
                    texts.append(cell.value)
    # the protected area's name (Scores sheet) and the Standard's titles come out as written
    assert HYPERLINK in texts
    assert "+1+1" in texts
    assert DDE_SEMICOLON in texts
    assert any(t.startswith("Component 1 @SUM") for t in texts)
    name_cell = workbook["Scores"]["B1"]
    assert name_cell.value == HYPERLINK and name_cell.quotePrefix


@pytest.mark.django_db
def test_csv_neutralises_formulas_for_comma_and_semicolon_locales(client, poisoned, site_manager):
    # given the same assessment; when its CSV is downloaded
    client.force_login(site_manager)
    response = client.get(reverse("reports:assessment-csv", args=[poisoned.pk]))
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")

    # then no cell starts a formula when split on commas (the file's separator)...
    for row in csv.reader(io.StringIO(text)):
        for cell in row:
            assert not _starts_formula(cell.lstrip(" \t\r\n")), cell
    # ...nor when a semicolon-locale program splits the same text on semicolons
    for row in csv.reader(io.StringIO(text), delimiter=";"):
        for cell in row:
            assert not _starts_formula(cell.strip('" \t\r\n')), cell
    assert "x;'=cmd|" in text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1+1", "'-1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t'=1"),
        ("\r=1", "'\r=1"),
        (" =1", "' =1"),
        ("\uff1d1+1", "'\uff1d1+1"),
        (DDE_SEMICOLON, "x;'=cmd|' /C calc'!A0"),
        ("a, =1", "a, '=1"),
        ("plain text; with a semicolon", "plain text; with a semicolon"),
        ("", ""),
        (3, 3),
        (None, None),
    ],
)
def test_neutralise(value, expected):
    assert neutralise(value) == expected
