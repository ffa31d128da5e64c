"""Protected-area name search: case, accents and marks ignored ("Phong Dien" finds "Phong Điền",
"cote d'ivoire" finds "Côte d'Ivoire"), over the published, original and English names.

The folding happens in PostgreSQL (`greenlist_fold`, migration 0006) on both sides, so the query
and the stored names are folded by the same rules, and the trigram index on
`protected_area_search_text(name, orig_name, name_eng)` answers the substring match on a whole
WDPA release. The query's expression must stay the index's own (same function, same columns):
that is what lets the planner use it (test_name_search checks the plan)."""

from __future__ import annotations

from django.db.models import F, Func, Q, QuerySet, TextField, Value
from django.db.models.lookups import Contains

from .models import ProtectedArea


class Fold(Func):
    """Lower case, accents and marks removed (unaccent's rules: Đ → D, combining marks dropped)."""

    function = "greenlist_fold"
    output_field = TextField()


class SearchText(Func):
    """The folded published, original and English names of an area, as the index holds them."""

    function = "protected_area_search_text"
    output_field = TextField()


def name_contains(text: str) -> Q:
    """A condition: the area's names contain `text`, folded. Django escapes the text's own % and _
    (the `contains` lookup on an expression), so they match only themselves."""
    return Q(Contains(SearchText(F("name"), F("orig_name"), F("name_eng")), Fold(Value(text))))


def with_name_containing(qs: QuerySet[ProtectedArea], text: str) -> QuerySet[ProtectedArea]:
    return qs.filter(name_contains(text))
