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


# A name search counts its matches only this far: a common word ("reserve", "national") matches a
# third of a WDPA release, and counting 90,000 matches costs more than the whole page. The page then
# says "more than 1,000" and offers their first 40 pages; another word or a country narrows them.
SEARCH_COUNT_CAP = 1_000


class NameSearchPaginator(Paginator):
    """Pages of a name search (protected_areas.search), in the list's (name, id) order.

    One query picks the ids of the first SEARCH_COUNT_CAP + 1 matches in order, walking
    `pa_name_order` (name, id) and testing each entry's folded names, which that index holds too
    (INCLUDE search_name): an index-only scan, no table row read for an area that does not match.
    Those ids give the count and any page's ids (pages stop at the cap); a second query reads the
    page's rows. A rare name goes through the trigram index instead (the planner picks by the
    names' statistics). Reading every match to sort them took 15,000 table rows for "phong dien";
    filtering rows read in name order, 47,000 before its first match."""

    @cached_property
    def _first_ids(self) -> list[int]:
        return list(self.object_list.values_list("pk", flat=True)[: SEARCH_COUNT_CAP + 1])

    @cached_property
    def count(self) -> int:
        return min(len(self._first_ids), SEARCH_COUNT_CAP)

    @property
    def capped(self) -> bool:
        """More matches than were counted (the page says "more than")."""
        return len(self._first_ids) > SEARCH_COUNT_CAP

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        queryset = self.object_list
        assert isinstance(queryset, QuerySet)
        return self._get_page(queryset.filter(pk__in=self._first_ids[bottom:top]), number, self)
