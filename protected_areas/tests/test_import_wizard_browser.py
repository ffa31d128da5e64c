"""Issue 15's "Done means": the import wizard catches the duplicate Yosemite. Staff, on a phone in
Spanish, import the real PAD-US Yosemite file over a platform that already has "Yosemite NP": they map
its columns with the drop-downs, the real worker makes the preview, and they let the existing area
take the new record instead of getting a second Yosemite."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from conftest import browser_login
from core.models import Job
from greenlist.demo import DEMO_AREAS_FILE
from protected_areas.models import ProtectedArea
from protected_areas.services import import_protected_areas

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
PHONE = 390
WORKER_WAIT = 90_000  # ms: the preview and the import run in the worker


def _step(page, name):
    """Each step fits a phone (no sideways scrolling) and is kept as a screenshot to look at."""
    width = page.evaluate("document.documentElement.scrollWidth")
    page.screenshot(path=str(SHOTS / f"import-wizard-{name}-{PHONE}-es.png"), full_page=True)
    assert width <= PHONE, f"{name}: the page is {width}px wide on a {PHONE}px phone"


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": PHONE, "height": 844})
    yield context.new_page()
    context.close()


def test_staff_on_a_phone_in_spanish_import_yosemite_again_and_keep_one_yosemite(
    phone, live_server, celery_worker_process, staff, testdata
):
    # given the platform knows Yosemite from the NPS list
    import_protected_areas(
        DEMO_AREAS_FILE, field_map={"key": "unit_code", "name": "unit_name", "iso3": "iso3"}, source="nps"
    )
    yosemite = ProtectedArea.objects.get(key="nps:YOSE")
    assert yosemite.name == "Yosemite NP"
    SHOTS.mkdir(parents=True, exist_ok=True)

    # and staff on a phone, in Spanish
    browser_login(phone, staff.email)
    phone.context.add_cookies([{"name": "django_language", "value": "es", "url": live_server.url}])

    # when they upload the PAD-US file (Yosemite National Park, and the Yosemite Wilderness inside it)
    phone.goto("/areas/import/")
    expect(phone.locator("html")).to_have_attribute("lang", "es")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Importar áreas protegidas")
    _step(phone, "1-upload")
    phone.locator("input[type=file]").set_input_files(str(testdata / "padus-yosemite/padus_yosemite.geojson"))
    phone.get_by_role("button", name="Importar", exact=True).click()

    # then the worker reads it (the page refreshes until it is done); its columns are not WDPA's, so
    # the page asks for both fields it could not find, at once
    expect(phone.locator("#columns-title")).to_have_text("Columnas", timeout=WORKER_WAIT)
    expect(phone.locator("select[aria-invalid=true]")).to_have_count(2)
    _step(phone, "2-columns")
    phone.locator("#map-key").select_option("OBJECTID")
    phone.locator("#map-name").select_option("Unit_Nm")
    phone.get_by_role("button", name="Importar", exact=True).click()

    # and the new preview counts two areas to create and shows both records that look like Yosemite
    # NP: "update" is offered for the park, "keep both" for the wilderness (one area cannot be both)
    expect(phone.locator("#dry-run-title")).to_have_text("Lo que haría la importación", timeout=WORKER_WAIT)
    expect(phone.locator(".dry-run li").first).to_contain_text("2")
    _step(phone, "3-preview")
    park = phone.locator("fieldset.duplicate").filter(has_text="Yosemite National Park")
    wilderness = phone.locator("fieldset.duplicate").filter(has_text="Yosemite Wilderness Area")
    expect(park).to_contain_text("Yosemite NP")
    expect(wilderness.get_by_label("Conservar ambos")).to_be_checked()
    park.get_by_label("Actualizar el área existente").check()
    _step(phone, "4-choice")
    phone.get_by_role("button", name="Importar", exact=True).click()

    # and the import runs in the worker, and the page shows what it did
    expect(phone.locator("[data-job-status]")).to_have_text("Terminado", timeout=WORKER_WAIT)
    expect(phone.locator('[data-result="created"]')).to_have_text("1")
    expect(phone.locator('[data-result="updated"]')).to_have_text("1")
    # each word agreeing with its count, chosen by the page's script once the import is done
    expect(phone.locator('[data-result-word="created"]')).to_have_text("creada")
    expect(phone.locator('[data-result-word="rejected"]')).to_have_text("rechazadas")
    _step(phone, "5-result")

    # one Yosemite National Park: the area the platform had, updated by the park's record
    assert Job.objects.filter(kind="protected_area_import", status="done").count() == 1
    yosemite.refresh_from_db()
    assert (yosemite.name, yosemite.key) == ("Yosemite National Park", "padus_yosemite:199585")
    yosemites = ProtectedArea.objects.filter(name__startswith="Yosemite").order_by("name")
    assert list(yosemites.values_list("key", "name")) == [
        ("padus_yosemite:199585", "Yosemite National Park"),
        ("padus_yosemite:13076", "Yosemite Wilderness Area"),
    ]
