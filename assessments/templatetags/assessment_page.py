"""Template tags of the assessment page."""

from collections.abc import Hashable
from typing import Any

from django import template
from django.template.defaulttags import CsrfTokenNode
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext, gettext_noop

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

# The words every block shows, translated once per page (a translate tag per block and label cost as
# much as the rest of a block drawn anew): in the context of every block, kept or not.
_ANSWER_LABELS = {
    "t_add_evidence": gettext_noop("Add or link evidence"),
    "t_prefilled": gettext_noop("Prefilled from the previous cycle"),
    "t_carried_over": gettext_noop("carried over"),
    "t_adapted_for": gettext_noop("Adapted for"),
    "t_generic_wording": gettext_noop("Generic wording"),
    "t_thresholds": gettext_noop("Thresholds"),
    "t_means_of_verification": gettext_noop("Means of verification"),
    "t_question_from_a_reviewer": gettext_noop("Question from a reviewer"),
    "t_answer_it": gettext_noop("Answer it, with a file if you have one"),
    "t_their_saved_text": gettext_noop("Their saved text"),
    "t_version": gettext_noop("version"),
    "t_your_text_is_kept": gettext_noop("Your text is still in the form below. Save again to keep yours."),
    "t_rating": gettext_noop("Rating"),
    "t_choose_a_rating": gettext_noop("— choose a rating —"),
    "t_justification": gettext_noop("Justification"),
    "t_evidence_refers_to": gettext_noop("Date the evidence refers to"),
    "t_action_plan": gettext_noop("Action plan"),
    "t_action_plan_needed": gettext_noop("needed when the indicator is not fully met"),
    "t_what_will_be_done": gettext_noop("What will be done"),
    "t_by_whom": gettext_noop("By whom"),
    "t_by_when": gettext_noop("By when"),
    "t_save": gettext_noop("Save"),
    "t_last_saved_by": gettext_noop("Last saved by"),
    "t_evidence_date": gettext_noop("Evidence date"),
    "t_action": gettext_noop("Action"),
    "t_evidence": gettext_noop("Evidence"),
}


def answer_labels() -> dict[str, str]:
    """The words of `_ANSWER_LABELS`, in the active language, by their names in the template."""
    return {name: gettext(text) for name, text in _ANSWER_LABELS.items()}


_LABELS_KEY = "assessments.answer_labels"


def _page_labels(context) -> dict[str, str]:
    """`answer_labels()`, once per drawing of the page (kept with it, in its render context)."""
    labels = context.render_context.get(_LABELS_KEY)
    if labels is None:
        labels = context.render_context[_LABELS_KEY] = answer_labels()
    return labels


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
        tuple((r["code"], r["label"]) for r in context.get("scale") or ()),  # Localized: says if translated
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
    labels = _page_labels(context)
    if answer.error is not None or answer.theirs is not None:
        with context.push(a=answer, csrf_input=csrf_input, **labels):
            # drawn in the page's context, as {% include %} would
            return SafeString(context.template.engine.get_template("assessments/_answer.html").render(context))
    drawn = _ANSWERS.draw(
        answer_key(answer, context),
        {
            **labels,
            "a": answer,
            "assessment": context.get("assessment"),
            "editable": context.get("editable"),
            "scale": context.get("scale"),
            "csrf_input": CSRF_MARK,
        },
    )
    return with_csrf(drawn, csrf_input)
