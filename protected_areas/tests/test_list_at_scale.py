"""The protected-area list at a whole WDPA release's size (issue 19): the unfiltered list takes
PostgreSQL's row estimate instead of COUNT(*) over the table; a filtered one is counted exactly;
a page is read in (name, id) order from an index, not sorted whole."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from protected_areas import pagination
from protected_areas.models import ProtectedArea
from protected_areas.tests.factories import ProtectedAreaFactory


def test_large_unfiltered_list_is_estimated_filtered_is_exact(client, db, monkeypatch):
    ProtectedAreaFactory.create_batch(6, name="Khu bảo tồn Đắk Lắk")
    ProtectedAreaFactory.create_batch(3, name="Réserve")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE protected_areas_protectedarea")
    monkeypatch.setattr(pagination, "EXACT_COUNT_BELOW", 1)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("protected_areas:list"))
    assert page.status_code == 200
    assert not any("COUNT(" in q["sql"].upper() for q in queries.captured_queries)
    assert page.context["count"] == pagination.estimated_rows("protected_areas_protectedarea") == 9
    filtered = client.get(reverse("protected_areas:list"), {"q": "dak lak"})
    assert filtered.context["count"] == 6


def test_a_page_is_read_from_the_name_index(db):
    sql, params = ProtectedArea.objects.order_by("name", "id")[:50].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "pa_name_order" in plan, plan
