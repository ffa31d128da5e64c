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
