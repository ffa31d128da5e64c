"""The badges and thumbnail of evidence items, as HTML: what processing found about each file.

Built in Python rather than as an included template because pages list up to a thousand items (the
review page shows every item linked to every indicator): there, a template `{% include %}` per item
cost more than the whole rest of the page. Labels, translations and URLs are looked up once per
batch, then each item is a handful of string joins.

Every value from an item or its facts is escaped (with `html.escape`, which Django's `escape`
wraps). `js/evidence-status.js` updates the boxes in place (it finds them by `data-evidence-id` and
`data-role`); styles are in `css/evidence-processing.css`.
"""

from __future__ import annotations

from html import escape

from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.formats import localize
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext, gettext_noop, ngettext

from evidence.choices import ProcessingStatus

from .choices import Kind

_ID = 2147483647  # where the id goes in the thumbnail URL pattern; no real id, nor any other part of it


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
    """Escaped translations of `messages` (a key without a message stands for itself), each looked
    up on first use: a page that renders one item at a time (the `evidence_facts` tag) pays only for
    the words that item shows."""

    def __init__(self, messages: dict, translate=gettext):
        super().__init__()
        self.messages, self.translate = messages, translate

    def __missing__(self, key):
        message = self.messages.get(key)
        self[key] = value = escape(key if message is None else self.translate(message))
        return value


def facts_html(item, facts=None) -> SafeString:
    """One item's box; `facts` from `selectors.facts_for_items` (None while not processed)."""
    return facts_html_by_item([item], {item.pk: facts} if facts is not None else {})[item.pk]


def facts_html_by_item(items, facts_by_id: dict) -> dict[int, SafeString]:
    """Per item id, the box of badges (and thumbnail) for each of `items`; facts by item id."""
    words = _Translated(_WORDS)
    # choice labels are lazy translations already
    status_labels, kind_labels = _Translated(_STATUS_LABELS, str), _Translated(_KIND_LABELS, str)
    thumbnail = None
    out = {}
    for item in items:
        status = escape(item.processing_status)
        facts = facts_by_id.get(item.pk)
        parts = [f'<div class="ep-facts" data-evidence-id="{item.pk}" data-status="{status}">']
        if facts is not None and facts.thumbnail:
            thumbnail = thumbnail or reverse("evidence_processing:thumbnail", args=[_ID]).replace(str(_ID), "{}")
            src = escape(thumbnail.format(item.pk))
            parts.append(f'<img class="ep-thumb" src="{src}" alt="" loading="lazy" width="96">')
        parts.append(f'<ul class="ep-badges" aria-label="{words["found"]}">')
        label = status_labels[item.processing_status]
        parts.append(f'<li class="ep-badge ep-status ep-status-{status}" data-role="status">{label}</li>')
        if facts is not None:
            parts.extend(_fact_badges(facts, kind_labels, words))
        parts.append("</ul>")
        hidden = "" if item.processing_status == ProcessingStatus.FAILED else " hidden"
        reason = escape(item.status_reason or "")
        parts.append(f'<p class="ep-reason" data-role="reason"{hidden}>{reason}</p></div>')
        # Safe: the markup above is ours and every value in it went through escape().
        out[item.pk] = mark_safe("".join(parts))  # noqa: S308
    return out


def _number(value) -> str:
    """A number as a template shows it (localised), escaped."""
    return escape(str(localize(value)))


def _length(value) -> int:
    """Like the template filter `length`: 0 for what has no length."""
    try:
        return len(value)
    except (TypeError, ValueError):
        return 0


def _fact_badges(facts, kind_labels: dict, words: dict) -> list[str]:
    badges = []
    if facts.kind not in (Kind.UNKNOWN, Kind.REJECTED):
        text = kind_labels[facts.kind]
        if facts.page_count:
            pages = escape(ngettext("%(n)s page", "%(n)s pages", facts.page_count)) % {"n": _number(facts.page_count)}
            text = f"{text} · {pages}"
        badges.append(f'<li class="ep-badge ep-kind">{text}</li>')
    if facts.captured_at:
        at = template_localtime(facts.captured_at)
        taken = f"{at.year:04d}-{at.month:02d}-{at.day:02d} {at.hour:02d}:{at.minute:02d}"  # date:"Y-m-d H:i"
        badges.append(f'<li class="ep-badge" title="{words["clock"]}">{words["taken"]} {taken}</li>')
    if facts.camera_make or facts.camera_model:
        make, model = escape(facts.camera_make or ""), escape(facts.camera_model or "")
        badges.append(f'<li class="ep-badge">{make} {model}</li>')
    check = facts.location_check
    if check == "inside":
        where = words["inside"]
    elif check == "outside":
        where = (
            words["outside"] % {"km": escape(floatformat(facts.distance_km, 1))}
            if facts.distance_km
            else words["partly"]
        )
    else:
        where = words["nowhere"]
    badges.append(f'<li class="ep-badge ep-loc ep-loc-{escape(check)}" data-role="location">{where}</li>')
    if facts.in_period is not None:
        yes = "yes" if facts.in_period else "no"
        period = words["in_period"] if facts.in_period else words["out_period"]
        badges.append(f'<li class="ep-badge ep-period-{yes}" data-role="period">{period}</li>')
    if facts.duplicate == "same_site":
        badges.append(f'<li class="ep-badge ep-dup-same" data-role="duplicate">{words["same_site"]}</li>')
    stats = facts.raster_stats
    if isinstance(stats, dict) and stats.get("valid_pixels"):
        mean, share = floatformat(stats.get("mean", ""), 1), floatformat(stats.get("valid_share", ""), 2)
        text = words["raster"] % {"mean": escape(mean), "share": escape(share)}
        badges.append(f'<li class="ep-badge">{text}</li>')
    trap = facts.camera_trap
    if trap:
        species = trap.get("species", "") if isinstance(trap, dict) else ""
        detections = trap.get("detections", "") if isinstance(trap, dict) else ""
        n = _length(species)
        text = escape(ngettext("%(d)s detections · %(n)s species", "%(d)s detections · %(n)s species", n))
        text %= {"d": _number(detections), "n": _number(n)}
        badges.append(f'<li class="ep-badge">{text}</li>')
    return badges
