"""The protected-area list's paginator: a whole WDPA release is 300,000 rows, and counting them
exactly on every request (COUNT(*) over the table) costs more than the rest of the page.

The unfiltered list takes PostgreSQL's own estimate of the table's rows (pg_class.reltuples, kept
by autovacuum's ANALYZE) once it is large; a filtered list (a name, a country) is counted exactly,
through its indexes. Page links past the estimate's end simply show the last page."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db import connection
from django.db.models import QuerySet
from django.utils.functional import cached_property

# Below this many rows an exact count is cheap, and small databases (tests, a new site) stay exact.
EXACT_COUNT_BELOW = 50_000


def estimated_rows(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [table])
        row = cursor.fetchone()
    return max(0, int(row[0])) if row else 0


class LargeTablePaginator(Paginator):
    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        assert isinstance(queryset, QuerySet)  # this paginator pages querysets only
        if not queryset.query.where:
            estimate = estimated_rows(queryset.model._meta.db_table)
            if estimate >= EXACT_COUNT_BELOW:
                return estimate
        return queryset.count()
