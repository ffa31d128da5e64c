"""Protected-area name search ignores case, accents and marks (issue 19): Vietnamese (Đ/đ and
stacked tone marks), French and Spanish names, on the list page, the API and the site picker, by
one trigram index (the plan must use it, or a whole WDPA release is a sequential scan)."""

import unicodedata

import pytest
from django.db import connection
from django.urls import reverse

from protected_areas.models import ProtectedArea
from protected_areas.pagination import NameSearchPaginator
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
    assert "pa_search_name_trgm" in plan, plan


# Pages of a search (issue 19): counted up to a cap, picked in (name, id) order from an index.


@pytest.fixture
def many_reserves(db):
    # Names out of insertion order, accents on some, and an area that must not match.
    names = ["Réserve Cúc Phương", "Reserve Bach Ma", "Réserve Điền", "reserve Aa", "Reserve Zz", "Réserve Bạch Mã"]
    made = [ProtectedAreaFactory(name=name) for name in names]
    ProtectedAreaFactory(name="Parc national des Écrins")
    return made


def test_search_pages_follow_the_name_order_and_are_whole(client, many_reserves):
    expected = [a.name for a in sorted(many_reserves, key=lambda a: (a.name, a.id))]
    matches = with_name_containing(ProtectedArea.objects.all(), "reserve").order_by("name", "id")
    paginator = NameSearchPaginator(matches, 4)
    pages = [[a.name for a in paginator.page(n)] for n in paginator.page_range]
    assert pages == [expected[:4], expected[4:]]
    assert paginator.count == 6 and not paginator.capped


def test_a_broad_search_is_counted_up_to_the_cap_and_says_more_than(client, api_client, many_reserves, monkeypatch):
    from protected_areas import pagination

    monkeypatch.setattr(pagination, "SEARCH_COUNT_CAP", 4)
    page = client.get(reverse("protected_areas:list"), {"q": "reserve"})
    assert page.context["count"] == 4 and page.context["capped"]
    assert "More than 4 areas match" in page.content.decode()
    # The count stops at the cap; the pages do not (keyset pages cost the same however deep).
    assert len(page.context["page"]) == 6
    exact = client.get(reverse("protected_areas:list"), {"q": "bach ma"})
    assert exact.context["count"] == 2 and not exact.context["capped"] and "2 areas" in exact.content.decode()
    body = api_client.get(reverse("protected-area-list"), {"q": "reserve"}).json()
    assert body["count"] == 4 and len(body["features"]) == 4  # the first SEARCH_COUNT_CAP matches are offered


def test_a_search_costs_the_same_queries_whatever_the_matches(client, db):
    from django.test.utils import CaptureQueriesContext

    ProtectedAreaFactory.create_batch(2, name="Khu bảo tồn Đắk Lắk")
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("protected_areas:list"), {"q": "dak lak"})
    ProtectedAreaFactory.create_batch(60, name="Khu bảo tồn Đắk Lắk")
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("protected_areas:list"), {"q": "dak lak", "page": "2"})
    assert len(many) == len(few)


def test_a_search_page_picks_its_ids_from_the_name_index_alone(many_reserves):
    # The page's ids come from pa_name_order, which holds the folded names: no table read for an
    # area that does not match (the plan shows an index-only scan of it).
    ids = with_name_containing(ProtectedArea.objects.order_by("name", "id"), "reserve").values("pk")[:25]
    sql, params = ids.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Only Scan using pa_name_order" in plan, plan
