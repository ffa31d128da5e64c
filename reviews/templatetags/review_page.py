"""Template tags of the review page."""

from django import template

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


@register.simple_tag(takes_context=True)
def rating_options(context, choices) -> str:
    """The `<option>`s of a rating select for `choices` (`(code, label, selected)`, from
    `Row.review_choices` or `Row.finding_choices`), from `reviews/_rating_options.html`.

    Rendered once per page for each distinct list (there are as many as ratings, plus none
    selected) and repeated, rather than looped over in each of a hundred selects."""
    rendered = context.render_context.setdefault("rating_options", {})
    key = tuple(choices)
    if key not in rendered:
        rendered[key] = context.template.engine.get_template("reviews/_rating_options.html").render(
            template.Context({"choices": choices}, autoescape=context.autoescape)
        )
    return rendered[key]
