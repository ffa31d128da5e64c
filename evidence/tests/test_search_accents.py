"""Evidence full-text search ignores accents (issue 19): words are folded by the same rules when
the vector is written and when the query is parsed (text search configuration greenlist_search)."""

import pytest

from evidence.models import EvidenceFacts, EvidenceItem
from evidence.search import search_evidence, update_search_vectors

TEXTS = {
    "Báo cáo Phong Điền": "Khảo sát đa dạng sinh học tại khu bảo tồn Đà Nẵng",
    "Relevé forêt": "Inventaire des espèces protégées, forêt domaniale",
    "Informe Doñana": "Censo de aves acuáticas en la marisma",
}


@pytest.fixture
def items(arezzo_assessment, arezzo_team):
    made = {}
    for title, text in TEXTS.items():
        item = EvidenceItem.objects.create(
            assessment=arezzo_assessment,
            title=title,
            file=f"evidence/{len(made)}.txt",
            original_filename=f"{len(made)}.txt",
            size=10,
            uploaded_by=arezzo_team,
            processing_status="ready",
        )
        EvidenceFacts.objects.create(item=item, text=text)
        made[title] = item
    update_search_vectors([item.pk for item in made.values()])
    return made


@pytest.mark.parametrize(
    "query, title",
    [
        ("phong dien", "Báo cáo Phong Điền"),
        ("ĐIỀN", "Báo cáo Phong Điền"),
        ("da nang", "Báo cáo Phong Điền"),  # in the text; Đ folded to D
        ("foret especes", "Relevé forêt"),
        ("releve", "Relevé forêt"),
        ("donana", "Informe Doñana"),
        ("acuaticas", "Informe Doñana"),
    ],
)
def test_accents_are_ignored(items, arezzo_assessment, arezzo_team, query, title):
    assert [item.title for item in search_evidence(arezzo_assessment, arezzo_team, query)] == [title]


def test_the_highlight_marks_the_accented_word(items, arezzo_assessment, arezzo_team):
    (result,) = search_evidence(arezzo_assessment, arezzo_team, "dien")
    assert "\u27e6Điền\u27e7" in result.title_snippet


def add_items(assessment, uploader, titles: list[str], text: str = "", **fields) -> list[EvidenceItem]:
    made = []
    for n, title in enumerate(titles):
        item = EvidenceItem.objects.create(
            assessment=assessment,
            title=title,
            file=f"evidence/extra-{assessment.pk}-{n}.txt",
            original_filename=f"extra-{n}.txt",
            size=10,
            uploaded_by=uploader,
            processing_status="ready",
            **fields,
        )
        EvidenceFacts.objects.create(item=item, text=text)
        made.append(item)
    update_search_vectors([item.pk for item in made])
    return made


def test_another_assessments_evidence_is_never_found(items, arezzo_assessment, arezzo_team, make_assessment, area):
    # given the same words in the evidence of another site's assessment, which this team cannot see
    from accounts.tests.factories import Role, make_user

    other_team = make_user(Role.SITE_MANAGER, email="other-site@example.org", protected_area=area)
    other = make_assessment(area, other_team)
    add_items(other, other_team, ["Báo cáo Phong Điền, other site"])
    # when either team searches its own assessment
    mine = [i.title for i in search_evidence(arezzo_assessment, arezzo_team, "phong dien")]
    theirs = [i.title for i in search_evidence(other, other_team, "phong dien")]
    # then each sees only its own
    assert mine == ["Báo cáo Phong Điền"] and theirs == ["Báo cáo Phong Điền, other site"]


def test_the_search_page_shows_twenty_results_a_page(client, arezzo_assessment, arezzo_team):
    from django.urls import reverse

    add_items(arezzo_assessment, arezzo_team, [f"Relevé de terrain {n:02d}" for n in range(25)])
    client.force_login(arezzo_team)
    url = reverse("evidence:search", args=[arezzo_assessment.pk])
    first = client.get(url, {"q": "releve"})
    html = first.content.decode()
    assert first.status_code == 200 and len(first.context["results"]) == 20
    assert "Results 1–20" in html and "page=2" in html
    second = client.get(url, {"q": "releve", "page": "2"})
    assert len(second.context["results"]) == 5 and "Results 21–25" in second.content.decode()
    shown = {i.pk for i in first.context["results"]} | {i.pk for i in second.context["results"]}
    assert len(shown) == 25  # every match once, across the pages
    bad = client.get(url, {"q": "releve", "page": "0"})
    assert bad.status_code == 400 and bad.context["error"]


def test_a_snippet_comes_from_a_window_of_a_long_text(arezzo_assessment, arezzo_team):
    # given a long report whose only match is far past the headline window's length
    from evidence.search import HEADLINE_WINDOW

    filler = "survey of the wetland birds and patrol report " * (3 * HEADLINE_WINDOW // 46)
    add_items(arezzo_assessment, arezzo_team, ["Long report"], text=filler + "Mangrove forêt seedlings counted")
    # when the words are searched as they are written, the snippet is around them, marked
    (found,) = search_evidence(arezzo_assessment, arezzo_team, "-nothing MANGROVE seedlings")
    assert "\u27e6Mangrove\u27e7" in found.snippet and "\u27e6seedlings\u27e7" in found.snippet
    # and when typed without the accent, the item is still found (the whole text's vector) with a
    # snippet from the start of the text
    (found,) = search_evidence(arezzo_assessment, arezzo_team, "foret")
    assert found.snippet.startswith("survey") and "\u27e6" not in found.snippet
