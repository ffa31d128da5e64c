"""Reads of evidence: who may see which item, an assessment's evidence (library, picker, links per
answer), processing facts for badges and the status poller, map pins and import reports."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet, Sum
from django.http import Http404
from django.urls import reverse

from accounts.types import Person
from assessments.models import Answer, Assessment

from .choices import Kind, LocationCheck, ProcessingStatus
from .models import EvidenceFacts, EvidenceItem, EvidenceStatusCount
from .rules import can_view_evidence

LIBRARY_PAGE_SIZE = 25
PICKER_PAGE_SIZE = 20
# Where the id goes in a URL pattern: no real id, nor any other part of the URL.
_ID = 2147483647


def get_evidence_for_user(user: Person, pk: int | str) -> EvidenceItem:
    """The item if this person may see it, else 404."""
    try:
        item = EvidenceItem.objects.select_related("assessment").get(pk=pk)
    except (EvidenceItem.DoesNotExist, ValueError, TypeError):
        raise Http404("No such evidence.")
    if not can_view_evidence(user, item):
        raise Http404("No such evidence.")
    return item


def url_pattern(name: str, *args: object) -> str:
    """One reverse() for all items, `{}` where the (last) id goes: with a thousand items, per-item
    reverse() or {% url %} tags dominate rendering."""
    return reverse(name, args=[*args, _ID]).replace(str(_ID), "{}")


def download_url_pattern() -> str:
    """The download page's URL with `{}` for the item id."""
    return url_pattern("evidence:download")


# --- an assessment's evidence ------------------------------------------------------------------


def assessment_evidence(assessment: Assessment, user: Person) -> QuerySet[EvidenceItem]:
    """Evidence of the assessment this person may see (the assessment itself was checked)."""
    return EvidenceItem.objects.visible_to(user).filter(assessment=assessment).order_by("-uploaded_at", "-id")


def linked_evidence(assessment: Assessment, user: Person) -> dict[int, list[tuple[int, str]]]:
    """(id, title) of the evidence linked to each answer, among the items this person may see.

    Plain tuples from the link table in one query: a thousand model instances through a
    prefetch cost more than the rest of the page.
    """
    rows = (
        Answer.evidence.through.objects.filter(
            answer__assessment=assessment, evidenceitem__in=EvidenceItem.objects.visible_to(user)
        )
        .order_by("-evidenceitem__uploaded_at", "-evidenceitem_id")
        .values_list("answer_id", "evidenceitem_id", "evidenceitem__title")
    )
    linked: dict[int, list[tuple[int, str]]] = {}
    for answer_id, item_id, title in rows:
        linked.setdefault(answer_id, []).append((item_id, title))
    return linked


def indicator_numbers(assessment: Assessment, item_ids: Iterable[int]) -> dict[int, list[str]]:
    """The numbers of this assessment's indicators each of these items is linked to (one query)."""
    rows = (
        Answer.evidence.through.objects.filter(answer__assessment=assessment, evidenceitem_id__in=list(item_ids))
        .order_by("answer__indicator__position")
        .values_list("evidenceitem_id", "answer__indicator__number")
    )
    numbers: dict[int, list[str]] = {}
    for item_id, number in rows:
        numbers.setdefault(item_id, []).append(number)
    return numbers


def evidence_for(assessment: Assessment, user: Person) -> QuerySet[EvidenceItem]:
    """The assessment's own evidence and any carried over from an earlier cycle (one query), of
    what this person may see, newest first: the library page and the API's list."""
    # Carried-over items as a subquery of the links, not a join: a join repeats an item per link,
    # and the DISTINCT that undid it sorted every (wide) row of a thousand before the page's 25.
    carried = Answer.evidence.through.objects.filter(answer__assessment=assessment).values("evidenceitem_id")
    return (
        EvidenceItem.objects.visible_to(user)
        .filter(Q(assessment=assessment) | Q(pk__in=carried))
        .select_related("uploaded_by", "site")
        .order_by("-uploaded_at", "-id")
    )


def evidence_library_page(
    assessment: Assessment, user: Person, page: int | str | None, numbers: dict[int, list[str]] | None = None
) -> Page[EvidenceItem]:
    """One page of the evidence this person may see (own and carried over), newest first, each
    item with its `url` and `indicator_numbers` (from `numbers` when the caller has them).

    Three queries at most (count, rows, numbers) whatever the number of items; a bad page number
    gives the nearest page rather than an error, as on any paginated list.
    """
    library = Paginator(evidence_for(assessment, user), LIBRARY_PAGE_SIZE).get_page(page)
    if numbers is None:
        numbers = indicator_numbers(assessment, [item.pk for item in library.object_list])
    pattern = download_url_pattern()
    for item in library.object_list:
        item.indicator_numbers = ", ".join(numbers.get(item.pk, []))
        item.url = pattern.format(item.pk)
    return library


def linkable_evidence(assessment: Assessment, user: Person, query: str = "") -> QuerySet[EvidenceItem]:
    """Evidence of the same site (any cycle) this person may see, whose title contains `query`:
    what may be linked to an answer of this assessment (the service allows the same site)."""
    items = EvidenceItem.objects.visible_to(user).filter(assessment__protected_area_id=assessment.protected_area_id)
    query = query.strip()
    if query:
        items = items.filter(title__icontains=query)
    return items.only("id", "title", "assessment_id", "evidence_date").order_by("-uploaded_at", "-id")


# --- processing facts ---------------------------------------------------------------------------

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


def facts_for_items(items: QuerySet[EvidenceItem] | Iterable[EvidenceItem | int]) -> dict[int, EvidenceFacts]:
    """Facts of the given items (objects, ids, or a queryset of items) by item id, in ONE query,
    without the big text and geometry columns; pages that list evidence pass the result to
    `badges.badges_by_item`. A queryset becomes a subquery: for a thousand items, a list of
    ids costs more to send than the facts themselves."""
    if isinstance(items, QuerySet):
        facts = EvidenceFacts.objects.filter(item__in=items)  # a subquery of the items' ids
    else:
        ids = [i.pk if isinstance(i, EvidenceItem) else i for i in items]
        if not ids:
            return {}
        facts = EvidenceFacts.objects.filter(item_id__in=ids)
    return {f.item_id: f for f in facts.only(*BADGE_FIELDS)}


def attach_facts(items: Iterable[EvidenceItem]) -> list[EvidenceItem]:
    """Set `item.processing_facts` on each item (one query) for templates."""
    listed = list(items)
    facts = facts_for_items(listed)
    for item in listed:
        item.processing_facts = facts.get(item.pk)
    return listed


def status_for(assessment: Assessment, user: Person, thumbnail_url_pattern: str | None = None) -> list[dict[str, Any]]:
    """What the status poller needs, one row per visible item (two queries whatever the count).
    `thumbnail_url_pattern`: the thumbnails' URL with `{}` for the id (the pages' by default)."""
    items = list(assessment_evidence(assessment, user).values("pk", "processing_status", "status_reason", "sha256"))
    facts = facts_for_items([i["pk"] for i in items])
    thumbnail = thumbnail_url_pattern or url_pattern("evidence:thumbnail")
    out = []
    for row in items:
        f = facts.get(row["pk"])
        out.append(
            {
                "id": row["pk"],
                "status": row["processing_status"],
                "reason": row["status_reason"],
                "kind": f.kind if f else Kind.UNKNOWN,
                "location_check": f.location_check if f else LocationCheck.NONE,
                "distance_km": f.distance_km if f else None,
                "in_period": f.in_period if f else None,
                "duplicate": f.duplicate if f else "",
                "captured_at": f.captured_at.isoformat() if f and f.captured_at else None,
                "thumbnail": thumbnail.format(row["pk"]) if f and f.thumbnail else None,
            }
        )
    return out


def map_pins(assessment: Assessment, user: Person) -> dict[str, Any]:
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
                "geometry": {"type": "Point", "coordinates": [round(position.x, 6), round(position.y, 6)]},
                "properties": {
                    "id": f.item_id,
                    "title": f.item.title,
                    "check": f.location_check,
                    "distance_km": f.distance_km,
                    "kind": f.kind,
                },
            }
            for f in rows
            if (position := f.position) is not None  # the query asks for a position
        ],
    }


def import_report(ids: Iterable[int]) -> dict[int, dict[str, Any]]:
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
            "location_check": facts.location_check if facts else LocationCheck.NONE,
            "distance_km": facts.distance_km if facts else None,
            "error": item.status_reason or None,
        }
    return out


def evidence_counts() -> dict[str, int]:
    """Evidence items in all, waiting or being processed, and failed, across the platform: read
    from the counts the items' triggers keep (EvidenceStatusCount), one small query however many."""
    by_status: dict[str, int] = {status: 0 for status in ProcessingStatus.values}
    for status, items in EvidenceStatusCount.objects.values_list("status").annotate(n=Sum("items")):
        by_status[status] = int(items)
    return {
        "total": sum(by_status.values()),
        "pending": by_status[ProcessingStatus.PENDING] + by_status[ProcessingStatus.PROCESSING],
        "failed": by_status[ProcessingStatus.FAILED],
    }
