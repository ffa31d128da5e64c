"""Template tags of the assessment page."""

from collections.abc import Hashable
from typing import Any

from django import template
from django.template.defaulttags import CsrfTokenNode
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from core.fragments import CSRF_MARK, DrawnFragments, stored_values, with_csrf

register = template.Library()

# --- one indicator's block, drawn once per distinct data -------------------------------------------
# Fifty blocks of wording and forms were a third of the page's time in the template engine, and
# between two visits most show the same thing. Each block's HTML is kept (core.fragments) under a key
# made of everything `assessments/_answer.html` reads: the stored values of the rows of the database
# it shows (the answer, its indicator and their adaptation), the name of who saved it last, the
# values the page prepared for it (its questions, its linked items and their badges, its URLs), the
# scale, whether the person may edit, the adapted set's jurisdiction, the language and time zone. A
# change to any of them is a new key, so a kept block is never shown once its data changed. The CSRF
# field is never kept: the block is drawn with a mark where it goes, replaced on the way out.
# A block showing a refused form again (the error, or the other person's saved text) is drawn as it
# is, never kept.

_ANSWERS = DrawnFragments("assessments/_answer.html", max_entries=2_000)


def answer_key(answer: Any, context: Any) -> Hashable:
    """Everything `assessments/_answer.html` shows of `answer` in `context` (see above)."""
    assessment = context.get("assessment")
    adapted_set = assessment.adapted_set if assessment.adapted_set_id else None
    rating_info = getattr(answer, "rating_info", None) or {}
    return (
        get_language(),
        timezone.get_current_timezone_name(),
        bool(context.get("editable")),
        assessment.pk,
        str(adapted_set.jurisdiction) if adapted_set is not None else None,
        tuple((r["code"], r["label"]) for r in context.get("scale") or ()),
        stored_values(answer),
        str(answer.updated_by) if answer.updated_by_id else None,
        stored_values(answer.indicator),
        stored_values(answer.adapted),
        rating_info.get("label"),
        tuple((q.asked_by, q.asked_at, q.question, q.answer_url) for q in answer.questions),
        (answer.post_url, answer.link_url, answer.linked_url),
        tuple((e["id"], e["title"], e["url"], e["box"]) for e in answer.linked_shown),
        answer.more_ids,
        answer.more_text,
    )


@register.simple_tag(takes_context=True)
def answer_block(context, answer) -> SafeString:
    """`assessments/_answer.html` for `answer`: kept and reused while its data is the same (see above)."""
    # The request's CSRF field, as {% csrf_token %} draws it.
    csrf_input = CsrfTokenNode().render(context)
    if answer.error is not None or answer.theirs is not None:
        with context.push(a=answer, csrf_input=csrf_input):
            # drawn in the page's context, as {% include %} would
            return SafeString(context.template.engine.get_template("assessments/_answer.html").render(context))
    drawn = _ANSWERS.draw(
        answer_key(answer, context),
        {
            "a": answer,
            "assessment": context.get("assessment"),
            "editable": context.get("editable"),
            "scale": context.get("scale"),
            "csrf_input": CSRF_MARK,
        },
    )
    return with_csrf(drawn, csrf_input)
