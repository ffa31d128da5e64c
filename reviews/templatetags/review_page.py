"""Template tags of the review page."""

from collections.abc import Hashable
from typing import Any

from django import template
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from core.fragments import CSRF_MARK, DrawnFragments, frozen, stored_values, with_csrf
from reviews.review_page import ROW_LABEL_NAMES

register = template.Library()


class CaptureNode(template.Node):
    def __init__(self, nodelist: template.NodeList, name: str):
        self.nodelist, self.name = nodelist, name

    def render(self, context) -> str:
        # What the template rendered (its values escaped as anywhere else), kept as rendered.
        context[self.name] = self.nodelist.render(context)
        return ""


@register.tag
def capture(parser, token):
    """`{% capture name %}…{% endcapture %}` renders its content once, here, into the variable `name`
    instead of the page, for `{{ name }}` to repeat it.

    The review page offers the site team the same list of its evidence (up to a thousand
    `<option>`s) under every open question: rendered once and repeated, rather than looped over
    once per question."""
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("usage: {% capture name %}…{% endcapture %}")
    nodelist = parser.parse(("endcapture",))
    parser.delete_first_token()
    return CaptureNode(nodelist, bits[1])


_RATING_OPTIONS = DrawnFragments("reviews/_rating_options.html")


@register.simple_tag
def rating_options(choices) -> str:
    """The `<option>`s of a rating select for `choices` (`(code, label, selected)`, from
    `Row.review_choices` or `Row.finding_choices`), from `reviews/_rating_options.html`.

    Drawn once for each distinct list (there are as many as ratings, plus none selected, per
    language: the labels are in the list) and reused (core.fragments), rather than looped over in
    each of a hundred selects. (A cache in the render context was lost at the end of each row's
    `{% include %}`, which has a render context of its own.)"""
    key = tuple(choices)
    return _RATING_OPTIONS.draw(key, {"choices": key})


_EVIDENCE_ITEMS = DrawnFragments("reviews/_evidence_items.html")


@register.simple_tag(takes_context=True)
def evidence_items(context, items) -> str:
    """One indicator's evidence list (`reviews/_evidence_items.html`) for `items`, the tuples of
    `Row.evidence_items`: each item's strings, its badges' HTML and its "new" mark, so the tuples
    are all the list shows. Drawn once per distinct list and reused on later visits
    (core.fragments): a thousand items cost more in the template engine than the rest of the page."""
    words = (context.get("t_new", ""), context.get("t_no_evidence_linked", ""))
    return _EVIDENCE_ITEMS.draw(
        (tuple(items), words), {"items": items, "t_new": words[0], "t_no_evidence_linked": words[1]}
    )


# --- one indicator's row, drawn once per distinct data ---------------------------------------------
# Fifty rows of headings, texts and forms were half the page's time in the template engine, and
# between two visits most rows show the same thing. Each row's HTML is kept (core.fragments) under a
# key made of everything `reviews/_row.html` reads: the stored values of every row of the database
# it shows (the answer, the indicator and its adaptation, the reviews, the group finding), the values
# review_page prepared for it, what the person may do, the language and time zone. A change to any of
# them is a new key, so a kept row is never shown once its data changed. The CSRF field is never
# kept: the row is drawn with a mark where the field goes, replaced on the way out.
# A row showing a refused form again (what was typed, the error), or its details (the indicator's
# own page) is drawn as it is, never kept.

_ROWS = DrawnFragments("reviews/_row.html", max_entries=2_000)
# What the page's context gives every row (beyond the labels, whose words are the language's).
_ROW_CONTEXT = ("expert_seat", "can_write", "can_group", "show_findings", "outcomes_url")


def _label(info: dict | None) -> str | None:
    return (info or {}).get("label")


def row_key(row: Any, context: Any) -> Hashable:
    """Everything `reviews/_row.html` shows of `row` in `context` (see above)."""
    mine, group = row.my_review, row.group_finding
    return (
        get_language(),
        timezone.get_current_timezone_name(),
        tuple(context.get(name) for name in _ROW_CONTEXT),
        (row.key, tuple(row.urls.items()), row.part_url, row.page_url, row.details_summary, row.version_note),
        (row.changed_since_sent_back, row.unmet, row.disagree, row.reviewed),
        (row.open_requests, row.answered_requests),
        (row.my_review_out_of_date, row.group_out_of_date),
        stored_values(row.answer),
        stored_values(row.indicator),
        stored_values(row.adapted),
        row.means_of_verification_of is row.adapted,
        _label(row.site_rating),
        tuple(str(m["text"]) for m in row.monitoring),  # indicator_summaries: dicts
        stored_values(mine),
        _label(getattr(mine, "rating_info", None)),
        tuple(
            (stored_values(r), str(r.assignment.user), _label(r.rating_info), r.out_of_date) for r in row.other_reviews
        ),
        stored_values(group),
        _label(getattr(group, "rating_info", None)),
        frozen(row.review_values),
        frozen(row.finding_values),
        tuple(row.review_choices),
        tuple(row.finding_choices),
    )


@register.simple_tag(takes_context=True)
def review_row(context, row) -> SafeString:
    """`reviews/_row.html` for `row`: kept and reused while its data is the same (see above)."""
    csrf_input = context.get("csrf_input", "")
    if row.posted or any(row.errors.values()):
        with context.push(row=row):
            # drawn in the page's context, as {% include %} would
            return SafeString(context.template.engine.get_template("reviews/_row.html").render(context))
    labels = {name: context.get(name) for name in ROW_LABEL_NAMES}
    drawn = _ROWS.draw(
        row_key(row, context),
        {
            **labels,
            **{name: context.get(name) for name in _ROW_CONTEXT},
            "row": row,
            "csrf_input": CSRF_MARK,
        },
    )
    return with_csrf(drawn, csrf_input)
