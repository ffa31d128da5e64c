"""The Standard's texts on the pages that show them: in the reader's language where a translation
exists, in English marked "not translated" (class `untranslated`, `lang="en"`) where it does not,
and the wording note wherever an indicator's text is shown (GREENLIST.md: never present the
platform's words as IUCN's)."""

from __future__ import annotations

import re

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from assessments.selectors import assessment_page
from reviews.tests.factories import submitted_assessment
from standards.models import Criterion, Indicator, Wording
from standards.templatetags.standard_text import scale_options
from standards.texts import localized

pytestmark = pytest.mark.django_db

FR_TITLE = "Titre français de l’indicateur 1"
FR_TEXT = "Le site montre que l’indicateur 1 est rempli."
FR_MOV = "Procès-verbaux et plans"
FR_CRITERION = "Légitimité et voix"


@pytest.fixture
def assessment(area, site_manager, staff):
    """A submitted assessment of a 3-indicator Standard: indicator 1.1.1 translated into French,
    1.1.2 in English only, 1.1.3 waiting for IUCN's wording (the others paraphrased)."""
    assessment = submitted_assessment(area=area, manager=site_manager, staff=staff, n_indicators=3)
    standard = assessment.standard
    Indicator.objects.filter(standard=standard, number="1.1.1").update(
        translations={"fr": {"title": FR_TITLE, "text": FR_TEXT, "means_of_verification": [FR_MOV]}}
    )
    Indicator.objects.filter(standard=standard, number="1.1.3").update(wording=Wording.PENDING)
    Criterion.objects.filter(component__standard=standard, number="1.1").update(
        translations={"fr": {"title": FR_CRITERION}}
    )
    return assessment


def _block(body: str, start: str, end: str) -> str:
    """The page's text from the first `start` to the next `end` after it."""
    i = body.index(start)
    return body[i : body.index(end, i + len(start))]


def _untranslated(html: str, english: str) -> bool:
    """The English text stands in, said to be English and marked."""
    return bool(re.search(rf'lang="en">{re.escape(english)}(</span>)? <small class="untranslated">', html))


def _check_indicators(body: str, first: str, second: str, third: str) -> None:
    # given the blocks of the three indicators (`first` etc. open each block)
    one = _block(body, first, second)
    two = _block(body, second, third)
    three = body[body.index(third) :]
    # the translated indicator is in French, nothing marked
    assert FR_TITLE in one and FR_TEXT in one and FR_MOV in one
    assert "Indicator 1 title" not in one and "untranslated" not in one
    # the other shows English, in lang="en", marked as not translated
    assert _untranslated(two, "Indicator 2 title")
    assert _untranslated(two, "The site shows indicator 2 is met.")
    # the wording notes: paraphrase for the first two, pending for the third
    assert 'class="wording-note wording-paraphrase"' in one and 'class="wording-note wording-paraphrase"' in two
    assert 'class="wording-note wording-pending"' in three and "wording-paraphrase" not in three.split("</article>")[0]


def test_assessment_page_in_french(client, assessment, site_manager):
    client.force_login(site_manager)
    body = client.get(reverse("assessments:detail", args=[assessment.pk]), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert '<html lang="fr"' in body
    answers = {a.indicator.number: a.pk for a in assessment.answers.select_related("indicator")}
    _check_indicators(
        body, f'id="answer-{answers["1.1.1"]}"', f'id="answer-{answers["1.1.2"]}"', f'id="answer-{answers["1.1.3"]}"'
    )
    # the side list and the heading name the criterion in French; the component is marked
    toc = _block(body, '<nav class="toc"', "</nav>")
    assert FR_CRITERION in toc and _untranslated(toc, "Good governance")
    assert f"1.1: {FR_CRITERION}</h3>" in body


def test_assessment_page_in_english_has_no_marks(client, assessment, site_manager):
    client.force_login(site_manager)
    body = client.get(reverse("assessments:detail", args=[assessment.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Indicator 1 title" in body and FR_TITLE not in body
    assert 'class="untranslated"' not in body
    assert 'class="wording-note wording-pending"' in body


def test_review_page_in_french(client, assessment, staff):
    client.force_login(staff)
    response = client.get(reverse("reviews:review", args=[assessment.pk]), HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    body = response.content.decode()
    answers = {a.indicator.number: a.pk for a in assessment.answers.select_related("indicator")}
    _check_indicators(
        body,
        f'id="indicator-{answers["1.1.1"]}"',
        f'id="indicator-{answers["1.1.2"]}"',
        f'id="indicator-{answers["1.1.3"]}"',
    )


def test_standard_page_in_french(client, assessment):
    # the assessment's Standard is the newest published version: the one /standard/ shows
    body = client.get(reverse("standards:current"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    _check_indicators(body, 'id="indicator-1.1.1"', 'id="indicator-1.1.2"', 'id="indicator-1.1.3"')
    assert _untranslated(body, "Test Standard")  # the version's title has no French yet


def test_evidence_page_names_the_indicator_in_french(client, assessment, site_manager):
    client.force_login(site_manager)
    first = assessment.answers.get(indicator__number="1.1.1")
    body = client.get(
        reverse("evidence:answer-evidence", args=[assessment.pk, first.pk]), HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    assert FR_TITLE in _block(body, "<h1>", "</h1>")


def test_dossier_in_french(client, assessment, site_manager):
    client.force_login(site_manager)
    body = client.get(
        reverse("reports:dossier-preview", args=[assessment.pk]), HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    assert '<html lang="fr">' in body
    assert FR_TITLE in body and FR_CRITERION in body and _untranslated(body, "Indicator 2 title")
    assert 'class="wording-note wording-pending"' in body


def test_reports_page_names_components_in_the_readers_language(client, assessment, site_manager):
    from standards.models import Component

    Component.objects.filter(standard=assessment.standard).update(translations={"fr": {"title": "Bonne gouvernance"}})
    client.force_login(site_manager)
    body = client.get(reverse("reports:assessment", args=[assessment.pk]), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "1 Bonne gouvernance" in body
    body = client.get(reverse("reports:assessment", args=[assessment.pk]), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert _untranslated(body, "Good governance")


def test_localized_falls_back_to_english_and_says_so():
    indicator = Indicator(
        title="Title",
        text="",
        means_of_verification=["Plan"],
        translations={"fr": {"title": "Titre", "means_of_verification": ["  "]}, "es": {"title": "   "}},
    )
    # a translation is used, and is "translated"
    assert localized(indicator, "title", "fr") == localized(indicator, "title", "fr-ca")
    text = localized(indicator, "title", "fr")
    assert (text.value, text.language, text.translated) == ("Titre", "fr", True)
    # a blank translation (or a list of blanks) is no translation: English stands in, untranslated
    for language, field in (("es", "title"), ("fr", "means_of_verification")):
        text = localized(indicator, field, language)
        assert text.language == "en" and not text.translated
    assert localized(indicator, "means_of_verification", "fr").value == ["Plan"]
    # an empty English text is not "untranslated": there is nothing to translate
    assert localized(indicator, "text", "fr").translated
    # English is always itself; the default language is the active one
    assert localized(indicator, "title", "en").translated
    with translation.override("fr"):
        assert str(localized(indicator, "title")) == "Titre"


def test_tags_escape_and_mark():
    indicator = Indicator(
        title="<b>T</b>",
        text="line one\nline two",
        means_of_verification=["<i>x</i>"],
        wording=Wording.OFFICIAL,
        translations={},
    )
    template = Template(
        '{% load standard_text %}{% std obj "title" %}|{% std obj "text" breaks=True %}|'
        '{% std_list obj "means_of_verification" %}|{% std_text obj "title" %}|{% wording_note obj %}|'
        '{% std none "title" %}'
    )
    with translation.override("fr"):
        html = template.render(Context({"obj": indicator, "none": None}))
    title, text, mov, plain, note, nothing = html.split("|")
    assert title.startswith('<span lang="en">&lt;b&gt;T&lt;/b&gt;</span> <small class="untranslated">')
    assert text.startswith('<p lang="en">line one<br>line two <small class="untranslated">')
    assert '<ul class="mov-list" lang="en"><li>&lt;i&gt;x&lt;/i&gt;</li></ul>' in mov
    assert plain == "&lt;b&gt;T&lt;/b&gt;"  # plain text, still escaped by the template
    assert note == "" and nothing == ""  # official wording: no note; no row: nothing
    indicator.wording = Wording.PENDING
    with translation.override("en"):
        assert "Wording pending the official text" in Template("{% load standard_text %}{% wording_note i %}").render(
            Context({"i": indicator})
        )


def test_the_rating_scale_speaks_the_readers_language_where_the_version_has_it(client, assessment, site_manager, staff):
    # given a scale whose "meets" has French words and whose other ratings do not
    standard = assessment.standard
    scale = [dict(r) for r in standard.rating_scale]
    scale[0]["translations"] = {"fr": {"label": "Satisfait", "description": "Pleinement satisfait."}}
    scale[1]["description"] = "Some of it is met."
    scale[2]["translations"] = {"fr": {"label": "   "}}  # blank: not a translation, as for every other text
    type(standard).objects.filter(pk=standard.pk).update(rating_scale=scale)
    # the site's own rating on the review page and the Standard's page read French where they can
    client.force_login(staff)
    review = client.get(f"/reviews/assessments/{assessment.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert ">Satisfait</p>" in review
    page = client.get("/standard/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    english = client.get("/standard/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<dt>Satisfait</dt><dd>Pleinement satisfait.</dd>" in page
    assert "<dt>Meets</dt>" in english
    assert standard.localized_scale("es")[0]["label"] == standard.rating_scale[0]["label"]  # falls back
    # and English standing in is said to be English, and marked where a mark fits, as the other texts are
    second = scale[1]
    assert (
        f'<dt><span lang="en">{second["label"]}</span> <small class="untranslated">(non traduit)</small></dt>' in page
    )
    assert (
        f'<dd><span lang="en">{second["description"]}</span> <small class="untranslated">(non traduit)</small></dd>'
        in page
    )
    assert 'class="untranslated"' not in english.split('<dl class="scale">')[1].split("</dl>")[0]
    # the site manager's rating select (the assessment page's scale): an option cannot hold the mark, so
    # one whose label is English says so
    with translation.override("fr"):
        shown = assessment_page(type(assessment).objects.get(pk=assessment.pk), site_manager)["scale"]
        options = scale_options(shown, scale[0]["code"])
    assert f'<option value="{scale[0]["code"]}" selected>Satisfait</option>' in options
    assert f'<option value="{second["code"]}" lang="en">{second["label"]}</option>' in options
    # and the scoring's inputs (hashed to know when to score again) hold no more than before
    standard.refresh_from_db()
    assert standard.localized_scale("fr")[1] == standard.rating_scale[1]
    assert standard.localized_scale("fr")[2]["label"] == scale[2]["label"]


def test_the_standards_counts_and_headings_read_as_french(client, assessment):
    # given the Standard the public page shows, counted from the database
    standard = assessment.standard
    components = list(standard.components.order_by("position"))
    criteria = Criterion.objects.filter(component__standard=standard).count()
    indicators = Indicator.objects.filter(criterion__component__standard=standard).count()
    body = client.get(reverse("standards:current"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    def counted(n, one, many):
        return f"{n} {one if n <= 1 else many}"  # French: 0 and 1 take the singular

    # then each count agrees with its own number ("1 composantes, 1 critères" before)
    words = (
        counted(len(components), "composante", "composantes"),
        counted(criteria, "critère", "critères"),
        counted(indicators, "indicateur générique", "indicateurs génériques"),
    )
    assert ", ".join(words) in body, words
    # and a heading's colon is French ("Composante 1 :" with its non-breaking space, not "Composante 1:")
    assert f"Composante {components[0].number}\xa0: " in body
    assert f"Composante {components[0].number}: " not in body
