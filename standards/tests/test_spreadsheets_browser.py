"""A keeper on a phone uploads a workbook with problems, reads them as a table (the page does not
scroll sideways), then the fixed workbook, and lands on the new draft. Screenshot in var/screenshots/."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def test_a_keeper_imports_a_workbook_on_a_phone(browser, live_server, tmp_path):
    from accounts.tests.factories import Role, make_user
    from standards import spreadsheets
    from standards.models import Standard
    from standards.tests.factories import load_gls

    standard = load_gls()
    keeper = make_user(Role.STANDARD_COMMITTEE, email="keeper-phone@example.org")
    book = load_workbook(io.BytesIO(spreadsheets.standard_to_xlsx(standard)))
    book["Indicators"]["E2"] = "maybe"
    book["Indicators"]["O3"] = "15, 99"
    book["Indicators"]["H4"] = "=CONCAT(A1,B1)"
    bad, good = tmp_path / "bad.xlsx", tmp_path / "good.xlsx"
    book.save(bad)
    good.write_bytes(spreadsheets.standard_to_xlsx(standard))

    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    browser_login(page, keeper.email)
    page.goto("/standard/import/")
    page.get_by_label("Workbook (.xlsx)").set_input_files(str(bad))
    page.get_by_label("Version label of the new draft").fill("1.2")
    page.get_by_role("button", name="Import as a new draft").click()
    alert = page.locator("section[role=alert]")
    assert "3 problems" in alert.inner_text() and "Nothing was saved" in alert.inner_text()
    assert page.locator("section[role=alert] tbody tr").count() == 3
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "standard-import-problems-390.png"), full_page=True)
    assert not Standard.objects.filter(version="1.2").exists()

    page.get_by_label("Workbook (.xlsx)").set_input_files(str(good))
    page.get_by_label("Version label of the new draft").fill("1.2")
    page.get_by_role("button", name="Import as a new draft").click()
    draft = Standard.objects.get(version="1.2")
    page.wait_for_url(f"**/standard/versions/{draft.pk}/")
    assert "Created draft GLS v1.2" in page.content()
    context.close()
