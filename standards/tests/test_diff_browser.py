"""The diff page in a real browser, at a desk and on a phone: a keeper compares a draft with the
version it came from and sees each change with its words marked, without sideways scrolling; the
translation state page too. Screenshots go to var/screenshots/ for review."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def _draft_with_changes(standard, keeper):
    """A draft where the first indicator is reworded in French and gains SDG 14, the second is
    reworded in English, the third's meaning changed, and the fourth's text carries markup."""
    from standards.content import content_of, create_version
    from standards.models import Standard

    data = content_of(standard)
    data["standard"]["version"] = "1.2"
    first, second, third, fourth = [i for c in data["components"] for k in c["criteria"] for i in k["indicators"]][:4]
    french = {**first["translations"].get("fr", {}), "text": "Texte révisé en français."}
    first["translations"] = {**first["translations"], "fr": french}
    first["sdgs"] = sorted({*first["sdgs"], 14})
    second["text"] = "The site's governance arrangements are written down, agreed and publicly available."
    third.update(
        lineage="GLS-new-meaning",
        title="A different question",
        text="Something else is now asked here.",
        translations={},  # a new meaning: not translated yet
    )
    fourth["text"] += " <script>document.title='pwned'</script>"
    return create_version(data, status=Standard.Status.DRAFT, by=keeper, based_on=standard)


def test_a_keeper_reads_the_diff_at_a_desk_and_on_a_phone(browser, live_server):
    from accounts.tests.factories import Role, make_user
    from standards.tests.factories import load_gls

    standard = load_gls()
    keeper = make_user(Role.STANDARD_COMMITTEE, email="keeper@example.org")
    draft = _draft_with_changes(standard, keeper)
    SHOTS.mkdir(parents=True, exist_ok=True)
    url = f"/standard/diff/?from={standard.pk}&to={draft.pk}"
    unchanged = standard.indicators.count() - 4  # three reworded, one whose meaning changed

    for width, height in ((1366, 900), (390, 844)):
        context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": height})
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc, errors=errors: errors.append(str(exc)))
        browser_login(page, keeper.email)
        page.goto(url)
        # the summary counts, each a filter link
        summary = page.locator(".diff-summary")
        assert summary.get_by_role("link", name="Reworded 3").is_visible()
        assert summary.get_by_role("link", name="Added 1").is_visible()
        assert summary.get_by_role("link", name="Removed 1").is_visible()
        # the changed meaning: the old one removed right before the new one, both labelled
        meaning = page.locator("article.diff-meaning")
        assert meaning.count() == 2
        assert "Removed" in meaning.nth(0).inner_text() and "Added" in meaning.nth(1).inner_text()
        assert meaning.nth(0).get_by_text("Meaning changed").is_visible()
        # the French words marked as added, the SDG too
        assert page.locator("ins", has_text="Texte révisé").first.is_visible()
        assert page.locator("dt", has_text="Related SDGs").first.is_visible()
        # markup in a text is shown as text, never run
        assert page.locator("ins", has_text="<script>").count() == 1
        assert page.title() != "pwned" and not errors
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(SHOTS / f"h5-diff-{width}.png"), full_page=width > 400)
        if width < 400:
            page.screenshot(path=str(SHOTS / f"h5-diff-{width}-full.png"), full_page=True)
        # unchanged indicators appear on request
        page.get_by_role("link", name=f"Show {unchanged} unchanged indicators").click()
        assert page.locator("article.diff-card-unchanged").count() == unchanged
        # and the French filter leaves out what changed in English only (the second and fourth)
        page.goto(url + "&lang=fr&status=reworded")
        assert page.locator("article.diff-card").count() == 1
        # the draft's translation state: a row per kind and field, the missing texts linked to their editor
        page.goto(f"/standard/versions/{draft.pk}/translations/")
        assert page.get_by_role("heading", name="French").is_visible()
        assert page.locator("table.translation-counts").first.is_visible()
        missing = page.locator("#lang-fr .missing-texts li")
        assert missing.count() == 1 and "A different question" in missing.inner_text()
        assert missing.get_by_role("link").get_attribute("href").endswith("/edit/")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(SHOTS / f"h5-translations-{width}.png"), full_page=True)
        context.close()
