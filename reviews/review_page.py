"""The review page: every indicator's answer, evidence, ratings, findings and requests for one
assessment, side by side, built in a fixed number of queries (`review_page`), with the evidence
badges, the boundary map and the rating choices it shows. The page view, the review API's lists
and the page benchmark read it.

The page itself ships each indicator's heading, state, forms and counts; what grows with the
evidence (each item's line and badges) and the questions thread are one indicator's *details*,
loaded when the indicator is opened (issue 19: at 1,000 items the lists were four fifths of an
860 KiB page). `review_page(..., answer_id=)` builds that one indicator with its details, for the
details fragment and for the indicator's own page (the fallback without JavaScript).

It returns data (strings prepared once, tuples to unpack); the markup is in `reviews/review.html`,
`reviews/_row.html`, `reviews/_row_details.html` and their fragments (`_evidence_items.html`,
`_rating_options.html`), which escape every value.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured
from django.db.models import F, FloatField, Func, Prefetch
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.formats import localize
from django.utils.translation import get_language, gettext, gettext_noop, ngettext

from accounts import rules
from assessments.choices import Status
from assessments.models import Answer, Assessment, AssessmentTransition
from assessments.sites import application_areas
from core.dates import formatter
from evidence.badges import render_badges
from evidence.models import EvidenceItem
from evidence.rules import can_view_evidence_of, evidence_filter_of
from evidence.selectors import facts_for_items
from monitoring.outcomes import indicator_summaries
from standards.models import AdaptedIndicator, Indicator
from standards.selectors import adaptations

from .choices import AssignmentRole, RequestStatus
from .models import (
    AssessmentReview,
    GroupFinding,
    IndicatorReview,
    InformationReply,
    InformationRequest,
)
from .selectors import changed_after, newest_upload, review_answers, review_answers_counted

IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/webp", "image/gif"})


def evidence_facts(items) -> dict:
    """Per item id, the evidence pipeline's facts (thumbnail, position…); `items` may be a
    queryset (one query with a subquery, rather than a thousand ids)."""
    return facts_for_items(items)


def evidence_badges(items, facts: dict) -> dict:
    """Per item id, the HTML of its badges and thumbnail: the evidence app's fragment
    (`evidence/_facts.html`), every item's in one render (`evidence.badges.render_badges`)."""
    return render_badges(items, facts)


def _fact(facts, name: str):
    """One fact from whatever shape the pipeline's facts take: a dict or an object."""
    if facts is None:
        return None
    return facts.get(name) if isinstance(facts, dict) else getattr(facts, name, None)


def _position(facts) -> tuple[float, float] | None:
    """(lon, lat) from whatever shape the pipeline's facts take: a GEOS point, lon/lat keys or attributes."""
    if facts is None:
        return None
    point = _fact(facts, "position") or _fact(facts, "point")
    if point is not None and hasattr(point, "x"):
        return float(point.x), float(point.y)
    lon, lat = _fact(facts, "lon"), _fact(facts, "lat")
    if lon is None:
        lon, lat = _fact(facts, "longitude"), _fact(facts, "latitude")
    if lon is None or lat is None:
        return None
    try:
        return float(lon), float(lat)
    except (TypeError, ValueError):
        return None


def _thumb_kind(item, facts) -> str:
    """Which small preview the page draws: none when the pipeline's badges show a thumbnail."""
    if _fact(facts, "thumbnail"):
        return ""
    if item.content_type in IMAGE_TYPES:
        return "image"
    return "pdf" if item.content_type == "application/pdf" else "file"


_ID = 2147483647  # where the id goes in `_url_format`; no real id, nor any other part of our URLs


def _url_format(name: str, *args) -> str:
    """`reverse()` once with `_ID` where the id goes, as a `str.format` pattern: the page links every
    item and posts forms per row and question, and a thousand `reverse()` calls take measurable time."""
    return reverse(name, args=args).replace(str(_ID), "{}")


def _day(at) -> str:
    """The language's short date (core.dates: Django's date formatting is slow in loops)."""
    return formatter()[0](at)


def _minute(at) -> str:
    """The language's short date and time."""
    return formatter()[1](at)


def _rating_choices(scale: list[dict]) -> dict:
    """The choices of a rating select as `(code, label, selected)`, by the code selected (None:
    none): built once per page, and the template loops over plain tuples."""
    return {
        selected: [(r["code"], r["label"], r["code"] == selected) for r in scale]
        for selected in [None, *(r["code"] for r in scale)]
    }


def _sizes() -> Callable[[int], str]:
    """`filesizeformat` remembered by what it shows (the unit and the number rounded to one decimal):
    the page lists a thousand items, few of which differ in what their size reads, and the filter
    (translation, number formatting) is slow in a loop. Gives what the filter gives, for one request."""
    shown: dict[object, str] = {}

    def size(n: int) -> str:
        key: object = n
        if n >= 1024:
            unit = (n.bit_length() - 1) // 10  # 1: KB, 2: MB… as the filter's thresholds
            unit = unit if unit < 5 else 5  # PB and beyond
            key = (unit, round(n / (1 << (10 * unit)), 1))
        if key not in shown:
            shown[key] = filesizeformat(n)
        return shown[key]

    return size


# --- where an item came from, said by an app above (issue 16) ----------------------------------
# Photos and tracks the expert group took on a site visit are evidence like any other; the page says
# so beside them ("from the site visit of 5 December 2026"). The visits app sits above reviews, so it
# hands its reader over in `VisitsConfig.ready()` (docs/architecture.md, "a provider handed down").
# Without one the page fails, rather than drop the mark as if no item came from a visit.
EvidenceOrigins = Callable[[Assessment], dict[int, str]]
_evidence_origins: list[EvidenceOrigins] = []


def provide_evidence_origins(reader: EvidenceOrigins) -> None:
    """reader(assessment) -> {evidence item id: the words saying where it came from}, in the active
    language, in one query."""
    _evidence_origins[:] = [reader]


def evidence_origins(assessment: Assessment) -> dict[int, str]:
    if not _evidence_origins:
        raise ImproperlyConfigured("reviews.review_page: no evidence origins provider (is the visits app installed?)")
    return _evidence_origins[0](assessment)


def _evidence_parts(
    items, facts: dict, badges: dict | None, origins: dict | None = None, about: dict | None = None
) -> dict[int, tuple]:
    """Per item id, what the template shows of it (`reviews/_evidence_items.html`): id (as text: a
    number would go through localisation), download URL, title, preview kind, file extension,
    size and date (and where it came from, `origins`), badges.

    Prepared here once per item, as a tuple of strings the template unpacks, because the page lists
    a thousand items: lookups, filters and conditions per item in the template would cost more than
    all the rest of the page."""
    download = _url_format("evidence:download", _ID)
    badges = badges or {}
    origins = origins or {}
    about = about or {}
    size = _sizes()
    dates: dict = {}  # localised once per distinct date: Django's date formatting is slow
    parts = {}
    for item in items:
        pk = item.id  # not `.pk`, a property: this loop runs a thousand times
        if pk in parts:
            continue
        meta = size(item.size)
        if pk in origins:
            # "From the site visit of <date>": the visit's date is the item's (no need to say it twice).
            meta = f"{meta} · {origins[pk]}"
        elif item.evidence_date:
            if item.evidence_date not in dates:
                dates[item.evidence_date] = localize(item.evidence_date)
            meta = f"{meta} · {dates[item.evidence_date]}"
        if pk in about:
            meta = f"{meta} · {about[pk]}"  # the multi-site application's site it is about (issue 16)
        parts[pk] = (
            str(pk),
            download.format(pk),
            item.title,
            _thumb_kind(item, facts.get(pk)),
            item.original_filename[-4:].upper(),
            meta,
            badges.get(pk, ""),
        )
    return parts


MAP_WIDTH, MAP_HEIGHT, MAP_PAD = 480.0, 320.0, 16.0


def _area_rings(area) -> list[list[tuple[float, float]]]:
    geom = area.geom_display or area.geom
    if geom is None:
        return []
    if geom.num_coords > 4000:
        geom = geom.simplify(tolerance=max(geom.extent[2] - geom.extent[0], 0.001) / 800, preserve_topology=True)
    polygons = [geom] if geom.geom_type == "Polygon" else list(geom)
    return [[(float(x), float(y)) for x, y in ring.coords] for polygon in polygons for ring in polygon]


# The names' text as review.css draws it (12 units, semibold): about 0.62 of the size per letter.
LABEL_LETTER_WIDTH = 12 * 0.62


def _label_inside(x: float, name: str) -> float:
    """A site name's middle moved along its line so that the whole name is on the map (a site at the
    frame's edge was named "ong Dien Test Reserve"); a name wider than the map stays centred on it."""
    half = len(name) * LABEL_LETTER_WIDTH / 2 + 2
    if 2 * half >= MAP_WIDTH:
        return MAP_WIDTH / 2
    return round(min(max(x, half), MAP_WIDTH - half), 1)


def site_map(protected_area, pins: Collection[dict], other_sites: list | None = None) -> dict | None:
    """An SVG drawing of the boundary with evidence pins (no map library, no tiles needed).

    Longitude is scaled by cos(latitude) so the shape is not stretched; pins outside the boundary
    still show, and widen the frame. `other_sites`: a multi-site application's other areas (issue 16),
    drawn too, every site then named (`labels`)."""
    geom = protected_area.geom_display or protected_area.geom
    point = protected_area.point
    coords: list[tuple[float, float]] = []
    rings: list[list[tuple[float, float]]] = []
    others = [(area, _area_rings(area)) for area in other_sites or []]
    for _area, area_rings in others:
        rings.extend(area_rings)
        coords.extend(pt for ring in area_rings for pt in ring)
    if geom is not None:
        if geom.num_coords > 4000:
            geom = geom.simplify(tolerance=max(geom.extent[2] - geom.extent[0], 0.001) / 800, preserve_topology=True)
        polygons = [geom] if geom.geom_type == "Polygon" else list(geom)
        for polygon in polygons:
            for ring in polygon:
                pts = [(float(x), float(y)) for x, y in ring.coords]
                rings.append(pts)
                coords.extend(pts)
    elif point is not None:
        coords.append((float(point.x), float(point.y)))
    coords.extend((p["lon"], p["lat"]) for p in pins)
    if not coords:
        return None
    xs, ys = [c[0] for c in coords], [c[1] for c in coords]
    minx, maxx, miny, maxy = min(xs), max(xs), min(ys), max(ys)
    kx = math.cos(math.radians((miny + maxy) / 2)) or 1.0
    span_x, span_y = max((maxx - minx) * kx, 1e-6), max(maxy - miny, 1e-6)
    scale = min((MAP_WIDTH - 2 * MAP_PAD) / span_x, (MAP_HEIGHT - 2 * MAP_PAD) / span_y)
    off_x = (MAP_WIDTH - span_x * scale) / 2
    off_y = (MAP_HEIGHT - span_y * scale) / 2

    def project(lon: float, lat: float) -> tuple[float, float]:
        return round(off_x + (lon - minx) * kx * scale, 1), round(MAP_HEIGHT - off_y - (lat - miny) * scale, 1)

    path = " ".join(
        "M" + " L".join(f"{x},{y}" for x, y in (project(*pt) for pt in ring)) + " Z" for ring in rings if ring
    )
    site_point = project(float(point.x), float(point.y)) if (geom is None and point is not None) else None
    shown = []
    for pin in pins:
        x, y = project(pin["lon"], pin["lat"])
        shown.append({**pin, "x": x, "y": y})
    labels = []
    if others:
        for area, area_rings in [(protected_area, _area_rings(protected_area)), *others]:
            pts = [pt for ring in area_rings for pt in ring]
            if not pts:
                continue
            x, y = project(
                (min(p[0] for p in pts) + max(p[0] for p in pts)) / 2,
                (min(p[1] for p in pts) + max(p[1] for p in pts)) / 2,
            )
            labels.append({"x": _label_inside(x, area.name), "y": y, "name": area.name})
    return {
        "width": MAP_WIDTH,
        "height": MAP_HEIGHT,
        "path": path,
        "point": site_point,
        "pins": shown,
        "labels": labels,
    }


FORM_KINDS = ("review", "finding", "ask", "reply")
# The forms of an indicator's details (its questions thread), as opposed to those always on the page.
DETAIL_FORM_KINDS = ("ask", "reply")

# The words every indicator shows, translated once per page (a translate tag per row and label took
# a tenth of the page's time with 50 indicators), in Python so that the page, the indicator's page
# and its details fragment all have them: `row_labels()` goes into their context.
_ROW_LABELS = {
    "t_site_and_reviewers_disagree": gettext_noop("Site and reviewers disagree"),
    "t_reviewed": gettext_noop("Reviewed"),
    "t_changed": gettext_noop("Changed"),
    "t_disagreement": gettext_noop("Disagreement"),
    "t_unmet": gettext_noop("Unmet"),
    "t_changed_by_the_site_since": gettext_noop("Changed by the site since it was sent back"),
    "t_indicator": gettext_noop("Indicator"),
    "t_monitoring_series": gettext_noop("Monitoring series linked by the site"),
    "t_see_the_outcome_page": gettext_noop("See the outcome page: charts, effort, map"),
    "t_adapted_wording": gettext_noop("Adapted wording"),
    "t_means_of_verification": gettext_noop("Means of verification"),
    "t_the_sites_self_assessment": gettext_noop("The site’s self-assessment"),
    "t_sites_rating": gettext_noop("Site’s rating"),
    "t_action_colon": gettext_noop("Action:"),
    "t_evidence": gettext_noop("Evidence"),
    "t_no_evidence_linked": gettext_noop("No evidence linked."),
    "t_review": gettext_noop("Review"),
    "t_your_review": gettext_noop("Your review"),
    "t_out_of_date_the_site": gettext_noop("Out of date: the site changed this answer after your review."),
    "t_your_rating": gettext_noop("Your rating"),
    "t_finding": gettext_noop("Finding"),
    "t_comment": gettext_noop("Comment"),
    "t_share_with_the_group": gettext_noop("Share with the group"),
    "t_save_review": gettext_noop("Save review"),
    "t_other_experts_shared": gettext_noop("Other experts (shared)"),
    "t_out_of_date": gettext_noop("out of date"),
    "t_group_finding": gettext_noop("Group finding"),
    "t_none_yet": gettext_noop("None yet."),
    "t_change_the_group_finding": gettext_noop("Change the group finding"),
    "t_record_the_group_finding": gettext_noop("Record the group finding"),
    "t_group_rating": gettext_noop("Group rating"),
    "t_record_group_finding": gettext_noop("Record group finding"),
    "t_questions_to_the_site": gettext_noop("Questions to the site"),
    "t_question": gettext_noop("Question"),
    "t_evidence_colon": gettext_noop("Evidence:"),
    "t_your_answer": gettext_noop("Your answer"),
    "t_follow_up": gettext_noop("Follow up"),
    "t_add_new_evidence_optional": gettext_noop("Add new evidence (optional)"),
    "t_title_of_the_new_evidence": gettext_noop("Title of the new evidence"),
    "t_or_point_to_evidence_already": gettext_noop("Or point to evidence already uploaded"),
    "t_send": gettext_noop("Send"),
    "t_close_this_question": gettext_noop("Close this question"),
    "t_ask_the_site_a_question": gettext_noop("Ask the site a question on this indicator"),
    "t_send_question": gettext_noop("Send question"),
    "t_not_rated": gettext_noop("Not rated"),
    "t_new": gettext_noop("new"),
    "t_details_open": gettext_noop("Open them on a page of their own"),
}


# Their names, for what draws a row outside the page's context (reviews.templatetags.review_page.review_row).
ROW_LABEL_NAMES = tuple(_ROW_LABELS)


def row_labels() -> dict[str, str]:
    """The words of `_ROW_LABELS`, in the active language, by their names in the templates."""
    return {name: gettext(text) for name, text in _ROW_LABELS.items()}


@dataclass
class Row:
    """Everything shown for one indicator on the review page."""

    answer: Answer
    adapted: AdaptedIndicator | None = None
    site_rating: dict | None = None
    evidence: list = field(default_factory=list)
    evidence_count: int = 0  # of `evidence`, or counted in SQL when the items are not listed
    my_review: IndicatorReview | None = None
    my_review_out_of_date: bool = False
    other_reviews: list = field(default_factory=list)
    group_finding: GroupFinding | None = None
    group_out_of_date: bool = False
    requests: list = field(default_factory=list)
    changed_since_sent_back: bool = False
    disagree: bool = False
    unmet: bool = False
    reviewed: bool = False
    # Prepared for the page once here, not per row in the template (see `_evidence_parts`): the answer
    # id as text for ids and anchors (a template passes a number through localisation), what the
    # template shows of each item of `evidence` (with whether it is new since the site was sent
    # back), the rating choices, where its forms post, the answer's time and version (a template
    # `blocktranslate` per row took a tenth of the page's time), the wording to verify.
    key: str = ""
    evidence_items: list[tuple] = field(default_factory=list)
    rating_choices: dict = field(default_factory=dict)
    urls: dict = field(default_factory=dict)
    updated: str = ""
    version_note: str = ""
    # The row whose means of verification the page lists (the adapted indicator's when it has its
    # own, else the generic one's): a row, not its list, so the template shows them in the reader's
    # language ({% std_list %}); None when neither has any.
    means_of_verification_of: AdaptedIndicator | Indicator | None = None
    # A refused form shown again: what was typed and why it was refused, by form kind (every kind
    # has a key, so that the template's lookups find one: a missing key is a slow failed lookup).
    posted: dict = field(default_factory=dict)
    errors: dict = field(default_factory=lambda: dict.fromkeys(FORM_KINDS))
    # Monitoring series the site linked to this indicator (monitoring.outcomes.indicator_summaries).
    monitoring: list = field(default_factory=list)
    # The indicator's details (evidence list, questions thread): the fragment the page loads when the
    # indicator is opened, the indicator's own page (without JavaScript), and what the summary says.
    part_url: str = ""
    page_url: str = ""
    details_summary: str = ""

    @property
    def indicator(self):
        return self.answer.indicator

    @property
    def open_requests(self) -> int:
        return sum(1 for r in self.requests if r.status != RequestStatus.CLOSED)

    @property
    def answered_requests(self) -> int:
        """Open questions the site has answered: still open until the reviewer who asked closes them,
        so the header says how many of the open ones wait on the reviewers rather than on the site."""
        return sum(1 for r in self.requests if r.status == RequestStatus.ANSWERED)

    @property
    def review_values(self) -> dict:
        """What the expert's own review form shows: what was typed if it was refused, else the saved review."""
        if self.posted.get("review"):
            return self.posted["review"]
        mine = self.my_review
        if mine is None:
            return {"rating": None, "finding": "", "comment": "", "shared": False}
        return {"rating": mine.rating, "finding": mine.finding, "comment": mine.comment, "shared": mine.shared}

    @property
    def finding_values(self) -> dict:
        """What the group finding form shows: what was typed if it was refused, else the finding on
        record, else the expert's own review as a starting point."""
        if self.posted.get("finding"):
            return self.posted["finding"]
        start = self.group_finding or self.my_review
        return (
            {"rating": start.rating, "finding": start.finding} if start is not None else {"rating": None, "finding": ""}
        )

    @property
    def review_choices(self) -> list[tuple]:
        """The rating choices `(code, label, selected)` of the expert's own review form."""
        return self.rating_choices.get(self.review_values.get("rating")) or self.rating_choices.get(None, [])

    @property
    def finding_choices(self) -> list[tuple]:
        """The rating choices `(code, label, selected)` of the group finding form."""
        return self.rating_choices.get(self.finding_values.get("rating")) or self.rating_choices.get(None, [])

    @property
    def ask_question(self) -> str:
        """The question typed into this row's refused question form."""
        return (self.posted.get("ask") or {}).get("question", "")

    @property
    def reply_request(self) -> int | None:
        """The question whose refused answer form this row shows again."""
        return (self.posted.get("reply") or {}).get("request")

    @property
    def reply_text(self) -> str:
        """What was typed into this row's refused answer form."""
        return (self.posted.get("reply") or {}).get("text", "")


def _counted(key: tuple, say: Callable[[], str]) -> str:
    """What `say()` says (an `ngettext` of a count), remembered by `key` (what it depends on) and the
    request's language: the page says "3 evidence items" and "1 question" for each of fifty
    indicators, few of them distinct, and ngettext is slow in a loop. (`say` holds the literal
    ngettext call, for makemessages to find.)"""
    key = (*key, get_language())
    said = _COUNTED.get(key)
    if said is None:
        if len(_COUNTED) > 4096:
            _COUNTED.clear()
        said = _COUNTED[key] = say()
    return said


_COUNTED: dict[tuple, str] = {}


def _details_summary(row: Row) -> str:
    """What an indicator's closed details say they hold: how many items, how many questions."""
    n = row.evidence_count
    evidence = _counted(("items", n), lambda: ngettext("%(n)s evidence item", "%(n)s evidence items", n) % {"n": n})
    if not row.requests:
        return evidence
    q, o = len(row.requests), row.open_requests
    asked = _counted(("questions", q), lambda: ngettext("%(n)s question", "%(n)s questions", q) % {"n": q})
    if o:
        asked = _counted(
            ("open", q, o),
            lambda: ngettext("%(asked)s, %(n)s open", "%(asked)s, %(n)s open", o) % {"asked": asked, "n": o},
        )
    return f"{evidence} · {asked}"


def _pins(assessment: Assessment, user, page_url: str) -> list[dict]:
    """The map's pins: the located items of the assessment's answers this person sees, each once,
    linking to the item in its indicator's own page (the first indicator it is linked to, in the
    page's order: the page itself no longer lists the items). One query, of those items only, for
    their id, title and position."""
    visible = evidence_filter_of(user, assessment, via="evidenceitem__")
    if visible is None:
        return []
    position = "evidenceitem__facts__position"
    links = (
        Answer.evidence.through.objects.filter(answer__assessment=assessment, **{f"{position}__isnull": False})
        .filter(visible)
        .annotate(
            lon=Func(F(position), function="ST_X", output_field=FloatField()),
            lat=Func(F(position), function="ST_Y", output_field=FloatField()),
        )
        .order_by("answer__indicator__position", "evidenceitem__uploaded_at", "evidenceitem_id")
        .values_list("evidenceitem_id", "answer_id", "evidenceitem__title", "lon", "lat")  # type: ignore[misc]
    )
    pins: dict[int, dict] = {}
    for item_id, answer_id, title, lon, lat in links:
        if item_id not in pins:
            pins[item_id] = {
                "id": item_id,
                "title": title,
                "lon": lon,
                "lat": lat,
                "url": f"{page_url.format(answer_id)}#evidence-{item_id}",
            }
    return list(pins.values())


def review_page(assessment: Assessment, user, *, answer_id: int | None = None, item_lists: bool = True) -> dict:
    """The side-by-side review page, in a number of queries that does not depend on the number of
    indicators, evidence items, reviews or questions.

    With `answer_id`, the one indicator of that answer (the caller has checked it belongs to the
    assessment) with its details (`Row.evidence_items`, `site_evidence`): its details fragment and
    its own page. Without, every indicator, with the map and counts but no details: the page loads
    them per indicator.

    `item_lists=False` (the page): rows count their visible items (`Row.evidence_count`) rather than
    list them (`Row.evidence`, which the API and the details show), and the map's pins are read alone:
    the page no longer draws a thousand model instances it does not show."""
    standard = assessment.standard
    scale = {r["code"]: r for r in standard.localized_scale()}
    adapted = adaptations(assessment.adapted_set)
    details = answer_id is not None
    of_answers = {"answer_id": answer_id} if details else {"answer__assessment": assessment}
    lists = item_lists or details
    if lists:
        chosen = review_answers(assessment)
        answers = list(chosen.filter(pk=answer_id) if answer_id is not None else chosen)
    else:
        answers = list(review_answers_counted(assessment, evidence_filter_of(user, assessment, via="evidence__")))
    seat = rules.review_seats(user).get(assessment.pk)
    summary = (
        AssessmentReview.objects.filter(assessment=assessment)
        .select_related("recommended_by", "reviewer", "findings_released_by")
        .first()
    )
    released = bool(summary and summary.findings_released_at)
    show_findings = rules.can_see_group_findings(user, assessment, released)
    site_team = rules.is_site_team_of(user, assessment)

    reviews = list(
        IndicatorReview.objects.filter(**of_answers)
        .select_related("assignment__user")
        .order_by("assignment__assigned_at", "id")
    )
    by_answer_reviews: dict[int, list[IndicatorReview]] = {}
    for review in reviews:
        if rules.can_see_indicator_review(user, review, assessment):
            by_answer_reviews.setdefault(review.answer_id, []).append(review)
    findings = (
        {f.answer_id: f for f in GroupFinding.objects.filter(**of_answers).select_related("recorded_by")}
        if show_findings
        else {}
    )
    # The page only counts each indicator's questions (and the open ones): their threads are in the
    # details. Replies and the evidence they point to (two queries, a tenth of the page's time) are
    # read for the details and the API's lists only.
    threads = lists
    questions = InformationRequest.objects.filter(**of_answers).order_by("created_at", "id")
    if threads:
        questions = questions.select_related("asked_by").prefetch_related(
            Prefetch(
                "replies",
                queryset=InformationReply.objects.select_related("author").prefetch_related(
                    Prefetch(
                        "evidence", queryset=EvidenceItem.objects.only("id", "title", "sensitivity", "assessment_id")
                    )
                ),
            )
        )
    else:
        questions = questions.only("id", "answer_id", "status", "created_at")
    requests = list(questions)
    can_view_evidence = can_view_evidence_of(user, assessment)
    download = _url_format("evidence:download", _ID)
    reply_url, close_url = _url_format("reviews:request-reply", _ID), _url_format("reviews:request-close", _ID)
    by_answer_requests: dict[int, list[InformationRequest]] = {}
    for req in requests:
        by_answer_requests.setdefault(req.answer_id, []).append(req)
        if not threads:
            continue
        req.key, req.reply_url, req.close_url = str(req.pk), reply_url.format(req.pk), close_url.format(req.pk)
        req.created = _day(req.created_at)
        req.reply_list = list(req.replies.all())
        for reply in req.reply_list:
            reply.created = _minute(reply.created_at)
            reply.visible_evidence = [i for i in reply.evidence.all() if can_view_evidence(i)]
            reply.shown_evidence = [{"url": download.format(i.pk), "title": i.title} for i in reply.visible_evidence]
    sent_back = (
        AssessmentTransition.objects.filter(assessment=assessment, to_status=Status.CHANGES_REQUESTED)
        .order_by("-at", "-id")
        .values_list("at", flat=True)
        .first()
    )
    # Highlights matter once the site has resubmitted; while it edits, everything is "changing".
    highlight_changes = sent_back is not None and assessment.status not in (Status.CHANGES_REQUESTED,)

    allowed = [r for r in standard.localized_scale() if r.get("allowed_on_submit")]
    rating_choices = _rating_choices(allowed)
    post_urls = {
        kind: _url_format("reviews:indicator", assessment.pk, _ID, kind) for kind in ("review", "finding", "ask")
    }
    part_url = _url_format("reviews:indicator-part", assessment.pk, _ID)
    page_url = _url_format("reviews:indicator-page", assessment.pk, _ID)
    version_note = gettext("Version %(v)s, %(when)s")
    all_items = []
    rows = []
    for answer in answers:
        visible = [i for i in answer.evidence.all() if can_view_evidence(i)] if lists else []
        newest = newest_upload(answer)
        all_items.extend(visible)
        row = Row(
            answer=answer,
            adapted=adapted.get(answer.indicator_id),
            site_rating=scale.get(answer.rating),
            evidence=visible,
            evidence_count=len(visible) if lists else answer.visible_evidence,  # type: ignore[attr-defined]
            group_finding=findings.get(answer.pk),
            requests=by_answer_requests.get(answer.pk, []),
            urls={kind: url.format(answer.pk) for kind, url in post_urls.items()},
            part_url=part_url.format(answer.pk),
            page_url=page_url.format(answer.pk),
            key=str(answer.pk),
            rating_choices=rating_choices,
            updated=_minute(answer.updated_at),
        )
        row.version_note = version_note % {"v": answer.version, "when": row.updated}
        if row.adapted is not None and row.adapted.means_of_verification:
            row.means_of_verification_of = row.adapted
        elif answer.indicator.means_of_verification:
            row.means_of_verification_of = answer.indicator
        for review in by_answer_reviews.get(answer.pk, []):
            review.rating_info = scale.get(review.rating)
            review.out_of_date = changed_after(answer, newest, review.answer_version, review.updated_at)
            if review.assignment.user_id == user.pk:
                row.my_review = review
                row.my_review_out_of_date = review.out_of_date
            else:
                row.other_reviews.append(review)
        if row.group_finding is not None:
            row.group_finding.rating_info = scale.get(row.group_finding.rating)
            row.group_out_of_date = changed_after(
                answer, newest, row.group_finding.answer_version, row.group_finding.updated_at
            )
        if highlight_changes and sent_back is not None:
            row.changed_since_sent_back = answer.updated_at > sent_back or (newest is not None and newest > sent_back)
        expert_ratings = {r.rating for r in by_answer_reviews.get(answer.pk, [])}
        if row.group_finding is not None:
            expert_ratings.add(row.group_finding.rating)
        row.disagree = bool(answer.rating) and any(r != answer.rating for r in expert_ratings)
        site_met = bool(row.site_rating and row.site_rating.get("counts_as_met"))
        row.unmet = not site_met or any(not (scale.get(r) or {}).get("counts_as_met") for r in expert_ratings)
        if seat is not None and seat.role == AssignmentRole.EXPERT:
            row.reviewed = row.my_review is not None and not row.my_review_out_of_date
        else:
            row.reviewed = row.group_finding is not None and not row.group_out_of_date
        row.details_summary = _details_summary(row)
        rows.append(row)

    # Facts of every item linked to the answers (hidden ones too, as the prefetch above): only the
    # visible items' are used. The page needs them for the map's pins; the details for the badges.
    site_evidence: list[tuple[str, str]] = []
    badges = None
    if details:
        facts = evidence_facts(EvidenceItem.objects.filter(answers=answer_id))
        badges = evidence_badges(all_items, facts)
        # The site each item is about, in a multi-site application (issue 16): one query.
        about = dict(EvidenceItem.objects.filter(answers=answer_id, site__isnull=False).values_list("id", "site__name"))
        parts = _evidence_parts(all_items, facts, badges, evidence_origins(assessment), about)
        for row in rows:
            marked = row.changed_since_sent_back
            row.evidence_items = [(*parts[item.id], marked and item.uploaded_at > sent_back) for item in row.evidence]
        # What every open question's "point to evidence" list offers the site team: all the
        # assessment's evidence they see, not only this indicator's (the template renders these
        # options once and repeats them, `{% capture %}`, not once per question).
        if site_team:
            site_evidence = [
                (str(item.id), item.title)
                for item in EvidenceItem.objects.filter(answers__assessment=assessment)
                .only("id", "title", "sensitivity", "assessment_id")
                .distinct()
                .order_by("uploaded_at", "id")
                if can_view_evidence(item)
            ]
    # The site's monitoring series linked to these indicators (outcomes, 4.x and 3.7): one query, two
    # when there are links. Whoever sees this page sees the assessment, and so the area's monitoring
    # (monitoring.rules.can_view_monitoring: the area's assessments' own visibility rule).
    area = assessment.protected_area
    monitoring = indicator_summaries(area.pk, [row.indicator.number for row in rows])
    for row in rows:
        row.monitoring = monitoring.get(row.indicator.number, [])
    pins = {} if details else _pins(assessment, user, page_url)

    return {
        "rows": rows,
        "scale": allowed,
        "summary": summary,
        "released": released,
        "show_findings": show_findings,
        "site_team": site_team,
        "seat": seat,
        "expert_seat": seat is not None and seat.role == AssignmentRole.EXPERT,
        "sent_back_at": sent_back,
        "map": None if details else site_map(assessment.protected_area, pins, application_areas(assessment)[1:]),
        "show_badges": badges is not None,
        "outcomes_url": reverse("monitoring:outcomes", args=[area.pk]) if monitoring else "",
        "site_evidence": site_evidence,
        "counts": {
            "total": len(rows),
            "reviewed": sum(1 for r in rows if r.reviewed),
            "disagree": sum(1 for r in rows if r.disagree),
            "unmet": sum(1 for r in rows if r.unmet),
            "open_requests": sum(r.open_requests for r in rows),
            "answered_requests": sum(r.answered_requests for r in rows),
            "changed": sum(1 for r in rows if r.changed_since_sent_back),
        },
    }
