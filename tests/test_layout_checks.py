"""The phone walk's word check (tests/layout_checks.WORDS) against the two layouts a UI review found at
390 px: a value beside a long label sized as max-content ("Me|ets", a letter a line) and words cut in a
narrow table cell ("Stan|dard"). Each is drawn once with the rules as they were, which the check must
catch, and once with the site's own stylesheets, which must give it nothing to say."""

from pathlib import Path

import pytest

from tests.layout_checks import WORDS

pytestmark = pytest.mark.browser

CSS = Path(__file__).resolve().parent.parent / "static" / "css"

# French labels are the long ones: the walk measures in French. The answer sits in an indicator's card,
# inside the page's padding: narrower than the phone.
MARKUP = """<main><div style="width: 240px">
<dl class="answer-readonly"><dt>Notation</dt><dd>Satisfait</dd>
<dt>Date de l'élément de preuve (facultative)</dt><dd>La structure de gouvernance est décrite dans le plan.</dd></dl>
</div><dl class="attributes"><dt>Organisme gestionnaire du site protégé</dt>
<dd>Yellowstone National Park Service</dd></dl>
<div class="table-scroll"><table class="table versions-table"><tr><td>GLS v1.1</td>
<td>Standard de la Liste verte</td><td>Publiée décembre 2026</td><td>Nouveau brouillon à partir de cette version</td>
<td>Nouveau brouillon à partir de cette version</td></tr></table></div>
</main>"""

RULES_AS_THEY_WERE = """
.answer-readonly { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: .25rem 1rem; }
.answer-readonly dd { margin: 0; overflow-wrap: anywhere; }
.versions-table td { overflow-wrap: anywhere; }
"""


def problems_with(browser, css: str) -> list[str]:
    context = browser.new_context(viewport={"width": 390, "height": 800})
    page = context.new_page()
    page.set_content(f"<!doctype html><html lang='fr'><head><style>{css}</style></head><body>{MARKUP}</body></html>")
    try:
        return page.evaluate(WORDS)
    finally:
        context.close()


def test_the_check_sees_squeezed_values_and_cut_words(browser):
    problems = problems_with(browser, RULES_AS_THEY_WERE)
    assert any("squeezed" in p and "Satisfait" in p for p in problems), problems
    assert any("is cut across" in p for p in problems), problems


def test_the_site_stylesheets_give_it_nothing_to_say(browser):
    css = "\n".join((CSS / name).read_text() for name in ("app.css", "assessment.css", "authoring.css"))
    assert problems_with(browser, css) == []
