"""The spreadsheets' pages, API and commands; adapted sets as XLSX both ways."""

from __future__ import annotations

import io
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from openpyxl import load_workbook

from audit.models import AuditEvent
from standards import adaptation, adapted_spreadsheets, content, spreadsheets
from standards.models import AdaptedIndicator, Indicator, Standard
from standards.spreadsheet_files import XLSX_CONTENT_TYPE, SpreadsheetInvalid
from standards.tests.test_spreadsheets import keeper, save  # noqa: F401  (the fixture)


def upload(raw: bytes, name: str = "standard.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, raw, content_type=XLSX_CONTENT_TYPE)


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def draft(standard, keeper):  # noqa: F811
    data = content.content_of(standard)
    data["standard"]["version"] = "1.2-draft"
    return content.create_version(data, status=Standard.Status.DRAFT, by=keeper, based_on=standard)


def ten_problem_free_changes(standard) -> bytes:
    """The export with one indicator's French title changed: a valid file under a new label."""
    book = load_workbook(io.BytesIO(spreadsheets.standard_to_xlsx(standard)))
    book["Indicators"]["G2"] = "Titre en français"
    return save(book)


# --- pages -------------------------------------------------------------------------------------


def test_the_standard_page_links_its_spreadsheet_and_anyone_downloads_a_published_version(standard):
    page = Client().get("/standard/")
    assert f'href="/standard/versions/{standard.pk}/xlsx"' in page.content.decode()
    response = Client().get(f"/standard/versions/{standard.pk}/xlsx")
    assert response.status_code == 200 and response["Content-Type"] == XLSX_CONTENT_TYPE
    assert 'filename="GLS-1.1.xlsx"' in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book["Indicators"].max_row - 1 == Indicator.objects.filter(standard=standard).count()


def test_a_draft_downloads_for_keepers_only(draft, keeper, staff, expert):  # noqa: F811
    url = f"/standard/versions/{draft.pk}/xlsx"
    for person in (None, staff, expert):
        assert client_for(person).get(url).status_code == 404
    response = client_for(keeper).get(url)
    assert response.status_code == 200 and "1.2-draft-draft.xlsx" in response["Content-Disposition"]


def test_the_import_page_refuses_non_keepers(standard, staff, expert, admin_user):
    raw = spreadsheets.standard_to_xlsx(standard)
    assert Client().get("/standard/import/").status_code == 302
    for person in (staff, expert, admin_user):
        client = client_for(person)
        assert client.get("/standard/import/").status_code == 403
        assert client.post("/standard/import/", {"file": upload(raw), "version": "2"}).status_code == 403
    assert Standard.objects.count() == 1


def test_a_keeper_imports_a_draft_and_lands_on_its_page(standard, keeper):  # noqa: F811
    client = client_for(keeper)
    assert client.get("/standard/import/").status_code == 200
    response = client.post("/standard/import/", {"file": upload(ten_problem_free_changes(standard)), "version": "1.2"})
    draft = Standard.objects.get(version="1.2")
    assert response.status_code == 302 and response["Location"] == f"/standard/versions/{draft.pk}/"
    assert draft.is_draft and draft.based_on == standard
    first = Indicator.objects.get(standard=draft, position=1)
    assert first.translations["fr"]["title"] == "Titre en français"


def test_the_import_page_lists_every_problem_in_a_table_and_saves_nothing(standard, keeper):  # noqa: F811
    book = load_workbook(io.BytesIO(spreadsheets.standard_to_xlsx(standard)))
    book["Indicators"]["E2"] = "maybe"  # wording
    book["Indicators"]["O3"] = "99"  # sdgs
    response = client_for(keeper).post("/standard/import/", {"file": upload(save(book)), "version": "1.2"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "2 problems" in page and "Nothing was saved" in page
    assert '<td>Indicators<br><span class="muted">row 2 · wording</span></td>' in page
    assert '<td>Indicators<br><span class="muted">row 3 · sdgs</span></td>' in page
    assert Standard.objects.count() == 1


# --- API ---------------------------------------------------------------------------------------


def test_api_downloads_a_version_and_imports_a_draft(standard, keeper, api_client):  # noqa: F811
    api_client.force_authenticate(keeper)
    response = api_client.get(f"/api/v1/standards/{standard.pk}/xlsx/", HTTP_ACCEPT=XLSX_CONTENT_TYPE)
    assert response.status_code == 200 and response["Content-Type"] == XLSX_CONTENT_TYPE
    response = api_client.post(
        "/api/v1/standards/import-xlsx/", {"file": upload(response.content), "version": "1.2"}, format="multipart"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    draft = Standard.objects.get(pk=body["id"])
    counts = content.counts_of(content.content_of(standard))
    assert body == {
        "id": draft.pk,
        "code": "GLS",
        "version": "1.2",
        "status": "draft",
        "based_on": standard.pk,
        "components": counts.components,
        "criteria": counts.criteria,
        "indicators": counts.indicators,
    }


def test_api_refuses_a_bad_file_with_every_problem_and_non_keepers_with_403(standard, keeper, staff, api_client):  # noqa: F811
    raw = spreadsheets.standard_to_xlsx(standard)
    api_client.force_authenticate(keeper)
    response = api_client.post("/api/v1/standards/import-xlsx/", {"file": upload(raw)}, format="multipart")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "standard_file_invalid"
    assert body["problems"] == [
        {
            "sheet": "Version",
            "row": 3,
            "column": "value",
            "message": "GLS already has a version 1.1 (published): name a new version label for the draft "
            "(e.g. 1.1-draft), in the form or on the Version sheet.",
        }
    ]
    response = api_client.post("/api/v1/standards/import-xlsx/", {"file": upload(b"nope")}, format="multipart")
    assert response.status_code == 400 and "not an .xlsx" in response.json()["problems"][0]["message"]
    api_client.force_authenticate(staff)
    response = api_client.post(
        "/api/v1/standards/import-xlsx/", {"file": upload(raw), "version": "3"}, format="multipart"
    )
    assert response.status_code == 403 and response.json()["code"] == "standard_keepers_only"
    assert Standard.objects.count() == 1


def test_api_hides_drafts_from_non_keepers(draft, staff, api_client):
    api_client.force_authenticate(staff)
    assert api_client.get(f"/api/v1/standards/{draft.pk}/xlsx/").status_code == 404
    api_client.force_authenticate(None)
    assert api_client.get(f"/api/v1/standards/{draft.based_on_id}/xlsx/").status_code == 403


# --- commands ----------------------------------------------------------------------------------


def test_the_commands_export_and_import_and_print_every_problem(standard, keeper, tmp_path):  # noqa: F811
    out = tmp_path / "gls.xlsx"
    call_command("export_standard_xlsx", str(out), "--version-id", str(standard.pk), stdout=StringIO())
    printed = StringIO()
    call_command("import_standard_xlsx", str(out), "--by", keeper.email, "--version", "1.2", stdout=printed)
    assert "Created draft GLS v1.2" in printed.getvalue()
    book = load_workbook(out)
    book["Indicators"]["E2"] = "maybe"
    book["Criteria"]["C2"] = "x" * (content.TITLE_MAX + 1)
    book.save(out)
    with pytest.raises(CommandError) as caught:
        call_command("import_standard_xlsx", str(out), "--by", keeper.email, "--version", "1.3", stdout=StringIO())
    message = str(caught.value)
    assert "nothing was saved" in message and "Indicators, row 2, wording:" in message
    assert "Criteria, row 2, title_en:" in message
    assert not Standard.objects.filter(version="1.3").exists()
    with pytest.raises(CommandError, match="No active person"):
        call_command("import_standard_xlsx", str(out), "--by", "nobody@example.org")


def test_the_import_command_applies_the_persons_rules(standard, staff, tmp_path):
    out = tmp_path / "gls.xlsx"
    out.write_bytes(spreadsheets.standard_to_xlsx(standard))
    with pytest.raises(CommandError, match="Standard Committee"):
        call_command("import_standard_xlsx", str(out), "--by", staff.email, "--version", "2")


# --- adapted sets ------------------------------------------------------------------------------


@pytest.fixture
def adapted_set(standard, expert, jurisdiction):
    made = adaptation.adapted_set_create(by=expert, standard=standard, jurisdiction=jurisdiction, title="Viet Nam")
    first = Indicator.objects.get(standard=standard, number="1.1.1")
    adaptation.adaptation_save(
        adapted_set=made,
        indicator=first,
        by=expert,
        revision=made.revision,
        data={
            "text": "Adapted for Viet Nam",
            "thresholds": "At least 2 meetings a year",
            "means_of_verification": ["Minutes", "Register"],
            "translations": {"fr": {"text": "Adapté au Viet Nam"}},
        },
    )
    made.refresh_from_db()
    return made


def adapted_book(adapted_set):
    return load_workbook(io.BytesIO(adapted_spreadsheets.adapted_set_to_xlsx(adapted_set)))


def test_an_adapted_set_exports_one_row_per_generic_indicator_and_comes_back_the_same(adapted_set, expert):
    before = list(AdaptedIndicator.objects.filter(adapted_set=adapted_set).values(
        "indicator", "text", "thresholds", "means_of_verification", "translations"))  # fmt: skip
    book = adapted_book(adapted_set)
    sheet = book["Adapted indicators"]
    assert [c.value for c in sheet[1]] == [
        "number", "generic_text", "text_en", "text_fr", "text_es", "thresholds_en", "thresholds_fr",
        "thresholds_es", "mov_en", "mov_fr", "mov_es",
    ]  # fmt: skip
    assert sheet.max_row - 1 == Indicator.objects.filter(standard=adapted_set.standard).count()
    generic = Indicator.objects.get(standard=adapted_set.standard, number="1.1.1").text
    assert [c.value for c in sheet[2]][:4] == ["1.1.1", generic, "Adapted for Viet Nam", "Adapté au Viet Nam"]
    revision = adapted_set.revision
    result = adapted_spreadsheets.adapted_set_from_xlsx(adapted_set, save(book), expert)
    after = list(AdaptedIndicator.objects.filter(adapted_set=adapted_set).values(
        "indicator", "text", "thresholds", "means_of_verification", "translations"))  # fmt: skip
    assert after == before and result.adapted == 1 and result.replaced == 1
    adapted_set.refresh_from_db()
    assert adapted_set.revision == revision + 1
    assert AuditEvent.objects.filter(action="adapted_set.imported", actor=expert).exists()


def test_an_adapted_set_import_replaces_the_adaptations_and_lists_every_problem(adapted_set, expert):
    book = adapted_book(adapted_set)
    sheet = book["Adapted indicators"]
    sheet["C2"] = None  # 1.1.1 no longer adapted…
    sheet["D2"] = None
    sheet["F2"] = None
    sheet["I2"] = None
    sheet["C3"] = "Second, adapted"  # …1.1.2 is
    good = save(book)
    sheet["C4"] = "x" * (content.TEXT_MAX + 1)
    sheet.append(["9.9.9", None, "Nowhere"])
    sheet["E5"] = "=A1"
    problems_before = AdaptedIndicator.objects.count()
    with pytest.raises(SpreadsheetInvalid) as caught:
        adapted_spreadsheets.adapted_set_from_xlsx(adapted_set, save(book), expert)
    places = [(p.sheet, p.row, p.column) for p in caught.value.problems]
    assert places == [
        ("Adapted indicators", 4, "text_en"),
        ("Adapted indicators", 5, "text_es"),
        ("Adapted indicators", sheet.max_row, "number"),
    ]
    assert AdaptedIndicator.objects.count() == problems_before
    adapted_spreadsheets.adapted_set_from_xlsx(adapted_set, good, expert)
    assert list(AdaptedIndicator.objects.filter(adapted_set=adapted_set).values_list("indicator__number", "text")) == [
        ("1.1.2", "Second, adapted")
    ]


def test_an_adapted_set_import_is_refused_outside_its_group_on_a_non_draft_and_for_another_version(
    adapted_set,
    expert,
    staff,
    api_client,
):
    raw = adapted_spreadsheets.adapted_set_to_xlsx(adapted_set)
    api_client.force_authenticate(staff)  # not of the group, and the draft is not in force: not seen
    assert api_client.get(f"/api/v1/adapted-sets/{adapted_set.pk}/xlsx/").status_code == 404
    response = api_client.post(
        f"/api/v1/adapted-sets/{adapted_set.pk}/import-xlsx/", {"file": upload(raw)}, format="multipart"
    )
    assert response.status_code == 404
    api_client.force_authenticate(expert)
    assert api_client.get(f"/api/v1/adapted-sets/{adapted_set.pk}/xlsx/").status_code == 200
    response = api_client.post(
        f"/api/v1/adapted-sets/{adapted_set.pk}/import-xlsx/", {"file": upload(raw)}, format="multipart"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["adapted"] == 1
    # a file for another version
    book = load_workbook(io.BytesIO(raw))
    book["Set"]["B6"] = "9.9"
    response = api_client.post(
        f"/api/v1/adapted-sets/{adapted_set.pk}/import-xlsx/", {"file": upload(save(book))}, format="multipart"
    )
    assert response.status_code == 400 and response.json()["problems"][0]["sheet"] == "Set"
    # a set that is not a draft any more
    type(adapted_set).objects.filter(pk=adapted_set.pk).update(status="submitted")
    response = api_client.post(
        f"/api/v1/adapted-sets/{adapted_set.pk}/import-xlsx/", {"file": upload(raw)}, format="multipart"
    )
    assert response.status_code == 409 and response.json()["code"] == "adapted_set_frozen"
