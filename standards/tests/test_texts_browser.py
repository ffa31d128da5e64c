"""The Standard's texts in French in a real browser on a phone: the Standard page and an assessment
page show the French where it exists, English marked "not translated" where it does not, and the
wording note, without sideways scrolling. Screenshots go to var/screenshots/ for review."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def _translate_some(standard) -> None:
    """French for the first component, its first criterion and the first two indicators; the
    third indicator waits for IUCN's wording."""
    from standards.models import Component, Criterion, Indicator, Standard, Wording

    # from a known state, whatever the shipped file translates and marks today
    Standard.objects.filter(pk=standard.pk).update(translations={})
    Component.objects.filter(standard=standard).update(translations={})
    Criterion.objects.filter(component__standard=standard).update(translations={})
    Indicator.objects.filter(standard=standard).update(translations={}, wording=Wording.PARAPHRASE)
    component = Component.objects.filter(standard=standard).order_by("position").first()
    Component.objects.filter(pk=component.pk).update(translations={"fr": {"title": "Bonne gouvernance"}})
    criterion = Criterion.objects.filter(component=component).order_by("position").first()
    Criterion.objects.filter(pk=criterion.pk).update(
        translations={"fr": {"title": "Garantir la légitimité et la voix"}}
    )
    first, second, third = Indicator.objects.filter(criterion=criterion).order_by("position")[:3]
    Indicator.objects.filter(pk=first.pk).update(
        translations={
            "fr": {
                "title": "Droits et parties prenantes identifiés",
                "text": "Les détenteurs de droits et les parties prenantes sont identifiés et leurs intérêts connus.",
                "means_of_verification": ["Registre des parties prenantes", "Procès-verbaux de réunions"],
            }
        }
    )
    Indicator.objects.filter(pk=second.pk).update(translations={"fr": {"title": "Participation à la gouvernance"}})
    Indicator.objects.filter(pk=third.pk).update(wording=Wording.PENDING)


def _on_a_phone(browser, live_server, email=None):
    """A phone's browser asking for French (after logging in: the login helper reads English labels)."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    if email:
        browser_login(page, email)
    page.set_extra_http_headers({"Accept-Language": "fr"})
    return context, page


def test_standard_and_assessment_pages_in_french_on_a_phone(browser, live_server, area, site_manager, staff):
    # given the shipped Standard, partly translated, and an assessment of a site against it
    from assessments.services import assessment_create
    from standards.tests.factories import load_gls

    standard = load_gls()
    _translate_some(standard)
    assessment = assessment_create(protected_area=area, user=site_manager, year=2026)
    SHOTS.mkdir(parents=True, exist_ok=True)

    # when anyone reads the Standard in French on a phone
    context, page = _on_a_phone(browser, live_server)
    page.goto("/standard/")
    # then the translated texts are French, the rest English with a visible mark, and the notes show
    assert page.locator("h2", has_text="Bonne gouvernance").count() == 1
    first = page.locator("article.indicator-guidance").first
    assert "Droits et parties prenantes identifiés" in first.inner_text()
    assert first.locator(".untranslated").count() == 0
    assert first.locator(".wording-note").is_visible()
    assert page.locator(".wording-note.wording-pending").first.is_visible()
    assert page.locator("article.indicator-guidance").nth(3).locator(".untranslated").first.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(SHOTS / "standard-texts-fr-390.png"), full_page=False)
    page.locator("#indicator-1\\.1\\.1").evaluate("e => e.scrollIntoView({block: 'start'})")
    page.screenshot(path=str(SHOTS / "standard-texts-fr-390-indicators.png"))
    context.close()

    # and the site team's assessment page says the same
    context, page = _on_a_phone(browser, live_server, site_manager.email)
    page.goto(f"/assessments/{assessment.pk}/")
    article = page.locator("article.indicator").first
    assert "Droits et parties prenantes identifiés" in article.locator("h4").inner_text()
    assert "Procès-verbaux de réunions" in article.inner_text()
    # French typography: a space (no-break) before the colon, as on the Standard's page
    assert article.locator(".mov strong").inner_text().replace("\u00a0", " ") == "Moyens de vérification :"
    # the save status is one line across the bottom of a phone, not a pill over the buttons
    status = page.locator(".save-status").bounding_box()
    assert status is not None and status["width"] == 390 and status["height"] < 40
    second = page.locator("article.indicator").nth(1)
    assert "Participation à la gouvernance" in second.locator("h4").inner_text()
    assert second.locator(".guidance > p[lang=en] .untranslated").is_visible()  # its text is English
    assert page.locator("nav.toc").get_by_text("Garantir la légitimité et la voix").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    article.evaluate("e => e.scrollIntoView({block: 'start'})")
    page.screenshot(path=str(SHOTS / "assessment-texts-fr-390.png"))
    second.evaluate("e => e.scrollIntoView({block: 'start'})")
    page.screenshot(path=str(SHOTS / "assessment-texts-fr-390-second.png"))
    context.close()
