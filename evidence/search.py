"""Full-text search over evidence: the search vector the pipeline writes, the query, and the
highlighted snippets (as data: the template marks the matches, so no HTML is built here)."""

from __future__ import annotations

import re
from typing import Any

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import connection
from django.db.models import F, Func, IntegerField, Value
from django.db.models.functions import Greatest, Substr
from django.utils.translation import gettext as _

from core.errors import DomainError

from . import error_codes
from .models import EvidenceFacts, EvidenceItem
from .selectors import assessment_evidence

SEARCH_CONFIG = "greenlist_search"  # `simple` (no stemming: many languages), accents folded (migration 0006)
SEARCH_MAX_CHARS = 200
# ts_headline reads the whole text it is given (1.4 s for 2 million characters, the most an item
# keeps), so a snippet is taken from a window of the text: HEADLINE_WINDOW characters starting a
# little before the first place the query's first word appears as typed (case ignored), or the
# text's start when it does not (an accent typed differently): then the snippet shows the start of
# the text, the match still found and ranked by the whole text's vector.
HEADLINE_WINDOW = 20_000
HEADLINE_LEAD = 2_000
_WORD = re.compile(r"(?<![-\w])[^\W_]{2,}")  # a word not negated by a leading "-"
# Markers unlikely in real text: ts_headline puts them around the matches, and `highlight_parts`
# splits the snippet at them, so text from a file never reaches the page as markup.
HIGHLIGHT_START, HIGHLIGHT_STOP = "\u27e6", "\u27e7"


def update_search_vectors(item_ids: list[int]) -> None:
    """Write the search vector of these items' facts from their title (weight A) and extracted
    text (weight B), in one statement; column references, not values: the text is already written."""
    qn = connection.ops.quote_name
    sql = (
        f"UPDATE {qn(EvidenceFacts._meta.db_table)} f "  # noqa: S608 - table names from the models
        "SET search = setweight(to_tsvector(%s::regconfig, COALESCE(i.title, '')), 'A') "
        "|| setweight(to_tsvector(%s::regconfig, COALESCE(f.text, '')), 'B') "
        f"FROM {qn(EvidenceItem._meta.db_table)} i "
        "WHERE i.id = f.item_id AND f.item_id = ANY(%s)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [SEARCH_CONFIG, SEARCH_CONFIG, list(item_ids)])


def headline_window(q: str):
    """The part of the extracted text a snippet is taken from (see HEADLINE_WINDOW)."""
    words = [w for w in _WORD.findall(q) if w.lower() != "or"]
    if not words:
        return Substr(F("facts__text"), 1, HEADLINE_WINDOW)
    # Letters and digits only: nothing in the word is special to a regular expression.
    found = Func(
        F("facts__text"), Value(words[0]), 1, 1, 0, Value("i"), function="regexp_instr", output_field=IntegerField()
    )
    return Substr(F("facts__text"), Greatest(Value(1), found - HEADLINE_LEAD), HEADLINE_WINDOW)


def search_evidence(assessment, user, q: str):
    """Full-text search over titles and extracted text of the assessment's visible evidence,
    best first, each with a highlighted `snippet` and `title_snippet` (ts_headline)."""
    q = (q or "").strip()
    if len(q) > SEARCH_MAX_CHARS:
        raise DomainError(
            error_codes.SEARCH_TOO_LONG, _("Search for at most %(n)d characters.") % {"n": SEARCH_MAX_CHARS}
        )
    if not q:
        return EvidenceItem.objects.none()
    query = SearchQuery(q, search_type="websearch", config=SEARCH_CONFIG)
    headline: dict[str, Any] = {"config": SEARCH_CONFIG, "start_sel": HIGHLIGHT_START, "stop_sel": HIGHLIGHT_STOP}
    return (
        assessment_evidence(assessment, user)
        .filter(facts__search=query)
        .annotate(
            rank=SearchRank(F("facts__search"), query),
            snippet=SearchHeadline(headline_window(q), query, max_words=30, min_words=10, max_fragments=2, **headline),
            title_snippet=SearchHeadline("title", query, highlight_all=True, **headline),
        )
        .order_by("-rank", "-uploaded_at", "-id")  # ids last: pages of equal ranks never overlap
    )


def highlight_parts(snippet: str | None) -> list[tuple[str, bool]]:
    """A ts_headline snippet as (text, is_match) parts, for a template to escape each part and
    wrap the matches in <mark>. An unmatched marker simply ends or starts a part."""
    parts: list[tuple[str, bool]] = []
    for n, chunk in enumerate((snippet or "").split(HIGHLIGHT_START)):
        if n == 0:
            parts.append((chunk, False))
            continue
        match, _, rest = chunk.partition(HIGHLIGHT_STOP)
        parts.extend([(match, True), (rest, False)])
    return [(text, is_match) for text, is_match in parts if text]
