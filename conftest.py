"""Shared fixtures: fixed test users per role, a real Celery worker, a real browser.

Tests run against the real PostGIS database and the real Redis (see greenlist/settings_test.py).
"""

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses to run in
# a thread with a running loop unless told it is safe (it is: the loop is Playwright's, not ours).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from tests import flush  # noqa: E402

# After each test that commits, the flush empties the tables that hold rows, mostly by DELETE
# (tests/flush.py says why).
flush.install()

ROOT = Path(__file__).resolve().parent
TESTDATA = Path(os.environ.get("GREENLIST_TESTDATA", ROOT.parent / "shared" / "testdata"))
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture
def testdata() -> Path:
    if not TESTDATA.is_dir():
        pytest.fail(f"real test data not found at {TESTDATA} (set GREENLIST_TESTDATA)")
    return TESTDATA


# --- people -------------------------------------------------------------------------------------


@pytest.fixture
def area(db):
    from protected_areas.tests.factories import ProtectedAreaFactory

    return ProtectedAreaFactory(name="Phong Dien Test Reserve")


@pytest.fixture
def other_area(db):
    from protected_areas.tests.factories import ProtectedAreaFactory

    return ProtectedAreaFactory(name="Another Reserve", iso3=["LAO"], parent_iso3=["LAO"])


@pytest.fixture
def jurisdiction(db):
    from standards.models import Jurisdiction

    return Jurisdiction.objects.get_or_create(code="vn", defaults={"name": "Viet Nam", "countries": ["VNM"]})[0]


@pytest.fixture
def site_manager(area):
    from accounts.tests.factories import Role, make_user

    return make_user(Role.SITE_MANAGER, email="manager@example.org", protected_area=area)


@pytest.fixture
def other_manager(other_area):
    from accounts.tests.factories import Role, make_user

    return make_user(Role.SITE_MANAGER, email="other-manager@example.org", protected_area=other_area)


@pytest.fixture
def expert(jurisdiction):
    from accounts.tests.factories import Role, make_user

    return make_user(Role.EXPERT, email="expert@example.org", jurisdiction=jurisdiction)


@pytest.fixture
def reviewer(db):
    from accounts.tests.factories import Role, make_user

    return make_user(Role.INDEPENDENT_REVIEWER, email="reviewer@example.org")


@pytest.fixture
def staff(db):
    from accounts.tests.factories import Role, make_user

    return make_user(Role.IUCN_STAFF, email="staff@example.org")


@pytest.fixture
def admin_user(db):
    from accounts.tests.factories import Role, make_user

    return make_user(Role.ADMINISTRATOR, email="admin@example.org")


@pytest.fixture
def outsider(db):
    from accounts.tests.factories import make_user

    return make_user(None, email="outsider@example.org")


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


# --- a real Celery worker -----------------------------------------------------------------------


def _test_database_url() -> str:
    from django.db import connection

    s = connection.settings_dict
    return f"postgis://{s['USER']}:{s['PASSWORD']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def start_celery_worker(log_path: Path, queues: str = "", extra: tuple[str, ...] = ()) -> subprocess.Popen:
    """Start a real `celery worker` process on the test queues (all of them unless `queues` names
    some, comma-separated), connected to the test database, and wait until it answers a ping."""
    from django.conf import settings

    from greenlist.celery import app

    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="greenlist.settings_test",
        DATABASE_URL=_test_database_url(),
        MEDIA_ROOT=str(settings.MEDIA_ROOT),
        EVIDENCE_ROOT=str(settings.EVIDENCE_ROOT),
    )
    hostname = f"test-worker-{os.getpid()}-{time.monotonic_ns()}@localhost"
    with open(log_path, "ab") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "greenlist",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "-Q",
                # Every queue by kind (greenlist/queues.py), each named after this run's default queue.
                queues or ",".join(settings.GREENLIST_QUEUES.values()),
                "-n",
                hostname,
                "--without-gossip",
                "--without-mingle",
                *extra,
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"celery worker exited early:\n{log_path.read_text()}")
        if app.control.ping(destination=[hostname], timeout=0.5):
            break
    else:
        proc.kill()
        pytest.fail(f"celery worker did not answer:\n{log_path.read_text()}")
    proc.log_path = log_path
    proc.hostname = hostname
    return proc


def stop_celery_worker(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture
def celery_worker_process(transactional_db, tmp_path):
    """A real `celery worker` process on the test queue, connected to the test database."""
    from greenlist.celery import app

    app.control.purge()  # nothing left from an earlier test
    proc = start_celery_worker(tmp_path / "worker.log")
    yield proc
    stop_celery_worker(proc)


# --- a real browser -----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: make test installs Debian's chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server, request):
    """A fresh browser page; a screenshot is saved under var/screenshots when the test fails."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    yield pg
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        out = ROOT / "var" / "screenshots"
        out.mkdir(parents=True, exist_ok=True)
        pg.screenshot(path=str(out / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """A test that drives Chromium is a browser test, marked or not: it runs in the slow group
    (scripts/test.sh), beside the rest, not in it (the remote review journey ran there unmarked).
    Before `-m` selects (tryfirst), so the mark counts for the selection."""
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):  # the `page` fixture uses it too
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.rep_call = report
    return report


def browser_login(page, email, password=None):
    from accounts.tests.factories import DEFAULT_PASSWORD

    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password or DEFAULT_PASSWORD)
    # the form always navigates (to the next page, or back with the error): wait for that
    # navigation itself rather than for the load state of the page being left
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()


def open_indicator_details(page, answer_pk, *, ask=False):
    """On the review page, open an indicator's "Evidence · Questions" and wait for them to load (they come
    from a fragment when opened, issue 19); with `ask`, open the form asking the site a question too."""
    page.locator(f"#indicator-{answer_pk} details.row-details > summary").click()
    page.wait_for_selector(f"#details-{answer_pk}[data-loaded='1']")
    if ask:
        page.locator(f"#indicator-{answer_pk} details.ask > summary").click()


@pytest.fixture(autouse=True)
def _forget_login_failures():
    """Login throttling lives in Redis: each test starts with a clean record."""
    yield
    import redis
    from django.conf import settings

    client = redis.Redis.from_url(settings.REDIS_URL)
    for key in client.scan_iter(match="*login-fail:*", count=500):
        client.delete(key)
