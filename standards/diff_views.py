"""Pages: the diff between two versions of the Standard (or a version and an adapted set), and the
translation state of a version (issue 14). The comparison is standards.diff's; these views read the
query, pick what to show and draw it."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError

from . import diff
from .models import Wording
from .selectors import standards_visible
from .texts import SOURCE_LANGUAGE, target_languages
from .translation_state import translation_state

FIELD_LABELS = {
    "title": _("Title"),
    "description": _("Description"),
    "text": _("Text"),
    "means_of_verification": _("Means of verification"),
    "guidance": _("Guidance"),
    "thresholds": _("Thresholds"),
    "sdgs": _("Related SDGs"),
    "wording": _("Wording"),
}
STATUS_LABELS = {
    diff.ADDED: _("Added"),
    diff.REMOVED: _("Removed"),
    diff.MOVED: _("Moved"),
    diff.REWORDED: _("Reworded"),
    diff.UNCHANGED: _("Unchanged"),
}
KIND_LABELS = {
    "standard": _("Standard"),
    "component": _("Component"),
    "criterion": _("Criterion"),
    "indicator": _("Indicator"),
}
ALL = "all"


def language_names() -> dict[str, Any]:
    return dict(settings.LANGUAGES)


def language_filters() -> list[str]:
    return [SOURCE_LANGUAGE, *target_languages()]


def _change_view(change: diff.FieldChange, names: dict[str, Any]) -> dict[str, Any]:
    view: dict[str, Any] = {
        "label": FIELD_LABELS.get(change.field, change.field),
        "language": change.language,
        "language_name": names.get(change.language, change.language) if change.language else "",
        "segments": change.segments,
        "is_list": change.field == "means_of_verification",
        "is_choice": change.field == "wording",
    }
    if change.field == "wording":
        view["old"] = Wording(change.old).label if change.old in Wording.values else change.old
        view["new"] = Wording(change.new).label if change.new in Wording.values else change.new
    return view


def _card(entry: diff.IndicatorDiff, n: int, language: str | None, names: dict[str, Any]) -> dict[str, Any]:
    """One indicator's card. An added or removed indicator shows its texts whole, its English title
    being the card's own heading; with every language shown, its translations wait behind a
    disclosure, so that one new indicator does not fill the screen three times over."""
    changes = entry.changes_in(language)
    more: list[diff.FieldChange] = []
    if entry.status in (diff.ADDED, diff.REMOVED):
        changes = tuple(c for c in changes if (c.field, c.language) != ("title", SOURCE_LANGUAGE))
        if language is None:
            more = [c for c in changes if c.language not in (SOURCE_LANGUAGE, diff.NEUTRAL)]
            changes = tuple(c for c in changes if c not in more)
    return {
        "entry": entry,
        "status_label": STATUS_LABELS[entry.status],
        "changes": [_change_view(c, names) for c in changes],
        "more": [_change_view(c, names) for c in more],
        "more_languages": sorted({str(names.get(c.language, c.language)) for c in more}),
        "anchor": f"i-{n}",
    }


def _query(params: dict[str, str], **changes: str | None) -> str:
    merged = {**params, **changes}
    return "?" + urlencode({k: v for k, v in merged.items() if v})


def diff_page(request: HttpRequest) -> HttpResponse:
    """/standard/diff/?from=<id>&to=<id> (either may be set:<id>, an adapted set): per indicator,
    added, removed, moved, reworded, with the words that changed marked. Drafts are for the
    keepers of the Standard; anything a reader may not see is 404, as an unknown id is."""
    user = request.user
    raw_from = request.GET.get("from", "").strip()
    raw_to = request.GET.get("to", "").strip()
    status_filter = request.GET.get("status", "")
    status_filter = status_filter if status_filter in diff.STATUSES else ""
    language = request.GET.get("lang", ALL)
    language = language if language in language_filters() else ALL
    show_unchanged = request.GET.get("unchanged") == "1" or status_filter == diff.UNCHANGED
    params = {"from": raw_from, "to": raw_to, "lang": "" if language == ALL else language}

    sides = diff.sides_for(user)
    context: dict[str, Any] = {
        "versions": [s for s in sides if s.adapted_set is None],
        "adapted_sets": [s for s in sides if s.adapted_set is not None],
        "pickers": [("from", _("From (older)"), raw_from), ("to", _("To (newer)"), raw_to)],
        "language": language,
        "language_choices": [(code, language_names().get(code, code)) for code in language_filters()],
        "status_filter": status_filter,
        "show_unchanged": show_unchanged,
    }
    if not raw_from and not raw_to:
        return render(request, "standards/diff/diff.html", context)
    try:
        new = diff.side_for(user, raw_to, "to")
        if new is None:
            raise Http404("No such version or adapted set.")
        old = diff.side_for(user, raw_from, "from") if raw_from else diff.default_base(user, new)
    except DomainError as error:
        context["error"] = error.message
        return render(request, "standards/diff/diff.html", context, status=400)
    if old is None:
        raise Http404("No such version or adapted set.")
    if not raw_from:
        params["from"] = old.key
        context["pickers"] = [("from", _("From (older)"), old.key), ("to", _("To (newer)"), raw_to)]

    result = diff.diff_sides(old, new)
    lang = None if language == ALL else language
    entries = result.entries(status=status_filter or None, language=lang)
    hidden = 0
    if not show_unchanged:
        hidden = sum(e.status == diff.UNCHANGED for e in entries)
        entries = [e for e in entries if e.status != diff.UNCHANGED]
    names = language_names()
    cards = [_card(e, n, lang, names) for n, e in enumerate(entries, start=1)]
    sections = [
        {
            "section": s,
            "status_label": STATUS_LABELS[s.status],
            "changes": [_change_view(c, names) for c in s.changes_in(lang)],
        }
        for s in result.sections
        if s.status != diff.UNCHANGED and (s.status != diff.REWORDED or s.changes_in(lang))
    ]
    summary = result.summary.as_dict()
    filters = [
        {
            "status": status,
            "label": STATUS_LABELS[status],
            "count": summary[status],
            "url": _query(params, status=status, unchanged="1" if status == diff.UNCHANGED else None),
            "active": status == status_filter,
        }
        for status in diff.STATUSES
    ]
    context.update(
        old=old,
        new=new,
        result=result,
        summary=summary,
        filters=filters,
        all_url=_query(params),
        cards=cards,
        sections=sections,
        hidden_unchanged=hidden,
        toggle_url=_query(params, status=status_filter or None, unchanged=None if show_unchanged else "1"),
        language_urls=[
            (code, name, _query({**params, "lang": "" if code == ALL else code}, status=status_filter or None))
            for code, name in [(ALL, _("All languages")), *context["language_choices"]]
        ],
    )
    return render(request, "standards/diff/diff.html", context)


def translations_page(request: HttpRequest, pk: int) -> HttpResponse:
    """/standard/versions/<pk>/translations/: per language, what is translated and what is not,
    with the missing texts listed (a draft's indicators link to their edit page)."""
    standard = standards_visible(request.user).filter(pk=pk).first()
    if standard is None:
        raise Http404("No such version of the Standard.")
    names = language_names()
    states = translation_state(standard)
    return render(
        request,
        "standards/diff/translations.html",
        {
            "standard": standard,
            "states": [
                {
                    "state": state,
                    "name": names.get(state.language, state.language),
                    "counts": [
                        {"count": c, "kind": KIND_LABELS[c.kind], "field": FIELD_LABELS.get(c.field, c.field)}
                        for c in state.counts
                    ],
                    "missing": [
                        {
                            "text": m,
                            "kind": KIND_LABELS[m.kind],
                            "fields": [FIELD_LABELS.get(f, f) for f in m.fields],
                            "edit_url": (
                                f"/standard/versions/{standard.pk}/indicators/{m.object_id}/edit/"
                                if standard.is_draft and m.kind == "indicator"
                                else ""
                            ),
                        }
                        for m in state.missing_texts
                    ],
                }
                for state in states
            ],
        },
    )
