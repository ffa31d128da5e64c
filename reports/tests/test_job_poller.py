"""The one job poller (static/js/job.js) end to end, on a phone-sized screen: a real browser starts an
import and an export, a real Celery worker runs them, and the pages follow them through the API to
their result (or their error) without a reload.

The worker starts only once the pages show their jobs queued: a fast job would otherwise be finished
before its page is drawn, and the page would show the result without the poller's help."""

import pytest
from playwright.sync_api import expect

from conftest import browser_login, start_celery_worker, stop_celery_worker

pytestmark = [pytest.mark.browser, pytest.mark.worker]
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(page):
    page.set_viewport_size(PHONE)
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # (the browser's own request for /favicon.ico, which the site does not serve, is no script error)
    page.on(
        "console",
        lambda msg: (
            errors.append(msg.text)
            if msg.type == "error" and not msg.location.get("url", "").endswith("/favicon.ico")
            else None
        ),
    )
    page.errors = errors
    return page


@pytest.fixture
def start_worker(transactional_db, tmp_path):
    """Start a real worker when the test says so (stopped at the end)."""
    procs = []
    yield lambda: procs.append(start_celery_worker(tmp_path / "worker.log"))
    for proc in procs:
        stop_celery_worker(proc)


def _queued(page, box):
    expect(page.locator(box)).to_have_attribute("data-job-state", "queued")
    expect(page.locator(f"{box} [data-job-status]")).to_have_text("Queued")


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_an_import_is_followed_to_its_summary_or_its_error(phone, staff, testdata, start_worker, tmp_path):
    page = phone
    browser_login(page, staff.email)
    broken = tmp_path / "broken.geojson"
    broken.write_text("not json at all")

    # when staff upload a real WDPA GeoPackage, and, in a second tab, a file that cannot be read
    pages = {}
    for name, path in (("laos", testdata / "wdpa-mapme-samples/wdpa_laos.gpkg"), ("broken", broken)):
        tab = page if name == "laos" else page.context.new_page()
        tab.on("pageerror", lambda exc: page.errors.append(str(exc)))
        tab.set_viewport_size(PHONE)
        tab.goto("/areas/import/")
        tab.set_input_files("input[type=file]", str(path))
        tab.get_by_label("Preview first").uncheck()  # straight to the import: the poller is the point here
        with tab.expect_navigation():
            tab.get_by_role("button", name="Import").click()
        _queued(tab, "#import-job")
        pages[name] = tab
    start_worker()

    # then the status page follows the worker to the summary, with no reload
    page = pages["laos"]
    expect(page.locator("#import-job")).to_have_attribute("data-job-state", "done", timeout=90000)
    expect(page.locator("[data-job-status]")).to_have_text("Done")
    expect(page.locator("[data-job-status]")).to_have_class("status-pill status-done")
    expect(page.locator('[data-result="created"]')).to_have_text("2")
    expect(page.locator("[data-job-errors-empty]")).to_be_visible()
    expect(page.locator("[data-job-running]")).to_be_hidden()
    assert _fits(page)

    # and the other ends in its reason, in the page's words
    page = pages["broken"]
    expect(page.locator("#import-job")).to_have_attribute("data-job-state", "failed", timeout=90000)
    expect(page.locator("[data-job-status]")).to_have_text("Failed")
    expect(page.locator("[data-job-error]")).to_contain_text("Could not read broken.geojson")
    expect(page.locator("[data-job-done]")).to_be_hidden()
    assert _fits(page)
    assert phone.errors == []


@pytest.fixture
def live_assessment(transactional_db, site_manager, staff, area):
    from assessments.services import assessment_create
    from assessments.workflow import transition
    from eligibility.tests.factories import make_eligible
    from standards.tests.factories import load_gls

    load_gls()
    a = assessment_create(protected_area=area, user=site_manager, year=2026)
    make_eligible(a, staff=staff)
    transition(a, "candidate", by=staff, note="eligible")
    return a


def test_an_export_is_followed_to_its_download(phone, live_assessment, site_manager, start_worker):
    page = phone
    browser_login(page, site_manager.email)

    # when the site manager asks for the Excel file
    page.goto(f"/reports/assessments/{live_assessment.pk}/")
    page.select_option("#export-format", "xlsx")
    with page.expect_navigation():
        page.get_by_role("button", name="Prepare").click()
    _queued(page, "#export-job")
    start_worker()

    # then the job page follows the worker until the download link shows, and it downloads
    expect(page.locator("#export-job")).to_have_attribute("data-job-state", "done", timeout=90000)
    expect(page.locator("[data-job-status]")).to_have_text("Done")
    link = page.locator("a[data-job-download]")
    expect(link).to_be_visible()
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.endswith(".xlsx")
    assert _fits(page)
    assert page.errors == []
