"""Template tags of the review page."""

from django import template

from core.fragments import DrawnFragments

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
