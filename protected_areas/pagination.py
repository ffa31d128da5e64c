"""The protected-area list's paginator: a whole WDPA release is 300,000 rows, and counting them
exactly on every request (COUNT(*) over the table) costs more than the rest of the page.

The unfiltered list takes PostgreSQL's own estimate of the table's rows (pg_class.reltuples, kept
by autovacuum's ANALYZE) once it is large; a filtered list (a name, a country) is counted exactly,
through its indexes. Page links past the estimate's end simply show the last page."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import cast

from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Expression, F, Q, QuerySet
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from core.errors import DomainError

from .error_codes import CURSOR_INVALID

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


# --- keyset pages ----------------------------------------------------------------------------------
# OFFSET reads and throws away every row before the page: page 2,000 of the list read 50,000 areas
# (623 ms at 300,000). A keyset page starts where the last one ended instead, `(sort key, id)`
# compared as a row, which the (name, id) index (pa_name_order) answers by seeking: any page in the
# time of the first. Links carry the key of the row they continue from (`after`, `before`), so they
# stay right when areas are added or removed before them, and can be bookmarked.


@dataclass(frozen=True)
class Cursor:
    """The sort key and id of the row a page continues from."""

    key: str
    id: int

    def encode(self) -> str:
        raw = json.dumps([self.key, self.id], ensure_ascii=False, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, raw: str, *, field: str) -> Cursor:
        """A cursor from a link, or DomainError `cursor_invalid` (a link cut short or edited)."""
        try:
            key, pk = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
            # PostgreSQL's text refuses NUL (a 500 if it reached the query), and ids are bigint.
            if not isinstance(key, str) or type(pk) is not int or not 0 < pk < 2**63:
                raise ValueError
            if len(key) > MAX_KEY_LENGTH or "\x00" in key:
                raise ValueError
        except (ValueError, TypeError, UnicodeDecodeError, binascii.Error):
            raise DomainError(
                CURSOR_INVALID,
                _("This page link is damaged or incomplete: start again from the first page."),
                field=field,
            ) from None
        return cls(key, pk)


# A sort key is a name (300 characters), folded at most; the margin admits expansion by folding.
MAX_KEY_LENGTH = 1_000


@dataclass
class KeysetPage:
    """One page of rows in (sort key, id) order, with the cursors of the pages around it."""

    rows: list
    next_cursor: Cursor | None
    previous_cursor: Cursor | None

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    @property
    def has_previous(self) -> bool:
        return self.previous_cursor is not None

    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous


def page_cursors(params) -> dict[str, Cursor]:
    """`after` or `before` of a page link's query string, decoded, as keyset_page's arguments
    (none for a first page); DomainError `cursor_invalid` for a damaged one."""
    for param in ("after", "before"):
        if raw := params.get(param):
            return {param: Cursor.decode(raw, field=param)}
    return {}


def sort_key_of(queryset: QuerySet) -> Expression | F:
    """The first term of the queryset's order, which must be `(<sort key>, "id")`: the model's
    (name, id) or a filter's own (the name search's `(Lower(name), id)`)."""
    order = list(queryset.query.order_by or queryset.model._meta.ordering)
    assert len(order) == 2 and order[1] == "id", f"keyset pages need an order (key, id), not {order}"  # noqa: S101
    first = order[0]
    return F(first) if isinstance(first, str) else first


def keyset_page(
    queryset: QuerySet, *, size: int, after: Cursor | None = None, before: Cursor | None = None
) -> KeysetPage:
    """The `size` rows after `after` (or before `before`; the first page without either), in the
    queryset's (key, id) order. A row more than the page says whether another follows."""
    sort = sort_key_of(queryset)
    qs = queryset.annotate(keyset_key=sort)
    if before is not None:
        # Read backwards from `before`, then turn the page the right way round.
        edge = qs.filter(keyset_key__lte=before.key).filter(Q(keyset_key__lt=before.key) | Q(id__lt=before.id))
        rows = _rows_in_order(qs, edge.order_by(sort.desc(), "-id"), size + 1)
        more_before = len(rows) > size
        rows = rows[:size][::-1]
        return KeysetPage(
            rows,
            next_cursor=_cursor(rows[-1]) if rows else None,
            previous_cursor=_cursor(rows[0]) if rows and more_before else None,
        )
    edge = qs
    if after is not None:
        # `key >= k` lets the index seek to the page; the OR settles rows sharing the key k.
        edge = qs.filter(keyset_key__gte=after.key).filter(Q(keyset_key__gt=after.key) | Q(id__gt=after.id))
    rows = _rows_in_order(qs, edge.order_by(sort.asc(), "id"), size + 1)
    more_after = len(rows) > size
    rows = rows[:size]
    return KeysetPage(
        rows,
        next_cursor=_cursor(rows[-1]) if rows and more_after else None,
        previous_cursor=_cursor(rows[0]) if rows and after is not None else None,
    )


def _rows_in_order(queryset: QuerySet, ordered: QuerySet, limit: int) -> list:
    """The first `limit` rows of `ordered`, in two queries: their ids first, then the rows. The ids
    come from walking the order's index alone where it holds what the filter tests (pa_name_order
    holds the folded names): a name search that passes 47,000 non-matching names before its first
    match read each of their table rows in one query (2.7 s at 300,000 areas) and reads none now (10 ms)."""
    ids = list(ordered.values_list("pk", flat=True)[:limit])
    by_id = {row.pk: row for row in queryset.filter(pk__in=ids).order_by()}
    return [by_id[pk] for pk in ids if pk in by_id]


def _cursor(row) -> Cursor:
    return Cursor(row.keyset_key, row.pk)


def numbered_page(queryset: QuerySet, *, size: int, number: int) -> KeysetPage:
    """Page `number` (from 1) by OFFSET, with keyset cursors for its neighbours: links kept from
    before keyset pages still open the page they named, and lead on in keyset pages."""
    sort = sort_key_of(queryset)
    qs = queryset.annotate(keyset_key=sort)
    start = (number - 1) * size
    rows = _rows_in_order(qs, qs.order_by(sort.asc(), "id")[start:], size + 1)
    more_after = len(rows) > size
    rows = rows[:size]
    return KeysetPage(
        rows,
        next_cursor=_cursor(rows[-1]) if rows and more_after else None,
        previous_cursor=_cursor(rows[0]) if rows and number > 1 else None,
    )


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
        matches = cast(QuerySet, self.object_list)
        return list(matches.values_list("pk", flat=True)[: SEARCH_COUNT_CAP + 1])

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
