"""Fragment templates whose output is reused while the data they draw is the same.

A page that lists a thousand items (the review page's evidence) spends most of its time in the
template engine drawing rows that did not change since the last visit. A fragment's HTML depends
only on the data it is given (translated words included, so each language has its own), so the
same data gives the same HTML: `DrawnFragments.draw` renders a fragment once per distinct data in
this process and reuses it. The markup stays in the template and every value is escaped there;
nothing here builds HTML.

A page's repeated blocks (an indicator's row, with its forms) are kept the same way, under a key
made of every value the block shows (`stored_values` of the rows of the database it draws from,
`frozen` for the rest), and with the CSRF field left out: the block is drawn with `CSRF_MARK`
where the field goes, and `with_csrf` puts the request's own in (a token is never kept).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

from django.template.loader import get_template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString


class DrawnFragments:
    """The output of one fragment template by the data it was drawn from (`key`: everything the
    template reads from `context`, as a hashable value). Emptied when full, or when the template
    changes (the development server reloaded it)."""

    def __init__(self, template_name: str, *, max_entries: int = 20_000) -> None:
        self.template_name = template_name
        self.max_entries = max_entries
        self._drawn: dict[Hashable, SafeString] = {}
        self._compiled: object = None

    def _template(self) -> Any:
        template = get_template(self.template_name)
        # get_template() wraps the engine's template anew on each call; the cached loader's
        # compiled template inside is the same object until the file changes.
        compiled = getattr(template, "template", template)
        if compiled is not self._compiled:
            self._drawn.clear()
            self._compiled = compiled
        return template

    def _keep(self, key: Hashable, html: str) -> SafeString:
        if len(self._drawn) >= self.max_entries:
            self._drawn.clear()
        drawn = self._drawn[key] = SafeString(html)
        return drawn

    def draw(self, key: Hashable, context: Mapping[str, Any]) -> SafeString:
        template = self._template()
        html = self._drawn.get(key)
        return html if html is not None else self._keep(key, template.render(dict(context)))

    def draw_each(self, keyed: Mapping[Any, tuple[Hashable, Any]], *, name: str) -> dict[Any, SafeString]:
        """For a list template that draws `name` (a list) with `separator` between two items: each
        value of `keyed` ((key, item) by id), the items not drawn before in ONE render, so a page
        of a thousand new items costs one render, not a thousand."""
        template = self._template()
        missing = [i for i, (key, _) in keyed.items() if key not in self._drawn]
        if missing:
            html = template.render({name: [keyed[i][1] for i in missing], "separator": SEPARATOR})
            # Each part is the template's own (escaped) output for one item, in the order of `missing`.
            for i, part in zip(missing, html.split(SEPARATOR), strict=True):
                self._keep(keyed[i][0], part)
        return {i: self._drawn[key] for i, (key, _) in keyed.items()}


# Between two items of one render (`draw_each`): the database stores no NUL in text, and the
# templates add none, so no item's HTML contains it.
SEPARATOR = "\x00"


# Where a kept block's CSRF field goes: no stored text holds a NUL (see SEPARATOR).
CSRF_MARK = SafeString("\x00csrf\x00")


def with_csrf(drawn: str, csrf_input: Any) -> SafeString:
    """A block drawn with `CSRF_MARK` as its CSRF field, with the request's field (`csrf_input`,
    escaped as `{{ csrf_input }}` would be; the pages' own is safe HTML from `{% csrf_token %}`)."""
    return SafeString(drawn.replace(CSRF_MARK, conditional_escape(csrf_input)))


def frozen(value: Any) -> Hashable:
    """A value as a hashable one, for a key (JSON fields hold dicts and lists)."""
    if isinstance(value, dict):
        return tuple(sorted((k, frozen(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return tuple(frozen(v) for v in value)
    return value


def stored_values(obj: Any) -> tuple:
    """Every stored value of a model instance as loaded, for a key: any write to its row changes
    one of them. (A deferred column, never loaded, is left out: a block cannot show it without a
    query of its own.) None gives ()."""
    if obj is None:
        return ()
    loaded = vars(obj)
    return (type(obj).__name__, *(frozen(loaded.get(f.attname)) for f in obj._meta.concrete_fields))
