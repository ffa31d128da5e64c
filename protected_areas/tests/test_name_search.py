"""Protected-area name search ignores case, accents and marks (issue 19): Vietnamese (Đ/đ and
stacked tone marks), French and Spanish names, on the list page, the API and the site picker, by
one trigram index (the plan must use it, or a whole WDPA release is a sequential scan)."""

import unicodedata

import pytest
from django.db import connection
from django.urls import reverse

from protected_areas.models import ProtectedArea
from protected_areas.search import with_name_containing
from protected_areas.tests.factories import ProtectedAreaFactory
from stakeholders.selectors import sites_matching

NAMES = {
    "phong": dict(name="Phong Điền", name_eng="Phong Dien Nature Reserve"),
    "danang": dict(name="Bán đảo Sơn Trà", orig_name="Đà Nẵng Sơn Trà"),
    "cevennes": dict(name="Cévennes", orig_name="Parc national des Cévennes"),
    "cote": dict(name="Côte d'Ivoire Forêt Classée"),
    "donana": dict(name="Doñana", orig_name="Parque Nacional de Doñana"),
    "percent": dict(name="Réserve 100% Nature"),
}


@pytest.fixture
def areas(db):
    return {key: ProtectedAreaFactory(**fields) for key, fields in NAMES.items()}


def found(text: str) -> set[str]:
    return set(with_name_containing(ProtectedArea.objects.all(), text).values_list("name", flat=True))


@pytest.mark.parametrize(
    "query, expected",
    [
        ("Phong Dien", "Phong Điền"),  # Đ/đ: not a mark on D but a letter of its own, folded to D
        ("PHONG ĐIỀN", "Phong Điền"),
        ("điên", "Phong Điền"),  # another tone mark on the same letters
        ("da nang", "Bán đảo Sơn Trà"),  # through the original name
        ("son tra", "Bán đảo Sơn Trà"),
        ("cevennes", "Cévennes"),
        ("COTE D'IVOIRE foret", "Côte d'Ivoire Forêt Classée"),
        ("donana", "Doñana"),
        ("Doñana", "Doñana"),
    ],
)
def test_accents_case_and_letters_are_ignored(areas, query, expected):
    assert found(query) == {expected}


def test_decomposed_input_finds_composed_names(areas):
    # A phone or a Mac may send "e" + combining marks rather than "ề".
    assert found(unicodedata.normalize("NFD", "Điền")) == {"Phong Điền"}


def test_like_wildcards_in_the_query_are_literal(areas):
    assert found("100%") == {"Réserve 100% Nature"}
    assert found("%") == {"Réserve 100% Nature"}
    assert found("_") == set()


def test_list_page_api_and_site_picker_use_it(client, api_client, areas):
    page = client.get(reverse("protected_areas:list"), {"q": "phong dien"})
    assert page.status_code == 200 and "Phong Điền" in page.content.decode()
    rows = api_client.get(reverse("protected-area-list"), {"q": "DONANA"}).json()
    assert [feature["properties"]["name"] for feature in rows["features"]] == ["Doñana"]
    assert [area.name for area in sites_matching("cote d'ivoire")] == ["Côte d'Ivoire Forêt Classée"]


def test_the_search_uses_the_trigram_index(areas):
    sql, params = with_name_containing(ProtectedArea.objects.order_by(), "phong dien").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a few rows: make the planner show it can use it
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "pa_search_text_trgm" in plan, plan
