"""Keyset pages of the protected-area list (issue 19): page and API walk the whole list through
their `after`/`before` links, a link keeps naming the same rows when areas are added before it,
a deep page is an index seek (not an OFFSET), and a damaged link is a clear 400."""

import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from protected_areas.models import ProtectedArea
from protected_areas.pagination import Cursor, keyset_page
from protected_areas.search import with_name_containing
from protected_areas.tests.factories import ProtectedAreaFactory

pytestmark = pytest.mark.django_db
API = "/api/v1/protected-areas/"


@pytest.fixture
def areas():
    # Names shared by several areas (real WDPA names repeat): the id settles their order.
    for i in range(40):
        ProtectedAreaFactory(name=f"Reserve {i % 13:02d}")
    return list(ProtectedArea.objects.order_by("name", "id").values_list("pk", flat=True))


def _link(html: str, rel: str) -> str | None:
    found = re.search(rf'<a href="(\?[^"]*)" rel="{rel}"', html)
    return unescape(found.group(1)) if found else None


def _ids(response) -> list[int]:
    return [area.pk for area in response.context["page"]]


def test_the_page_walks_the_whole_list_forwards_and_back(client, areas):
    url = reverse("protected_areas:list")
    # given the first page
    response = client.get(url)
    pages = [_ids(response)]
    # when following "Next" to the end
    while link := _link(response.content.decode(), "next"):
        assert "after=" in link
        response = client.get(url + link)
        pages.append(_ids(response))
    # then every area came once, in (name, id) order, 25 a page
    assert [pk for page in pages for pk in page] == areas
    assert [len(page) for page in pages] == [25, 15]
    # and "Previous" leads back to the same first page
    link = _link(response.content.decode(), "prev")
    assert link and "before=" in link
    assert _ids(client.get(url + link)) == pages[0]


def test_a_link_names_the_same_rows_when_areas_are_added_before_it(client, areas):
    url = reverse("protected_areas:list")
    link = _link(client.get(url).content.decode(), "next")
    second = _ids(client.get(url + link))
    ProtectedAreaFactory.create_batch(5, name="Aaa, sorted first")
    assert _ids(client.get(url + link)) == second == areas[25:]


def test_an_old_numbered_link_still_opens_its_page_and_leads_on_by_keyset(client, areas):
    url = reverse("protected_areas:list")
    response = client.get(url, {"page": 2})
    assert _ids(response) == areas[25:]
    assert "before=" in _link(response.content.decode(), "prev")


def test_filters_are_kept_in_the_links(client, areas):
    url = reverse("protected_areas:list")
    response = client.get(url, {"q": "reserve", "country": "vnm"})
    link = _link(response.content.decode(), "next")
    assert "q=reserve" in link and "after=" in link
    assert _ids(response) + _ids(client.get(url + link)) == areas


@pytest.mark.parametrize("param", ["after", "before"])
@pytest.mark.parametrize(
    "raw", ["x", "WyJhIiwiYiJd", "bm90IGpzb24", Cursor("a", -1).encode(), Cursor("a\x00", 1).encode(), "%ZZ"]
)
def test_a_damaged_link_is_a_clear_400(client, api_client, areas, param, raw):
    page = client.get(reverse("protected_areas:list"), {param: raw})
    assert page.status_code == 400
    assert "damaged" in page.content.decode()
    response = api_client.get(API, {param: raw})
    assert response.status_code == 400
    assert response.json()["code"] == "cursor_invalid" and response.json()["field"] == param


def test_the_api_follows_next_and_previous_links_through_the_list(api_client, areas):
    # given a numbered first page (what clients asked for before keyset pages)
    body = api_client.get(API, {"page_size": 15}).json()
    seen = [f["id"] for f in body["features"]]
    # when following `next` (keyset links from there on)
    while body["next"]:
        assert "after=" in body["next"] and "page=" not in body["next"].replace("page_size", "")
        body = api_client.get(body["next"]).json()
        seen += [f["id"] for f in body["features"]]
        assert body["count"] == 40
    # then every area came once, in order; `previous` leads back
    assert seen == areas
    back = api_client.get(body["previous"]).json()
    assert [f["id"] for f in back["features"]] == areas[15:30]
    # and an old numbered link still answers its page
    assert [f["id"] for f in api_client.get(API, {"page_size": 15, "page": 2}).json()["features"]] == areas[15:30]


def test_query_count_is_the_same_on_the_first_and_a_deep_page(client, areas):
    url = reverse("protected_areas:list")
    with CaptureQueriesContext(connection) as first:
        response = client.get(url)
    link = _link(response.content.decode(), "next")
    with CaptureQueriesContext(connection) as deep:
        client.get(url + link)
    assert len(first.captured_queries) == len(deep.captured_queries)


def test_a_deep_page_seeks_the_name_index(areas):
    # The row comparison's first half (`name >= key`) is what lets PostgreSQL start the index scan at
    # the page instead of reading and discarding every row before it (an OFFSET's cost).
    area = ProtectedArea.objects.get(pk=areas[30])
    queryset = ProtectedArea.objects.order_by("name", "id")
    with CaptureQueriesContext(connection) as captured:
        keyset_page(queryset, size=5, after=Cursor(area.name, area.pk))
    # The page's ids come first (from the index alone), then its rows by id.
    ids_sql, rows_sql = (query["sql"] for query in captured.captured_queries[-2:])
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("EXPLAIN " + ids_sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Only Scan using pa_name_order" in plan and "Index Cond" in plan and "Sort" not in plan, plan
    assert "ORDER BY" not in rows_sql.upper() and "LIMIT" not in rows_sql.upper()


def test_a_search_page_walks_the_name_index_alone(areas):
    # A name search's keyset page tests the folded names pa_name_order holds, reading no table row
    # for an area that does not match (one query read 47,000 rows at 300,000 areas: 2.7 s).
    area = ProtectedArea.objects.get(pk=areas[30])
    queryset = with_name_containing(ProtectedArea.objects.all(), "réserve").order_by("name", "id")
    with CaptureQueriesContext(connection) as captured:
        page = keyset_page(queryset, size=5, after=Cursor(area.name, area.pk))
    assert page.rows and all((row.name, row.pk) > (area.name, area.pk) for row in page.rows)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("EXPLAIN " + captured.captured_queries[-2]["sql"])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Only Scan using pa_name_order" in plan, plan
