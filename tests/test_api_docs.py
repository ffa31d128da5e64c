"""The API documentation page renders from the platform's own files, and the favicon is served (issue 15).

Redoc used to come from a CDN that the page's own Content-Security-Policy refused, so /api/v1/docs/
was blank; the browser test opens the page in Chromium, with every request that would leave this
server refused and recorded, and reads the rendered operations.
"""

import re
from urllib.parse import urlsplit

import pytest
from django.templatetags.static import static
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def watched(page, live_server):
    """The page, with CSP refusals, script errors and requests to any other origin recorded."""
    own = urlsplit(live_server.url).netloc
    page.problems = []
    page.outside = []

    def route(r):
        if urlsplit(r.request.url).netloc == own:
            r.continue_()
        else:
            # never let the test reach the network; the request itself is the failure
            page.outside.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("pageerror", lambda exc: page.problems.append(str(exc)))
    page.on(
        "console",
        lambda msg: page.problems.append(msg.text) if msg.type == "error" or "Content Security" in msg.text else None,
    )
    return page


def test_the_api_documentation_renders_its_operations_from_local_files(watched):
    # when
    watched.goto("/api/v1/docs/")
    # then Redoc has drawn the operations of the schema (heading, description and path)
    expect(watched.get_by_role("heading", name="assessments_list")).to_be_visible(timeout=30_000)
    expect(watched.get_by_text("Assessments visible to you").first).to_be_visible()
    assert watched.get_by_text("/api/v1/assessments/").count() > 0
    watched.screenshot(path="var/screenshots/api-docs.png")
    # with nothing refused by the page's policy but the "API docs by Redocly" logo, which Redoc
    # always asks from its CDN (no option turns it off; it hides the image when refused); no
    # script error, and no request sent to any other server
    redocly_logo = "https://cdn.redoc.ly/redoc/logo-mini.svg"
    assert [p for p in watched.problems if redocly_logo not in p] == []
    assert watched.outside == []
    # the styles Redoc writes were admitted (a refused <style> has no sheet)
    assert watched.evaluate("Array.from(document.styleSheets).filter(s => s.ownerNode.tagName === 'STYLE').length") == 2


def test_every_page_names_the_favicon_and_the_browser_finds_it(watched):
    # when
    watched.goto("/")
    # then the page links the SVG mark, which is served, and /favicon.ico leads to it
    link = watched.locator('link[rel="icon"]')
    expect(link).to_have_attribute("href", static("img/favicon.svg"))
    expect(link).to_have_attribute("type", "image/svg+xml")
    icon = watched.request.get(static("img/favicon.svg"))
    assert icon.ok and "<svg" in icon.text()
    legacy = watched.request.get("/favicon.ico")
    assert legacy.ok and legacy.url.endswith(static("img/favicon.svg"))
    assert watched.problems == []


def test_favicon_ico_redirects_to_the_svg_mark(client):
    # when a browser asks the conventional address (not every page is ours: the admin, JSON)
    response = client.get("/favicon.ico")
    # then it is sent to the static mark, not answered 404
    assert response.status_code == 302
    assert response["Location"] == static("img/favicon.svg")


def test_only_the_documentation_page_admits_styles_it_writes_and_with_a_fresh_nonce(client):
    # when
    first, second = client.get("/api/v1/docs/"), client.get("/api/v1/docs/")
    home = client.get("/")
    # then the docs page's style-src names a nonce that its page carries and changes every time
    assert first.status_code == 200
    policies = [r["Content-Security-Policy"] for r in (first, second)]
    nonces = [re.search(r"'nonce-([^']+)'", p).group(1) for p in policies]
    assert nonces[0] != nonces[1]
    assert f'data-style-nonce="{nonces[0]}"'.encode() in first.content
    assert all("'unsafe-inline'" not in p.split("style-src-attr")[0] for p in policies)
    assert all("script-src 'self';" in p for p in policies)
    # and every other page keeps the strict site-wide policy
    assert "style-src 'self';" in home["Content-Security-Policy"]
    assert "nonce" not in home["Content-Security-Policy"]
    # and the page names no other server (drf-spectacular's own template loads Google Fonts)
    assert b"https://" not in first.content
