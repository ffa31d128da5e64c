"""Reads of the evidence pipeline's facts: badges for many items at once, status, search, pins."""

from __future__ import annotations

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db.models import F, QuerySet
from django.urls import reverse

from core.errors import DomainError
from evidence.models import EvidenceItem

from . import error_codes
from .models import EvidenceFacts
from .services import SEARCH_CONFIG

SEARCH_MAX_CHARS = 200
# Markers unlikely in real text: the snippet is HTML-escaped, then they become <mark> (see the
# `highlighted` filter), so text from a file can never inject markup.
HIGHLIGHT_START, HIGHLIGHT_STOP = "\u27e6", "\u27e7"
BADGE_FIELDS = (
    "item_id",
    "kind",
    "mime_type",
    "page_count",
    "captured_at",
    "camera_make",
    "camera_model",
    "position",
    "location_check",
    "distance_km",
    "in_period",
    "duplicate",
    "thumbnail",
    "error_code",
    "feature_count",
    "raster_stats",
    "camera_trap",
    "processed_at",
)


def facts_for_items(items) -> dict[int, EvidenceFacts]:
    """Facts of the given items (objects, ids, or a queryset of items) by item id, in ONE query,
    without the big text and geometry columns; pages that list evidence pass the result to
    `badges.facts_html_by_item`. A queryset becomes a subquery: for a thousand items, a list of
    ids costs more to send than the facts themselves."""
    if isinstance(items, QuerySet):
        facts = EvidenceFacts.objects.filter(item__in=items.values("pk"))
    else:
        ids = [getattr(i, "pk", i) for i in items]
        if not ids:
            return {}
        facts = EvidenceFacts.objects.filter(item_id__in=ids)
    return {f.item_id: f for f in facts.only(*BADGE_FIELDS)}


def attach_facts(items) -> list:
    """Set `item.processing_facts` on each item (one query) for templates."""
    items = list(items)
    facts = facts_for_items(items)
    for item in items:
        item.processing_facts = facts.get(item.pk)
    return items


def assessment_evidence(assessment, user):
    """Evidence of the assessment this person may see (the assessment itself was checked)."""
    return EvidenceItem.objects.visible_to(user).filter(assessment=assessment).order_by("-uploaded_at", "-id")


def status_for(assessment, user) -> list[dict]:
    """What the status poller needs, one row per visible item (two queries whatever the count)."""
    items = list(assessment_evidence(assessment, user).values("pk", "processing_status", "status_reason", "sha256"))
    facts = facts_for_items([i["pk"] for i in items])
    out = []
    for row in items:
        f = facts.get(row["pk"])
        out.append(
            {
                "id": row["pk"],
                "status": row["processing_status"],
                "reason": row["status_reason"],
                "kind": f.kind if f else "unknown",
                "location_check": f.location_check if f else "none",
                "distance_km": f.distance_km if f else None,
                "in_period": f.in_period if f else None,
                "duplicate": f.duplicate if f else "",
                "captured_at": f.captured_at.isoformat() if f and f.captured_at else None,
                "thumbnail": reverse("evidence_processing:thumbnail", args=[row["pk"]]) if f and f.thumbnail else None,
            }
        )
    return out


def search_evidence(assessment, user, q: str):
    """Full-text search over titles and extracted text of the assessment's visible evidence,
    best first, each with a highlighted `snippet` (ts_headline)."""
    q = (q or "").strip()
    if len(q) > SEARCH_MAX_CHARS:
        raise DomainError(error_codes.SEARCH_TOO_LONG, f"Search for at most {SEARCH_MAX_CHARS} characters.")
    if not q:
        return EvidenceItem.objects.none()
    query = SearchQuery(q, search_type="websearch", config=SEARCH_CONFIG)
    return (
        assessment_evidence(assessment, user)
        .filter(facts__search=query)
        .annotate(
            rank=SearchRank(F("facts__search"), query),
            snippet=SearchHeadline(
                "facts__text",
                query,
                config=SEARCH_CONFIG,
                start_sel=HIGHLIGHT_START,
                stop_sel=HIGHLIGHT_STOP,
                max_words=30,
                min_words=10,
                max_fragments=2,
            ),
            title_snippet=SearchHeadline(
                "title",
                query,
                config=SEARCH_CONFIG,
                start_sel=HIGHLIGHT_START,
                stop_sel=HIGHLIGHT_STOP,
                highlight_all=True,
            ),
        )
        .order_by("-rank", "-uploaded_at")
    )


def map_pins(assessment, user) -> dict:
    """GeoJSON of the visible items with a position, for the site map (one query)."""
    rows = (
        EvidenceFacts.objects.filter(item__in=assessment_evidence(assessment, user), position__isnull=False)
        .select_related("item")
        .only("item__title", "position", "location_check", "distance_km", "kind")
    )
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [round(f.position.x, 6), round(f.position.y, 6)]},
                "properties": {
                    "id": f.item_id,
                    "title": f.item.title,
                    "check": f.location_check,
                    "distance_km": f.distance_km,
                    "kind": f.kind,
                },
            }
            for f in rows
        ],
    }


def import_report(ids) -> dict[int, dict]:
    """The per-file result rows of `import_evidence --json` (one query)."""
    rows = (
        EvidenceItem.objects.filter(pk__in=ids)
        .select_related("facts")
        .only(
            "processing_status",
            "status_reason",
            "sha256",
            "facts__captured_at",
            "facts__position",
            "facts__location_check",
            "facts__distance_km",
            "facts__item_id",
        )
    )
    out = {}
    for item in rows:
        facts = getattr(item, "facts", None)
        out[item.pk] = {
            "item": item.pk,
            "status": item.processing_status,
            "sha256": item.sha256 or None,
            "captured_at": facts.captured_at.isoformat() if facts and facts.captured_at else None,
            "latitude": facts.latitude if facts else None,
            "longitude": facts.longitude if facts else None,
            "location_check": facts.location_check if facts else "none",
            "distance_km": facts.distance_km if facts else None,
            "error": item.status_reason or None,
        }
    return out
