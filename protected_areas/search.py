"""Protected-area name search: case, accents and marks ignored ("Phong Dien" finds "Phong Điền",
"cote d'ivoire" finds "Côte d'Ivoire"), over the published, original and English names.

The folding happens in PostgreSQL on both sides, by the same rules: `greenlist_fold` (migration
0006) folds the query, and `ProtectedArea.search_name` is the three names folded by PostgreSQL
when a row is written (a stored generated column, migration 0008). Its trigram index
`pa_search_name_trgm` answers the substring match on a whole WDPA release, and checking a
candidate against the stored text costs a comparison, not an unaccent (test_name_search checks the
plan)."""

from __future__ import annotations

from django.db.models import Func, Q, QuerySet, TextField, Value

from .models import ProtectedArea


class Fold(Func):
    """Lower case, accents and marks removed (unaccent's rules: Đ → D, combining marks dropped)."""

    function = "greenlist_fold"
    output_field = TextField()


def name_contains(text: str) -> Q:
    """A condition: the area's names contain `text`, folded. Django escapes the text's own % and _
    (the `contains` lookup on an expression), so they match only themselves."""
    return Q(search_name__contains=Fold(Value(text)))


def with_name_containing(qs: QuerySet[ProtectedArea], text: str) -> QuerySet[ProtectedArea]:
    return qs.filter(name_contains(text))
