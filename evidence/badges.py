"""The badges and thumbnail of evidence items, as data: what processing found about each file.

`badges_by_item` turns items and their facts into plain dicts (labels translated once per batch);
`templates/evidence/_facts.html` draws one box. Pages that list up to a thousand items (the review
page) render all boxes in ONE template render (`render_badges`): an `{% include %}` render per item
cost more than the whole rest of the page. Values are escaped by the template, never here.

`js/evidence-status.js` updates the boxes in place (it finds them by `data-evidence-id` and
`data-role`); styles are in `css/evidence-processing.css`.
"""

from __future__ import annotations

from django.template.defaultfilters import floatformat
from django.utils.formats import localize
from django.utils.safestring import SafeString
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]  # missing from the stubs
from django.utils.translation import gettext, gettext_noop, ngettext

from core.fragments import DrawnFragments

from . import thumbnails
from .choices import Duplicate, Kind, LocationCheck, ProcessingStatus
from .selectors import url_pattern

# What the badges say; each is translated once per batch, on first use.
_WORDS = {
    "found": gettext_noop("What processing found"),
    "clock": gettext_noop("Camera clock (EXIF has no time zone)"),
    "taken": gettext_noop("Taken"),
    "inside": gettext_noop("Inside the site"),
    "outside": gettext_noop("Outside · %(km)s km"),
    "partly": gettext_noop("Partly outside"),
    "nowhere": gettext_noop("No location"),
    "in_period": gettext_noop("In assessment period"),
    "out_period": gettext_noop("Outside assessment period"),
    "same_site": gettext_noop("Already uploaded for this site"),
    "raster": gettext_noop("Mean in site %(mean)s · valid %(share)s"),
}
_STATUS_LABELS = dict(ProcessingStatus.choices)
_KIND_LABELS = dict(Kind.choices)


class _Translated(dict):
    """Translations of `messages` (a key without a message stands for itself), each looked up on
    first use: a page that shows one item (the `evidence_facts` tag) pays only for its words."""

    def __init__(self, messages: dict, translate=gettext):
        super().__init__()
        self.messages, self.translate = messages, translate

    def __missing__(self, key):
        message = self.messages.get(key)
        self[key] = value = key if message is None else self.translate(message)
        return value


def badges(item, facts=None) -> dict:
    """One item's box; `facts` from `selectors.facts_for_items` (None while not processed)."""
    return badges_by_item([item], {item.pk: facts} if facts is not None else {})[item.pk]


def badges_by_item(items, facts_by_id: dict) -> dict[int, dict]:
    """Per item id, its box as data for `evidence/_facts.html`: `id`, `status`, `label` (of the
    list), `thumbnail` (URL or ""), `badges` (each `cls`, `text`, and optional `role`, `title`),
    `reason` and `failed`. Facts by item id."""
    words = _Translated(_WORDS)
    # choice labels are lazy translations already
    status_labels, kind_labels = _Translated(_STATUS_LABELS, str), _Translated(_KIND_LABELS, str)
    thumbnail = None
    out = {}
    for item in items:
        status = item.processing_status
        facts = facts_by_id.get(item.pk)
        thumb = srcset = ""
        if facts is not None and facts.thumbnail:
            thumbnail = thumbnail or url_pattern("evidence:thumbnail")
            thumb, srcset = thumbnails.sized_urls(thumbnail.format(item.pk), facts.thumbnail.name)
        row = [{"cls": f"ep-badge ep-status ep-status-{status}", "role": "status", "text": status_labels[status]}]
        if facts is not None:
            row.extend(_fact_badges(facts, kind_labels, words))
        out[item.pk] = {
            "id": item.pk,
            "status": status,
            "label": words["found"],
            "thumbnail": thumb,
            "srcset": srcset,
            "badges": row,
            "reason": item.status_reason or "",
            "failed": status == ProcessingStatus.FAILED,
        }
    return out


def render_badges(items, facts_by_id: dict) -> dict[int, SafeString]:
    """Per item id, its box as HTML (for pages that place each box inside markup of their own).

    Boxes are drawn by `evidence/_facts_list.html`, the new ones in ONE render, and a box drawn
    before is reused (core.fragments): its HTML depends only on its data, which carries its
    translated words. A thousand boxes through the template engine cost ~50 ms, more than the rest
    of the review page, where the boxes seldom change between two visits."""
    boxes = badges_by_item(items, facts_by_id)
    return _BOXES.draw_each({item_id: (_box_key(box), box) for item_id, box in boxes.items()}, name="boxes")


_BOXES = DrawnFragments("evidence/_facts_list.html", max_entries=50_000)


def _box_key(box: dict) -> tuple:
    """Everything the template reads from a box, as a hashable value."""
    return (
        box["id"],
        box["status"],
        box["label"],
        box["thumbnail"],
        box["srcset"],
        box["reason"],
        box["failed"],
        tuple((b["cls"], b["text"], b.get("role"), b.get("title")) for b in box["badges"]),
    )


def _number(value) -> str:
    """A number as a template shows it (localised)."""
    return str(localize(value))


def _length(value) -> int:
    """Like the template filter `length`: 0 for what has no length."""
    try:
        return len(value)
    except (TypeError, ValueError):
        return 0


def _fact_badges(facts, kind_labels: dict, words: dict) -> list[dict]:
    badges = []
    if facts.kind not in (Kind.UNKNOWN, Kind.REJECTED):
        text = kind_labels[facts.kind]
        if facts.page_count:
            pages = ngettext("%(n)s page", "%(n)s pages", facts.page_count) % {"n": _number(facts.page_count)}
            text = f"{text} · {pages}"
        badges.append({"cls": "ep-badge ep-kind", "text": text})
    if facts.captured_at:
        at = template_localtime(facts.captured_at)
        taken = f"{at.year:04d}-{at.month:02d}-{at.day:02d} {at.hour:02d}:{at.minute:02d}"  # date:"Y-m-d H:i"
        badges.append({"cls": "ep-badge", "title": words["clock"], "text": f"{words['taken']} {taken}"})
    if facts.camera_make or facts.camera_model:
        badges.append({"cls": "ep-badge", "text": f"{facts.camera_make or ''} {facts.camera_model or ''}"})
    check = facts.location_check
    if check == LocationCheck.INSIDE:
        where = words["inside"]
    elif check == LocationCheck.OUTSIDE:
        where = words["outside"] % {"km": floatformat(facts.distance_km, 1)} if facts.distance_km else words["partly"]
    else:
        where = words["nowhere"]
    badges.append({"cls": f"ep-badge ep-loc ep-loc-{check}", "role": "location", "text": where})
    if facts.in_period is not None:
        yes = "yes" if facts.in_period else "no"
        period = words["in_period"] if facts.in_period else words["out_period"]
        badges.append({"cls": f"ep-badge ep-period-{yes}", "role": "period", "text": period})
    if facts.duplicate == Duplicate.SAME_SITE:
        badges.append({"cls": "ep-badge ep-dup-same", "role": "duplicate", "text": words["same_site"]})
    stats = facts.raster_stats
    if isinstance(stats, dict) and stats.get("valid_pixels"):
        mean, share = floatformat(stats.get("mean", ""), 1), floatformat(stats.get("valid_share", ""), 2)
        badges.append({"cls": "ep-badge", "text": words["raster"] % {"mean": mean, "share": share}})
    trap = facts.camera_trap
    if trap:
        species = trap.get("species", "") if isinstance(trap, dict) else ""
        detections = trap.get("detections", "") if isinstance(trap, dict) else ""
        n = _length(species)
        text = ngettext("%(d)s detections · %(n)s species", "%(d)s detections · %(n)s species", n)
        badges.append({"cls": "ep-badge", "text": text % {"d": _number(detections), "n": _number(n)}})
    return badges
