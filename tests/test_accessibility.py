"""Main pages checked with axe-core (served from the repository, injected by the test) for serious
accessibility violations. New pages join by adding their URL to PAGES."""

from pathlib import Path

import pytest

from conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"

# (who is logged in, URL)
PAGES = [
    (None, "/"),
    (None, "/accounts/login/"),
    ("site_manager", "/"),
    ("staff", "/"),
    ("staff", "/accounts/invitations/"),
    # the public end of the journeys (tests/journeys): the Green List and certificate verification
    (None, "/green-list/"),
    (None, "/verify/"),
    (None, "/areas/"),
    (None, "/standard/"),
    ("site_manager", "/assessments/"),
    ("expert", "/reviews/"),
    ("staff", "/certification/"),
]


def serious_violations(browser, live_server, who_email, url):
    # axe is injected as an inline script: this context alone bypasses the site's CSP to allow it.
    context = browser.new_context(base_url=live_server.url, bypass_csp=True)
    page = context.new_page()
    try:
        if who_email:
            browser_login(page, who_email)
        page.goto(url)
        page.add_script_tag(path=str(AXE))
        results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    finally:
        context.close()
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


@pytest.mark.parametrize("who,url", PAGES)
def test_page_has_no_serious_accessibility_violations(request, browser, live_server, who, url):
    email = request.getfixturevalue(who).email if who else None
    assert serious_violations(browser, live_server, email, url) == []


def test_the_check_itself_catches_a_serious_violation(browser, live_server):
    context = browser.new_context(base_url=live_server.url, bypass_csp=True)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.evaluate("() => { const b = document.createElement('button'); document.querySelector('main').append(b); }")
    page.add_script_tag(path=str(AXE))
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    context.close()
    assert "button-name" in {v["id"] for v in results["violations"]}


# Pages with tables and forms, with a row of data in them, at a phone's width (issue 15).
PHONE_PAGES = [
    ("staff", "/"),
    ("staff", "/areas/"),
    ("staff", "/assessments/"),
    ("staff", "/certification/"),
    ("staff", "/accounts/invitations/"),
    ("site_manager", "/assessments/"),
    ("site_manager", "/assessments/{assessment}/"),
    ("site_manager", "/reports/assessments/{assessment}/"),
    (None, "/green-list/"),
    (None, "/areas/"),
]


def test_pages_fit_a_phone_a_tablet_and_a_laptop_without_sideways_scrolling(
    request, browser, live_server, area, site_manager, staff
):
    # given a site with an assessment (so the lists have rows), on a phone, a tablet and a laptop screen
    from assessments.services import assessment_create
    from assessments.workflow import transition
    from eligibility.tests.factories import make_eligible
    from standards.tests.factories import load_gls

    load_gls()
    assessment = assessment_create(protected_area=area, user=site_manager, year=2026)
    make_eligible(assessment, staff=staff)
    transition(assessment, "candidate", by=staff)
    wide = []
    for who in sorted({w or "" for w, _ in PHONE_PAGES}):
        who = who or None
        context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
        page = context.new_page()
        if who:
            browser_login(page, request.getfixturevalue(who).email)
        for _, url in (row for row in PHONE_PAGES if row[0] == who):
            for screen in (390, 768, 1366):
                # Loaded at each width (not resized after): charts size themselves once, on load.
                page.set_viewport_size({"width": screen, "height": 844})
                page.goto(url.format(assessment=assessment.pk))
                page.wait_for_load_state("load")
                width = page.evaluate("document.documentElement.scrollWidth")
                if width > screen:
                    wide.append(f"{who or 'anonymous'} {url} at {screen} px: {width} px")
        context.close()
    # then none is wider than the screen (tables scroll inside their own box)
    assert wide == []


def test_on_a_phone_the_header_is_one_line_and_the_menu_opens_from_its_button(browser, live_server, staff):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    browser_login(page, staff.email)
    page.goto("/")
    header = page.locator(".site-header")
    toggle = page.get_by_role("button", name="Menu")
    # the links are folded away: the header is the brand and the button
    assert header.bounding_box()["height"] < 80
    assert not page.get_by_role("link", name="Invitations").is_visible()
    assert toggle.get_attribute("aria-expanded") == "false"
    # the button opens the menu; Escape folds it again and gives the focus back to the button
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    page.get_by_role("link", name="Invitations").click()
    assert page.url.endswith("/accounts/invitations/")
    page.get_by_role("button", name="Menu").click()
    page.keyboard.press("Escape")
    assert not page.get_by_role("link", name="Invitations").is_visible()
    assert page.evaluate("document.activeElement.classList.contains('menu-toggle')")
    # on a laptop the button is not there and the links are
    page.set_viewport_size({"width": 1366, "height": 800})
    assert not page.get_by_role("button", name="Menu").is_visible()
    assert page.get_by_role("link", name="Invitations").is_visible()
    context.close()
