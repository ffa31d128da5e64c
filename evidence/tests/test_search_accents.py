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
