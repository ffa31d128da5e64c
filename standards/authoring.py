"""Drafts of the Standard: what the keepers (the Standard Committee) may change, and how (issue 14).

A draft is a whole copy of a version (`content.content_of` → `content.create_version`), so editing
it never touches what assessments point at. Every write here:

- is for keepers only (`rules.can_author_standard`, else `NotAllowed`);
- refuses a published version (`standard_published_frozen`): a published version never changes;
- names the draft's `revision` it started from and is refused (`Conflict`, `standard_draft_changed`)
  when someone else changed the draft since, then moves the revision on. One counter per draft,
  not per row: renumbering touches many rows at once, and an editor's page shows the whole tree;
- leaves the numbers of the indicators 1..n under each criterion, their codes and their order in
  the whole Standard consistent (`_renumber`), and an indicator's lineage as it was unless the
  keeper says its meaning changed;
- is audited.

Publishing runs `content.validate` on the draft's content and refuses with every problem.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import rules
from accounts.types import Person
from audit.services import audit_record
from core.errors import Conflict, DomainError, NotAllowed

from . import content, error_codes
from .models import Component, Criterion, Indicator, Standard, StandardStatus, Wording
from .texts import LIST_TEXTS, SOURCE_LANGUAGE, TRANSLATABLE, target_languages

# Texts that may not be empty in English (the rest may be left blank).
REQUIRED_EN: dict[str, tuple[str, ...]] = {
    "standard": ("title",),
    "component": ("title",),
    "criterion": ("title",),
    "indicator": ("title", "text"),
}
# Longest texts, as content.validate checks them when the draft is published: refused at once here
# rather than at publishing time.
_LIMITS = {"title": content.TITLE_MAX}
PROVENANCE_MAX = content.TEXT_MAX

Texts = Mapping[str, Mapping[str, Any]]


def languages() -> list[str]:
    """The languages a draft's texts are edited in: English (the columns) first."""
    return [SOURCE_LANGUAGE, *target_languages()]


class DraftInvalid(DomainError):
    """An edit that cannot be made as sent; `problems` lists each (what, which field and language)."""

    def __init__(self, problems: list[dict[str, str | None]]):
        first = problems[0]
        super().__init__(
            error_codes.STANDARD_DRAFT_INVALID,
            "; ".join(str(p["message"]) for p in problems),
            field=first.get("field"),
            data={"problems": problems},
        )
        self.problems = problems


class NotPublishable(DomainError):
    """The draft is not a valid version yet; `problems` lists every problem of `content.validate`."""

    def __init__(self, problems: list[content.Problem]):
        listed = [
            {"message": p.message, "number": p.number, "field": p.field, "language": p.language} for p in problems
        ]
        super().__init__(
            error_codes.STANDARD_DRAFT_NOT_PUBLISHABLE,
            # The problems themselves are content.validate's, in English (spreadsheets.py reads them).
            _("The draft cannot be published yet: %(n)s problem(s).") % {"n": len(problems)}
            + " "
            + "; ".join(p.message for p in problems),
            data={"problems": listed},
        )
        self.problems = problems


# --- checks shared by every write ----------------------------------------------------------------


def keeper_required(by: Person) -> None:
    if not rules.can_author_standard(by):
        raise NotAllowed(
            error_codes.STANDARD_KEEPERS_ONLY, _("Only members of the Standard Committee can change the Standard.")
        )


def _frozen(standard: Standard) -> Conflict:
    return Conflict(
        error_codes.STANDARD_PUBLISHED_FROZEN,
        _("%(version)s is published: a published version never changes; create a draft from it.")
        % {"version": standard},
    )


def _lock_draft(standard_id: int, revision: int | None) -> Standard:
    """The draft, locked for this transaction, after the two checks every draft write makes."""
    draft = Standard.objects.select_for_update().get(pk=standard_id)
    if not draft.is_draft:
        raise _frozen(draft)
    if revision is None or int(revision) != draft.revision:
        raise Conflict(
            error_codes.STANDARD_DRAFT_CHANGED,
            _(
                "The draft changed since you opened it (you started from revision %(yours)s, it is now at revision "
                "%(current)s). Your changes were not saved: look at the current text and apply them again."
            )
            % {"yours": revision, "current": draft.revision},
            data={"revision": draft.revision},
        )
    return draft


def _bump(draft: Standard) -> None:
    draft.revision += 1
    draft.save(update_fields=["revision"])


def _version_free(code: str, version: str, exclude_pk: int | None = None) -> None:
    taken = Standard.objects.filter(code=code, version=version)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise DomainError(
            error_codes.STANDARD_VERSION_TAKEN,
            _("%(code)s already has a version %(version)s (published or draft): choose another label.")
            % {"code": code, "version": version},
            field="version",
        )


def _clean_version(version: Any) -> str:
    label = str(version or "").strip()
    if not label:
        raise DraftInvalid([_problem(_("A version label is required (e.g. 1.2)."), "version")])
    if len(label) > content.VERSION_MAX:
        raise DraftInvalid(
            [_problem(_("The version label is at most %(max)s characters.") % {"max": content.VERSION_MAX}, "version")]
        )
    return label


def _problem(message: str, field: str | None = None, language: str | None = None) -> dict[str, str | None]:
    return {"message": message, "field": field, "language": language}


# --- texts in every language ---------------------------------------------------------------------


def _clean_text(value: Any, field: str, language: str, problems: list[dict[str, str | None]]) -> Any:
    """One text as stored (a stripped string, or a list of strings for a list text), or None
    after noting a problem."""
    if field in LIST_TEXTS:
        if isinstance(value, str):
            value = value.splitlines()
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            problems.append(
                _problem(
                    _("'%(field)s' must be a list of texts (%(language)s).") % {"field": field, "language": language},
                    field,
                    language,
                )
            )
            return None
        items = [item.strip() for item in value if item.strip()]
        if len(items) > content.MOV_ITEMS_MAX:
            problems.append(
                _problem(
                    _("At most %(max)s means of verification (%(language)s).")
                    % {"max": content.MOV_ITEMS_MAX, "language": language},
                    field,
                    language,
                )
            )
            return None
        if any(len(item) > content.TEXT_MAX for item in items):
            problems.append(
                _problem(
                    _("A means of verification is longer than %(max)s characters (%(language)s).")
                    % {"max": content.TEXT_MAX, "language": language},
                    field,
                    language,
                )
            )
            return None
        return items
    if value is None:
        value = ""
    if not isinstance(value, str):
        problems.append(
            _problem(
                _("'%(field)s' must be text (%(language)s).") % {"field": field, "language": language},
                field,
                language,
            )
        )
        return None
    text = value.strip()
    limit = _LIMITS.get(field, content.TEXT_MAX)
    if len(text) > limit:
        problems.append(
            _problem(
                _("'%(field)s' is %(length)s characters long (%(language)s); at most %(max)s.")
                % {"field": field, "length": len(text), "language": language, "max": limit},
                field,
                language,
            )
        )
        return None
    return text


def _apply_texts(obj: Any, kind: str, texts: Texts, problems: list[dict[str, str | None]]) -> dict[str, Any]:
    """Set `obj`'s texts from {language: {field: value}}: English in the columns, other languages
    in `translations` (an empty value removes that translation, so English stands in again, marked).
    Returns what changed, {"en.title": new, ...}, for the audit trail."""
    known = languages()
    changed: dict[str, Any] = {}
    translations = {lang: dict(fields) for lang, fields in (obj.translations or {}).items()}
    for language, fields in texts.items():
        if language not in known:
            problems.append(
                _problem(
                    _("Unknown language '%(language)s' (known: %(known)s).")
                    % {"language": language, "known": ", ".join(known)},
                    None,
                    language,
                )
            )
            continue
        if not isinstance(fields, Mapping):
            problems.append(
                _problem(
                    _("The texts in '%(language)s' must be a mapping of field to text.") % {"language": language},
                    None,
                    language,
                )
            )
            continue
        for field, raw in fields.items():
            if field not in TRANSLATABLE[kind]:
                problems.append(
                    _problem(
                        _("'%(field)s' is not a text of this %(kind)s (texts: %(texts)s).")
                        % {"field": field, "kind": kind, "texts": ", ".join(TRANSLATABLE[kind])},
                        field,
                        language,
                    )
                )
                continue
            value = _clean_text(raw, field, language, problems)
            if value is None:
                continue
            if language == SOURCE_LANGUAGE:
                if field in REQUIRED_EN[kind] and not value:
                    problems.append(
                        _problem(_("The English '%(field)s' may not be empty.") % {"field": field}, field, language)
                    )
                    continue
                if getattr(obj, field) != value:
                    setattr(obj, field, value)
                    changed[f"{language}.{field}"] = value
                continue
            current = translations.get(language, {}).get(field)
            if value in ("", []):
                if current is not None:
                    translations[language].pop(field)
                    changed[f"{language}.{field}"] = None
            elif current != value:
                translations.setdefault(language, {})[field] = value
                changed[f"{language}.{field}"] = value
    obj.translations = {lang: fields for lang, fields in translations.items() if fields}
    return changed


def _raise_problems(problems: list[dict[str, str | None]]) -> None:
    if problems:
        raise DraftInvalid(problems)


# --- numbering -----------------------------------------------------------------------------------


def _indicators_by_criterion(draft: Standard) -> tuple[list[Criterion], dict[int, list[Indicator]]]:
    criteria = list(
        Criterion.objects.filter(component__standard=draft)
        .select_related("component")
        .order_by("component__position", "position")
    )
    by_criterion: dict[int, list[Indicator]] = {criterion.pk: [] for criterion in criteria}
    for indicator in Indicator.objects.filter(standard=draft).order_by("position", "pk"):
        by_criterion.setdefault(indicator.criterion_id, []).append(indicator)
    return criteria, by_criterion


def _renumber(draft: Standard, criteria: list[Criterion], by_criterion: dict[int, list[Indicator]]) -> None:
    """Number each criterion's indicators 1..n in the order of its list, and order the whole
    Standard criterion by criterion. Codes are unique per version, so they first go to a temporary
    value: otherwise swapping 1.1.1 and 1.1.2 would collide half way."""
    rows: list[Indicator] = []
    position = 0
    for criterion in criteria:
        for index, indicator in enumerate(by_criterion.get(criterion.pk, []), start=1):
            position += 1
            indicator.criterion = criterion
            indicator.number = f"{criterion.number}.{index}"
            indicator.position = position
            rows.append(indicator)
    final = {indicator.pk: content.indicator_code(draft.code, draft.version, indicator.number) for indicator in rows}
    moved = [indicator for indicator in rows if indicator.code != final[indicator.pk]]
    for indicator in moved:
        indicator.code = f"~{indicator.pk}"
    Indicator.objects.bulk_update(moved, ["code"])
    for indicator in rows:
        indicator.code = final[indicator.pk]
    Indicator.objects.bulk_update(rows, ["criterion", "number", "position", "code"])


def new_lineage(draft: Standard) -> str:
    """A lineage nobody used: the indicator's meaning is new (answers will not follow it)."""
    return f"{draft.code}-{uuid.uuid4().hex[:16]}"


# --- the draft as a whole ------------------------------------------------------------------------


@transaction.atomic
def draft_create(*, source: Standard, by: Person, version: str) -> Standard:
    """A new draft with everything `source` holds (lineages kept: the meanings are the same)."""
    keeper_required(by)
    label = _clean_version(version)
    _version_free(source.code, label)
    data = content.content_of(source)
    data["standard"]["version"] = label
    draft = content.create_version(data, status=StandardStatus.DRAFT, by=by, based_on=source)
    audit_record(
        actor=by,
        action="standard.draft_created",
        target=draft,
        data={"from": source.pk, "from_version": source.version, "version": label},
    )
    return draft


@transaction.atomic
def draft_update(
    *,
    draft: Standard,
    by: Person,
    revision: int | None,
    version: str | None = None,
    provenance: str | None = None,
    texts: Texts | None = None,
) -> Standard:
    """The draft's version label, provenance, and title in each language."""
    keeper_required(by)
    draft = _lock_draft(draft.pk, revision)
    problems: list[dict[str, str | None]] = []
    changed = _apply_texts(draft, "standard", texts or {}, problems)
    if provenance is not None:
        if not isinstance(provenance, str) or len(provenance) > PROVENANCE_MAX:
            problems.append(
                _problem(
                    _("The provenance is a text of at most %(max)s characters.") % {"max": PROVENANCE_MAX},
                    "provenance",
                )
            )
        elif provenance.strip() != draft.provenance:
            draft.provenance = provenance.strip()
            changed["provenance"] = draft.provenance
    _raise_problems(problems)
    old_version = draft.version
    if version is not None:
        label = _clean_version(version)
        if label != draft.version:
            _version_free(draft.code, label, exclude_pk=draft.pk)
            draft.version = label
            changed["version"] = label
    draft.save(update_fields=["title", "provenance", "version", "translations"])
    if draft.version != old_version:
        # Codes carry the version (GLS-V1.2-1.1.1).
        _renumber(draft, *_indicators_by_criterion(draft))
    if changed:
        _bump(draft)
        audit_record(actor=by, action="standard.draft_updated", target=draft, data={"changed": changed})
    return draft


@transaction.atomic
def component_update(*, component: Component, by: Person, revision: int | None, texts: Texts) -> Component:
    """A component's title and description, in each language."""
    keeper_required(by)
    draft = _lock_draft(component.standard_id, revision)
    component = Component.objects.get(pk=component.pk)
    problems: list[dict[str, str | None]] = []
    changed = _apply_texts(component, "component", texts, problems)
    _raise_problems(problems)
    if changed:
        component.save(update_fields=["title", "description", "translations"])
        _bump(draft)
        audit_record(
            actor=by,
            action="standard.component_updated",
            target=component,
            data={"standard": draft.pk, "number": component.number, "changed": changed},
        )
    return component


@transaction.atomic
def criterion_update(*, criterion: Criterion, by: Person, revision: int | None, texts: Texts) -> Criterion:
    """A criterion's title and description, in each language."""
    keeper_required(by)
    draft = _lock_draft(criterion.component.standard_id, revision)
    criterion = Criterion.objects.select_related("component").get(pk=criterion.pk)
    problems: list[dict[str, str | None]] = []
    changed = _apply_texts(criterion, "criterion", texts, problems)
    _raise_problems(problems)
    if changed:
        criterion.save(update_fields=["title", "description", "translations"])
        _bump(draft)
        audit_record(
            actor=by,
            action="standard.criterion_updated",
            target=criterion,
            data={"standard": draft.pk, "number": criterion.number, "changed": changed},
        )
    return criterion


# --- indicators ----------------------------------------------------------------------------------


def _clean_sdgs(sdgs: Any, problems: list[dict[str, str | None]]) -> list[int] | None:
    if not isinstance(sdgs, list | tuple) or not all(
        isinstance(n, int) and not isinstance(n, bool) and n in content.SDG_RANGE for n in sdgs
    ):
        problems.append(_problem(_("Related SDGs are numbers from 1 to 17."), "sdgs"))
        return None
    return sorted(set(sdgs))


def _clean_wording(wording: Any, problems: list[dict[str, str | None]]) -> str | None:
    if wording not in Wording.values:
        problems.append(
            _problem(_("The wording is one of %(values)s.") % {"values": ", ".join(Wording.values)}, "wording")
        )
        return None
    return str(wording)


@transaction.atomic
def indicator_update(
    *,
    indicator: Indicator,
    by: Person,
    revision: int | None,
    texts: Texts | None = None,
    sdgs: list[int] | None = None,
    wording: str | None = None,
    meaning_changed: bool = False,
) -> Indicator:
    """An indicator's texts (title, text, means of verification, guidance) in each language, its
    related SDGs and wording. `meaning_changed` gives it a new lineage: answers given to the old
    meaning will not follow it when an assessment moves to this version."""
    keeper_required(by)
    draft = _lock_draft(indicator.standard_id, revision)
    indicator = Indicator.objects.get(pk=indicator.pk)
    problems: list[dict[str, str | None]] = []
    changed = _apply_texts(indicator, "indicator", texts or {}, problems)
    if sdgs is not None:
        cleaned = _clean_sdgs(sdgs, problems)
        if cleaned is not None and cleaned != sorted(indicator.sdgs or []):
            indicator.sdgs = cleaned
            changed["sdgs"] = cleaned
    if wording is not None:
        chosen = _clean_wording(wording, problems)
        if chosen is not None and chosen != indicator.wording:
            indicator.wording = chosen
            changed["wording"] = chosen
    _raise_problems(problems)
    if meaning_changed:
        changed["lineage"] = {"from": indicator.lineage, "to": new_lineage(draft)}
        indicator.lineage = changed["lineage"]["to"]
    if changed:
        indicator.save(
            update_fields=[
                "title",
                "text",
                "means_of_verification",
                "guidance",
                "sdgs",
                "wording",
                "lineage",
                "translations",
            ]
        )
        _bump(draft)
        audit_record(
            actor=by,
            action="standard.indicator_updated",
            target=indicator,
            data={"standard": draft.pk, "number": indicator.number, "changed": changed},
        )
    return indicator


@transaction.atomic
def indicator_add(
    *,
    criterion: Criterion,
    by: Person,
    revision: int | None,
    texts: Texts,
    after: Indicator | None = None,
    sdgs: list[int] | None = None,
    wording: str = Wording.PARAPHRASE,
) -> Indicator:
    """A new indicator under `criterion`, after `after` (at the end when None), with a new lineage.
    The criterion's later indicators move one number down."""
    keeper_required(by)
    draft = _lock_draft(criterion.component.standard_id, revision)
    if after is not None and after.criterion_id != criterion.pk:
        raise DomainError(
            error_codes.STANDARD_MOVE_INVALID,
            _("Indicator %(indicator)s is not under criterion %(criterion)s.")
            % {"indicator": after.number, "criterion": criterion.number},
            field="after",
        )
    problems: list[dict[str, str | None]] = []
    indicator = Indicator(
        criterion=criterion,
        standard=draft,
        code=f"~new-{uuid.uuid4().hex[:12]}",
        number="",
        title="",
        text="",
        lineage=new_lineage(draft),
        position=0,
    )
    _apply_texts(indicator, "indicator", texts, problems)
    for field in REQUIRED_EN["indicator"]:
        if not getattr(indicator, field) and not any(p["field"] == field for p in problems):
            problems.append(
                _problem(_("The English '%(field)s' may not be empty.") % {"field": field}, field, SOURCE_LANGUAGE)
            )
    if sdgs is not None:
        indicator.sdgs = _clean_sdgs(sdgs, problems) or []
    indicator.wording = _clean_wording(wording, problems) or Wording.PARAPHRASE
    _raise_problems(problems)
    indicator.save()
    criteria, by_criterion = _indicators_by_criterion(draft)
    siblings = [i for i in by_criterion[criterion.pk] if i.pk != indicator.pk]
    at = next((n + 1 for n, i in enumerate(siblings) if after is not None and i.pk == after.pk), len(siblings))
    by_criterion[criterion.pk] = [*siblings[:at], indicator, *siblings[at:]]
    _renumber(draft, criteria, by_criterion)
    _bump(draft)
    audit_record(
        actor=by,
        action="standard.indicator_added",
        target=indicator,
        data={"standard": draft.pk, "number": indicator.number, "lineage": indicator.lineage},
    )
    return indicator


@transaction.atomic
def indicator_remove(*, indicator: Indicator, by: Person, revision: int | None) -> None:
    """Take an indicator out of the draft; the criterion's later indicators move one number up."""
    keeper_required(by)
    draft = _lock_draft(indicator.standard_id, revision)
    indicator = Indicator.objects.get(pk=indicator.pk)
    number, lineage = indicator.number, indicator.lineage
    audit_record(
        actor=by,
        action="standard.indicator_removed",
        target=indicator,
        data={"standard": draft.pk, "number": number, "lineage": lineage, "title": indicator.title},
    )
    try:
        indicator.delete()
    except (ProtectedError, RestrictedError) as exc:
        raise DomainError(
            error_codes.STANDARD_DRAFT_IN_USE,
            _("Indicator %(number)s is in use (adapted or answered): not removed.") % {"number": number},
        ) from exc
    _renumber(draft, *_indicators_by_criterion(draft))
    _bump(draft)


@transaction.atomic
def indicator_move(
    *, indicator: Indicator, by: Person, revision: int | None, to_criterion: Criterion, position: int
) -> Indicator:
    """Move an indicator to `position` (1 = first) under `to_criterion` of the same draft; both
    criteria are renumbered, the indicator keeps its lineage (its meaning did not change)."""
    keeper_required(by)
    draft = _lock_draft(indicator.standard_id, revision)
    indicator = Indicator.objects.select_related("criterion").get(pk=indicator.pk)
    if to_criterion.component.standard_id != draft.pk:
        raise DomainError(
            error_codes.STANDARD_MOVE_INVALID,
            _("Criterion %(number)s is not part of this draft.") % {"number": to_criterion.number},
            field="criterion",
        )
    criteria, by_criterion = _indicators_by_criterion(draft)
    siblings = [i for i in by_criterion[to_criterion.pk] if i.pk != indicator.pk]
    if not isinstance(position, int) or isinstance(position, bool) or not 1 <= position <= len(siblings) + 1:
        raise DomainError(
            error_codes.STANDARD_MOVE_INVALID,
            _("Criterion %(number)s has room for positions 1 to %(last)s.")
            % {"number": to_criterion.number, "last": len(siblings) + 1},
            field="position",
        )
    from_number, from_criterion = indicator.number, indicator.criterion.number
    by_criterion[indicator.criterion_id] = [i for i in by_criterion[indicator.criterion_id] if i.pk != indicator.pk]
    moving = indicator
    by_criterion[to_criterion.pk] = [*siblings[: position - 1], moving, *siblings[position - 1 :]]
    _renumber(draft, criteria, by_criterion)
    if moving.number == from_number:
        return moving  # nowhere else: nothing changed
    _bump(draft)
    audit_record(
        actor=by,
        action="standard.indicator_moved",
        target=moving,
        data={
            "standard": draft.pk,
            "from": from_number,
            "to": moving.number,
            "from_criterion": from_criterion,
            "to_criterion": to_criterion.number,
            "lineage": moving.lineage,
        },
    )
    return moving


# --- publishing and deleting ---------------------------------------------------------------------


def content_sha256(data: Mapping[str, Any]) -> str:
    """The fingerprint of a version's content: SHA-256 of its canonical JSON."""
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def publish_problems(draft: Standard) -> list[content.Problem]:
    """What stands between the draft and publishing (empty: it can be published)."""
    return content.validate(content.content_of(draft))


@transaction.atomic
def draft_publish(*, draft: Standard, by: Person, revision: int | None) -> Standard:
    """Publish the draft as it is, if its content is a valid version: from then on it never changes."""
    keeper_required(by)
    draft = _lock_draft(draft.pk, revision)
    data = content.content_of(draft)
    problems = content.validate(data)
    if problems:
        raise NotPublishable(problems)
    _version_free(draft.code, draft.version, exclude_pk=draft.pk)
    draft.status = StandardStatus.PUBLISHED
    draft.published_at = timezone.now()
    draft.published_by = by if getattr(by, "pk", None) else None  # type: ignore[assignment]
    draft.source_sha256 = content_sha256(data)
    draft.revision += 1
    draft.save(update_fields=["status", "published_at", "published_by", "source_sha256", "revision"])
    counts = content.counts_of(data)
    audit_record(
        actor=by,
        action="standard.published",
        target=draft,
        data={"version": draft.version, "sha256": draft.source_sha256, "indicators": counts.indicators},
    )
    return draft


@transaction.atomic
def draft_delete(*, draft: Standard, by: Person) -> None:
    """Delete a draft nothing points to (no assessment, adapted set or other draft made from it)."""
    keeper_required(by)
    draft = Standard.objects.select_for_update().get(pk=draft.pk)
    if not draft.is_draft:
        raise _frozen(draft)
    label = str(draft)
    audit_record(actor=by, action="standard.draft_deleted", target=draft, data={"version": draft.version})
    try:
        with transaction.atomic():
            draft.delete()
    except (ProtectedError, RestrictedError) as exc:
        raise DomainError(
            error_codes.STANDARD_DRAFT_IN_USE,
            _("%(version)s is in use (something was made from it): not deleted.") % {"version": label},
        ) from exc
