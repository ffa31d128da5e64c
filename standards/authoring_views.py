"""Pages of the Standard's versions: the list, a published version (read-only, public), and for
the keepers of the Standard a draft's editor, its forms, preview and publishing (issue 14).

Thin: the rules are standards.authoring's. Order of the checks on every page that changes a
draft: the version must be visible (drafts are the keepers' only: others get 404), then the
person must be a keeper (403 with the reason), then the version must be a draft (409: a published
version never changes), then the form is read.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from accounts import rules
from core.errors import Conflict, DomainError
from core.pages import refuse_if_not_allowed

from . import authoring, error_codes, selectors
from .models import Component, Criterion, Indicator, Standard, Wording
from .texts import LIST_TEXTS, TRANSLATABLE, target_languages

FIELD_LABELS = {
    "title": gettext_lazy("Title"),
    "text": gettext_lazy("Text"),
    "description": gettext_lazy("Description"),
    "means_of_verification": gettext_lazy("Means of verification (one per line)"),
    "guidance": gettext_lazy("Guidance"),
}
LANGUAGE_NAMES = {"en": gettext_lazy("English"), "fr": gettext_lazy("French"), "es": gettext_lazy("Spanish")}
# The 17 Sustainable Development Goals, by number (their short English names).
SDG_NAMES = {
    1: gettext_lazy("No poverty"),
    2: gettext_lazy("Zero hunger"),
    3: gettext_lazy("Good health and well-being"),
    4: gettext_lazy("Quality education"),
    5: gettext_lazy("Gender equality"),
    6: gettext_lazy("Clean water and sanitation"),
    7: gettext_lazy("Affordable and clean energy"),
    8: gettext_lazy("Decent work and economic growth"),
    9: gettext_lazy("Industry, innovation and infrastructure"),
    10: gettext_lazy("Reduced inequalities"),
    11: gettext_lazy("Sustainable cities and communities"),
    12: gettext_lazy("Responsible consumption and production"),
    13: gettext_lazy("Climate action"),
    14: gettext_lazy("Life below water"),
    15: gettext_lazy("Life on land"),
    16: gettext_lazy("Peace, justice and strong institutions"),
    17: gettext_lazy("Partnerships for the goals"),
}


# --- finding things ------------------------------------------------------------------------------


def _version(request, pk: int) -> Standard:
    return get_object_or_404(selectors.standards_visible(request.user), pk=pk)


def _draft(request, pk: int) -> Standard:
    """A draft to change: visible (404), the person a keeper (403), a draft (409 page, raised)."""
    version = _version(request, pk)
    authoring.keeper_required(request.user)
    return version


def _frozen_page(request, version: Standard):
    message = _("%(version)s is published: a published version never changes; create a draft from it.") % {
        "version": version
    }
    return render(request, "409.html", {"exception": message}, status=409)


def _revision(request) -> int | None:
    try:
        return int(request.POST.get("revision", ""))
    except ValueError:
        return None


def _languages() -> list[str]:
    return authoring.languages()


# --- texts in every language, as forms show them -------------------------------------------------


def _texts_from_post(post, kind: str) -> dict[str, dict[str, Any]]:
    return {
        language: {field: post.get(f"{language}-{field}", "") for field in TRANSLATABLE[kind]}
        for language in _languages()
    }


def _texts_of(obj, kind: str) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for language in _languages():
        stored = obj.translations.get(language, {}) if language != "en" else {}
        out[language] = {}
        for field in TRANSLATABLE[kind]:
            value = getattr(obj, field) if language == "en" else stored.get(field, "")
            out[language][field] = "\n".join(value) if field in LIST_TEXTS and isinstance(value, list) else value
    return out


def _sections(kind: str, values: dict[str, dict[str, Any]], current: dict[str, dict[str, Any]] | None = None):
    """The form's sections, one per language: each field's name, label, value (and, after a
    conflict, the value saved meanwhile)."""
    multiline = {"text", "description", "means_of_verification", "guidance"}
    return [
        {
            "code": language,
            "name": LANGUAGE_NAMES.get(language, language),
            "fields": [
                {
                    "name": f"{language}-{field}",
                    "label": FIELD_LABELS[field],
                    "value": values.get(language, {}).get(field, ""),
                    "current": None if current is None else current.get(language, {}).get(field, ""),
                    "multiline": field in multiline,
                    "required": language == "en" and field in authoring.REQUIRED_EN[kind],
                }
                for field in TRANSLATABLE[kind]
            ],
        }
        for language in _languages()
    ]


def _texts_form(request, version: Standard, obj, kind: str, save, *, template: str, extra: dict | None = None):
    """GET shows the texts; POST saves them through `save(revision, texts)`. A conflict keeps what
    was typed and shows what was saved meanwhile; the next save starts from the current revision."""
    extra = dict(extra or {})
    context: dict[str, Any] = {"version": version, "obj": obj, "kind": kind, "revision": version.revision, **extra}
    values = _texts_of(obj, kind)
    current = None
    status = 200
    if request.method == "POST":
        values = _texts_from_post(request.POST, kind)
        try:
            saved = save(_revision(request), values)
        except DomainError as exc:
            refuse_if_not_allowed(exc)
            if exc.code == error_codes.STANDARD_PUBLISHED_FROZEN:
                return _frozen_page(request, version)
            status = 409 if isinstance(exc, Conflict) else 400
            context["error"] = exc.message
            context["problems"] = exc.data.get("problems", [])
            if exc.code == error_codes.STANDARD_DRAFT_CHANGED:
                context["revision"] = exc.data["revision"]
                context["conflict"] = True
                if obj.pk is not None:  # a new indicator has nothing saved meanwhile to show
                    fresh = type(obj).objects.get(pk=obj.pk)
                    current = _texts_of(fresh, kind)
                    context["current_extra"] = extra.get("current_of", lambda o: {})(fresh)
            else:
                context["revision"] = _revision(request)
            context.update(extra.get("posted_of", lambda p: {})(request.POST))
        else:
            messages.success(request, _("Saved."))
            return redirect(_after_save(version, saved))
    context["sections"] = _sections(kind, values, current)
    context.pop("current_of", None)
    context.pop("posted_of", None)
    return render(request, template, context, status=status)


def _after_save(version: Standard, obj) -> str:
    anchor = {Indicator: "indicator", Criterion: "criterion", Component: "component"}.get(type(obj))
    url = reverse("standards:version", args=[version.pk])
    return f"{url}#{anchor}-{obj.pk}" if anchor else url


# --- the list and a version ----------------------------------------------------------------------


@require_GET
def versions(request):
    """Every published version (public reference text), and the drafts for the keepers."""
    rows = selectors.standards_visible(request.user).select_related("based_on").order_by("code", "-loaded_at", "-id")
    return render(
        request,
        "standards/authoring/versions.html",
        {"versions": rows, "can_author": rules.can_author_standard(request.user)},
    )


@require_GET
def version_detail(request, pk: int):
    """A published version read-only (public), or a draft's editor (keepers: others never see it)."""
    version = _version(request, pk)
    components = list(selectors.standard_tree(version).order_by("position"))
    context = {
        "version": version,
        "components": components,
        "can_author": rules.can_author_standard(request.user),
        "n_indicators": sum(len(k.indicators.all()) for c in components for k in c.criteria.all()),
    }
    if version.is_draft:
        context["translation_languages"] = target_languages()
        return render(request, "standards/authoring/editor.html", context)
    context["others"] = selectors.standards_visible(request.user).exclude(pk=version.pk).order_by("-loaded_at")
    return render(request, "standards/authoring/published.html", context)


@login_required
@require_GET
def preview(request, pk: int):
    """The draft as site managers will see it once published, in the page's language."""
    version = _draft(request, pk)
    components = list(selectors.standard_tree(version).order_by("position"))
    return render(request, "standards/authoring/preview.html", {"version": version, "components": components})


@login_required
@require_http_methods(["GET", "POST"])
def draft_new(request, pk: int):
    source = _version(request, pk)
    authoring.keeper_required(request.user)
    error, label = None, request.POST.get("version", "")
    if request.method == "POST":
        try:
            draft = authoring.draft_create(source=source, by=request.user, version=label)
        except DomainError as exc:
            refuse_if_not_allowed(exc)
            error = exc.message
        else:
            messages.success(request, _("Draft %(version)s created: edit it below.") % {"version": draft.version})
            return redirect("standards:version", pk=draft.pk)
    return render(
        request,
        "standards/authoring/draft_new.html",
        {"source": source, "error": error, "label": label},
        status=400 if error else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def draft_edit(request, pk: int):
    draft = _draft(request, pk)
    if not draft.is_draft:
        return _frozen_page(request, draft)

    def save(revision, texts):
        return authoring.draft_update(
            draft=draft,
            by=request.user,
            revision=revision,
            version=request.POST.get("version", ""),
            provenance=request.POST.get("provenance", ""),
            texts={language: {"title": fields["title"]} for language, fields in texts.items()},
        )

    return _texts_form(
        request,
        draft,
        draft,
        "standard",
        save,
        template="standards/authoring/draft_edit.html",
        extra={
            "meta": {"version": draft.version, "provenance": draft.provenance},
            "posted_of": lambda post: {
                "meta": {"version": post.get("version", ""), "provenance": post.get("provenance", "")}
            },
            "current_of": lambda fresh: {"version": fresh.version, "provenance": fresh.provenance},
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def component_edit(request, pk: int, cpk: int):
    draft = _draft(request, pk)
    component = get_object_or_404(Component, pk=cpk, standard=draft)
    if not draft.is_draft:
        return _frozen_page(request, draft)
    return _texts_form(
        request,
        draft,
        component,
        "component",
        lambda revision, texts: authoring.component_update(
            component=component, by=request.user, revision=revision, texts=texts
        ),
        template="standards/authoring/texts_edit.html",
        extra={"heading": _("Component %(number)s") % {"number": component.number}},
    )


@login_required
@require_http_methods(["GET", "POST"])
def criterion_edit(request, pk: int, kpk: int):
    draft = _draft(request, pk)
    criterion = get_object_or_404(Criterion.objects.select_related("component"), pk=kpk, component__standard=draft)
    if not draft.is_draft:
        return _frozen_page(request, draft)
    return _texts_form(
        request,
        draft,
        criterion,
        "criterion",
        lambda revision, texts: authoring.criterion_update(
            criterion=criterion, by=request.user, revision=revision, texts=texts
        ),
        template="standards/authoring/texts_edit.html",
        extra={"heading": _("Criterion %(number)s") % {"number": criterion.number}},
    )


def _sdgs_posted(post) -> list[int]:
    return [int(n) for n in post.getlist("sdgs") if n.isascii() and n.isdigit()]


def _indicator_extra(indicator: Indicator | None) -> dict[str, Any]:
    return {
        "sdg_choices": list(SDG_NAMES.items()),
        "wordings": Wording.choices,
        "chosen_sdgs": list(indicator.sdgs or []) if indicator else [],
        "wording": indicator.wording if indicator else Wording.PARAPHRASE,
        "meaning_changed": False,
        "posted_of": lambda post: {
            "chosen_sdgs": _sdgs_posted(post),
            "wording": post.get("wording", ""),
            "meaning_changed": bool(post.get("meaning_changed")),
        },
        "current_of": lambda fresh: {
            "sdgs": list(fresh.sdgs or []),
            "wording": fresh.get_wording_display(),
            "lineage": fresh.lineage,
        },
    }


@login_required
@require_http_methods(["GET", "POST"])
def indicator_edit(request, pk: int, ipk: int):
    draft = _draft(request, pk)
    indicator = get_object_or_404(Indicator, pk=ipk, standard=draft)
    if not draft.is_draft:
        return _frozen_page(request, draft)
    return _texts_form(
        request,
        draft,
        indicator,
        "indicator",
        lambda revision, texts: authoring.indicator_update(
            indicator=indicator,
            by=request.user,
            revision=revision,
            texts=texts,
            sdgs=_sdgs_posted(request.POST),
            wording=request.POST.get("wording") or None,  # left out: unchanged
            meaning_changed=bool(request.POST.get("meaning_changed")),
        ),
        template="standards/authoring/indicator_edit.html",
        extra={"heading": _("Indicator %(number)s") % {"number": indicator.number}, **_indicator_extra(indicator)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def indicator_add(request, pk: int, kpk: int):
    draft = _draft(request, pk)
    criterion = get_object_or_404(Criterion.objects.select_related("component"), pk=kpk, component__standard=draft)
    if not draft.is_draft:
        return _frozen_page(request, draft)
    siblings = list(criterion.indicators.order_by("position"))
    after_pk = request.POST.get("after") or request.GET.get("after") or ""
    after = next((i for i in siblings if str(i.pk) == after_pk), None)
    blank = Indicator(criterion=criterion, standard=draft, title="", text="", translations={})
    return _texts_form(
        request,
        draft,
        blank,
        "indicator",
        lambda revision, texts: authoring.indicator_add(
            criterion=criterion,
            by=request.user,
            revision=revision,
            texts=texts,
            after=after,
            sdgs=_sdgs_posted(request.POST),
            wording=request.POST.get("wording", "") or Wording.PARAPHRASE,
        ),
        template="standards/authoring/indicator_edit.html",
        extra={
            "heading": _("New indicator under criterion %(number)s") % {"number": criterion.number},
            "adding": True,
            "siblings": siblings,
            "after": after,
            **_indicator_extra(None),
        },
    )


def _refused(request, version: Standard, exc: DomainError):
    """A refused tree action (remove, move, publish): 403 raised, 409 page for a published version,
    else the editor with the reason."""
    refuse_if_not_allowed(exc)
    if exc.code == error_codes.STANDARD_PUBLISHED_FROZEN:
        return _frozen_page(request, version)
    messages.error(request, exc.message)
    return redirect("standards:version", pk=version.pk)


@login_required
@require_http_methods(["GET", "POST"])
def indicator_remove(request, pk: int, ipk: int):
    """GET asks for confirmation (a draft's texts in three languages go with it); POST removes."""
    draft = _draft(request, pk)
    indicator = get_object_or_404(Indicator, pk=ipk, standard=draft)
    if not draft.is_draft:
        return _frozen_page(request, draft)
    if request.method == "GET":
        return render(request, "standards/authoring/indicator_remove.html", {"version": draft, "indicator": indicator})
    number = indicator.number
    try:
        authoring.indicator_remove(indicator=indicator, by=request.user, revision=_revision(request))
    except DomainError as exc:
        return _refused(request, draft, exc)
    messages.success(request, _("Indicator %(number)s removed; the next ones were renumbered.") % {"number": number})
    return redirect("standards:version", pk=draft.pk)


@login_required
@require_http_methods(["GET", "POST"])
def indicator_move(request, pk: int, ipk: int):
    draft = _draft(request, pk)
    indicator = get_object_or_404(Indicator.objects.select_related("criterion"), pk=ipk, standard=draft)
    if not draft.is_draft:
        return _frozen_page(request, draft)
    criteria = list(Criterion.objects.filter(component__standard=draft).order_by("component__position", "position"))
    if request.method == "POST":
        to = next((c for c in criteria if str(c.pk) == request.POST.get("criterion", "")), None)
        try:
            position = int(request.POST.get("position", ""))
        except ValueError:
            position = 0
        try:
            if to is None:
                raise DomainError(error_codes.STANDARD_MOVE_INVALID, _("Choose a criterion of this draft."))
            moved = authoring.indicator_move(
                indicator=indicator, by=request.user, revision=_revision(request), to_criterion=to, position=position
            )
        except DomainError as exc:
            return _refused(request, draft, exc)
        messages.success(request, _("Indicator moved: it is now %(number)s.") % {"number": moved.number})
        return redirect(_after_save(draft, moved))
    return render(
        request,
        "standards/authoring/indicator_move.html",
        {"version": draft, "indicator": indicator, "criteria": criteria},
    )


@login_required
@require_http_methods(["GET", "POST"])
def draft_publish(request, pk: int):
    """A confirmation page listing what stands in the way, if anything; its own submit publishes."""
    draft = _draft(request, pk)
    if not draft.is_draft:
        return _frozen_page(request, draft)
    status = 200
    if request.method == "POST":
        try:
            published = authoring.draft_publish(draft=draft, by=request.user, revision=_revision(request))
        except DomainError as exc:
            refuse_if_not_allowed(exc)
            if exc.code != error_codes.STANDARD_DRAFT_NOT_PUBLISHABLE:
                return _refused(request, draft, exc)
            status = 400
        else:
            messages.success(
                request, _("Version %(version)s is published. It will never change.") % {"version": published.version}
            )
            return redirect("standards:version", pk=published.pk)
    return render(
        request,
        "standards/authoring/publish.html",
        {"version": draft, "problems": authoring.publish_problems(draft)},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def draft_delete(request, pk: int):
    draft = _draft(request, pk)
    if not draft.is_draft:
        return _frozen_page(request, draft)
    if request.method == "POST":
        try:
            authoring.draft_delete(draft=draft, by=request.user)
        except DomainError as exc:
            return _refused(request, draft, exc)
        messages.success(request, _("Draft %(version)s deleted.") % {"version": draft.version})
        return redirect("standards:versions")
    return render(request, "standards/authoring/delete.html", {"version": draft})
