"""Adapted indicator sets: written by a jurisdiction's Expert Assessment Group, put to a
stakeholder consultation, approved by the Standard Committee (GREENLIST.md, issue 14).

A set's lifecycle is a `core.workflow.StateMachine` (`MACHINE`): draft → submitted → approved (the
Committee) or back to draft (returned with reasons); an approved set is retired when a newer one for
the same jurisdiction and version is approved. Only a draft is edited, and every edit names the
revision it started from (`AdaptedIndicatorSet.revision`, as `Standard.revision`): a mismatch is a
conflict, never a silent overwrite. An approved set never changes: assessments were made under it.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import hashlib
import os
import zipfile
from typing import IO, Any

import magic
from django.core.files import File
from django.db import transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts import rules
from accounts.models import User
from accounts.types import Person
from audit.services import audit_record
from core.errors import Conflict, DomainError, NotAllowed
from core.text import clean_text
from core.workflow import Codes, Move, StateMachine

from . import error_codes
from .content import MOV_ITEMS_MAX, TEXT_MAX, TITLE_MAX, Problem, _Checker, _mov_list
from .models import (
    AdaptationConsultation,
    AdaptedIndicator,
    AdaptedIndicatorSet,
    AdaptedSetStatus,
    AdaptedSetTransition,
    CommentOutcome,
    ConsultationAttachment,
    ConsultationComment,
    Indicator,
    Jurisdiction,
    Standard,
)
from .texts import TRANSLATABLE, target_languages

NOTE_MAX = 2000
FROM_WHOM_MAX = 300
# Consultation documents: minutes, invitations, written submissions, photos of a workshop.
ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024
ADAPTED_FIELDS = TRANSLATABLE["adaptedindicator"]  # text, thresholds, means_of_verification

# --- the lifecycle -----------------------------------------------------------------------------


def _authors(user: Person | None, adapted_set: AdaptedIndicatorSet) -> bool:
    return user is not None and rules.can_author_adapted_set(user, adapted_set.jurisdiction_id)


def _committee(user: Person | None, adapted_set: AdaptedIndicatorSet) -> bool:
    return user is not None and rules.can_approve_adapted_indicators(user)


def _adapts_something(adapted_set: AdaptedIndicatorSet) -> None:
    if not adapted_set.indicators.exists():
        raise DomainError(error_codes.ADAPTED_SET_EMPTY, gettext("The set adapts no indicator yet."))


def consultation_missing(adapted_set: AdaptedIndicatorSet) -> list[str]:
    """What the consultation record still lacks before the Committee may approve the set, each
    said in a sentence; empty when it is complete."""
    consultation = AdaptationConsultation.objects.filter(adapted_set=adapted_set).first()
    if consultation is None or consultation.opened_on is None:
        return [gettext("the consultation has not been recorded (no opening date)")]
    missing = []
    if consultation.closed_on is None:
        missing.append(gettext("the consultation has no closing date"))
    elif consultation.closed_on > timezone.localdate():
        missing.append(
            gettext("the consultation closes on %(date)s, which is still to come")
            % {"date": consultation.closed_on.isoformat()}
        )
    if not consultation.who_was_consulted.strip():
        missing.append(gettext("the record does not say who was consulted"))
    if not consultation.method.strip():
        missing.append(gettext("the record does not say how they were consulted"))
    comments = list(consultation.comments.order_by("received_on", "id"))
    if not comments:
        missing.append(
            gettext("no comment received is recorded (record at least one, or what was said in the meeting)")
        )
    for comment in comments:
        if not comment.is_handled:
            missing.append(
                gettext("comment #%(number)s from %(from_whom)s has no recorded response and outcome")
                % {"number": comment.pk, "from_whom": comment.from_whom}
            )
    return missing


def _consultation_complete(adapted_set: AdaptedIndicatorSet) -> None:
    missing = consultation_missing(adapted_set)
    if missing:
        raise DomainError(
            error_codes.CONSULTATION_INCOMPLETE,
            gettext("The stakeholder consultation is not complete: %(missing)s.") % {"missing": "; ".join(missing)},
            data={"missing": missing},
        )


def _on_approval(
    adapted_set: AdaptedIndicatorSet, move: Move, note: str, *, by: User, on: datetime.date | None
) -> list[str]:
    """Before the approved status is written: the set it replaces is retired (one approved set per
    jurisdiction and version), and the approver named."""
    if move.target != AdaptedSetStatus.APPROVED:
        return []
    previous = AdaptedIndicatorSet.objects.filter(
        standard_id=adapted_set.standard_id,
        jurisdiction_id=adapted_set.jurisdiction_id,
        status=AdaptedSetStatus.APPROVED,
    ).exclude(pk=adapted_set.pk)
    for old in previous:
        MACHINE.transition(old, AdaptedSetStatus.RETIRED, by=by, note=f"Replaced by set #{adapted_set.pk}.")
    adapted_set.approved_by = by
    adapted_set.approved_on = on or timezone.localdate()
    return ["approved_by", "approved_on"]


MACHINE = StateMachine(
    name="adapted_set",
    model=AdaptedIndicatorSet,
    statuses=AdaptedSetStatus,
    log_model=AdaptedSetTransition,
    log_subject="adapted_set",
    moves=(
        Move(
            AdaptedSetStatus.DRAFT,
            AdaptedSetStatus.SUBMITTED,
            _authors,
            guards=(_adapts_something, _consultation_complete),
            label=_("Submit for approval"),
        ),
        Move(AdaptedSetStatus.SUBMITTED, AdaptedSetStatus.DRAFT, _committee, label=_("Return"), note_required=True),
        Move(
            AdaptedSetStatus.SUBMITTED,
            AdaptedSetStatus.APPROVED,
            _committee,
            guards=(_adapts_something, _consultation_complete),
            label=_("Approve"),
        ),
        # Made by the approval of the set that replaces it, never offered on its own.
        Move(AdaptedSetStatus.APPROVED, AdaptedSetStatus.RETIRED, _committee, label=_("Retire"), offered=False),
    ),
    codes=Codes(
        impossible=error_codes.ADAPTED_SET_MOVE_IMPOSSIBLE,
        role=error_codes.ADAPTED_SET_COMMITTEE_ONLY,
        note_too_long=error_codes.ADAPTED_SET_NOTE_TOO_LONG,
        note_required=error_codes.ADAPTED_SET_NOTE_REQUIRED,
    ),
    noun="adapted indicator set",
    note_max=NOTE_MAX,
    impossible_message=_("The adapted indicator set cannot move from '%(source)s' to '%(target)s'."),
    role_refused_message=_("You may not move this adapted indicator set to '%(target)s'."),
    final={AdaptedSetStatus.RETIRED: (error_codes.ADAPTED_SET_FROZEN, _("A retired set never changes."))},
)


def adapted_set_submit(*, adapted_set: AdaptedIndicatorSet, by: User, note: str = "") -> AdaptedIndicatorSet:
    """The expert group hands the set, with its consultation record, to the Committee."""
    if not rules.can_author_adapted_set(by, adapted_set.jurisdiction_id):
        raise NotAllowed(
            error_codes.ADAPTED_SET_AUTHORS_ONLY,
            gettext(
                "Only the jurisdiction's Expert Assessment Group (or the Standard Committee) submits its adapted set."
            ),
        )
    return MACHINE.transition(adapted_set, AdaptedSetStatus.SUBMITTED, by=by, note=note)


def committee_required(user: Person) -> None:
    if not rules.can_approve_adapted_indicators(user):
        raise NotAllowed(
            error_codes.ADAPTED_SET_COMMITTEE_ONLY,
            gettext("Only members of the Standard Committee approve or return adapted indicator sets."),
        )


def adapted_set_approve(
    *, adapted_set: AdaptedIndicatorSet, user: User, on: datetime.date | None = None, note: str = ""
) -> AdaptedIndicatorSet:
    """The Standard Committee approves a submitted set whose consultation is complete; the set
    approved before it for the same jurisdiction and version is retired. Sites of the jurisdiction
    are assessed against it from now on (`selectors.indicator_set_for`)."""
    committee_required(user)
    # The approver and the date are written with the status (a constraint wants both at once).
    machine = dataclasses.replace(MACHINE, on_move=functools.partial(_on_approval, by=user, on=on))
    approved = machine.transition(adapted_set, AdaptedSetStatus.APPROVED, by=user, note=note)
    audit_record(
        actor=user,
        action="adapted_set.approved",
        target=approved,
        data={"jurisdiction": approved.jurisdiction.code, "on": str(approved.approved_on)},
    )
    return approved


def adapted_set_return(*, adapted_set: AdaptedIndicatorSet, by: User, note: str) -> AdaptedIndicatorSet:
    """The Committee sends a submitted set back to the expert group, saying why."""
    committee_required(by)
    return MACHINE.transition(adapted_set, AdaptedSetStatus.DRAFT, by=by, note=note)


def available_moves(adapted_set: AdaptedIndicatorSet, user: Person) -> list[Move]:
    return MACHINE.available_moves(adapted_set, user)


# --- drafting --------------------------------------------------------------------------------


def authors_required(user: Person, adapted_set: AdaptedIndicatorSet) -> None:
    """For views, before they read a form: may this person edit (or submit) the set at all?"""
    authors_required_for(user, adapted_set.jurisdiction_id)


def authors_required_for(user: Person, jurisdiction_id: int | None) -> None:
    """May this person author adapted sets for the jurisdiction (None: for none of them)?"""
    if not rules.can_author_adapted_set(user, jurisdiction_id):
        raise NotAllowed(
            error_codes.ADAPTED_SET_AUTHORS_ONLY,
            gettext(
                "Only the jurisdiction's Expert Assessment Group (or the Standard Committee) edits its adapted set."
            ),
        )


def _locked_draft(adapted_set: AdaptedIndicatorSet, by: Person, revision: int | None) -> AdaptedIndicatorSet:
    """The set, locked for this transaction, after the rule, the status and the revision are
    checked. `revision` None: an addition that overwrites nothing (a comment, a file)."""
    authors_required_for(by, adapted_set.jurisdiction_id)
    locked = AdaptedIndicatorSet.objects.select_for_update().get(pk=adapted_set.pk)
    if locked.status != AdaptedSetStatus.DRAFT:
        raise Conflict(
            error_codes.ADAPTED_SET_FROZEN,
            (
                gettext(
                    "The set is %(status)s: only a draft is edited (the Committee may return it to the expert group)."
                )
                if locked.status == "submitted"
                else gettext("The set is %(status)s: only a draft is edited.")
            )
            % {"status": locked.get_status_display().lower()},
        )
    if revision is not None and int(revision) != locked.revision:
        raise Conflict(
            error_codes.ADAPTED_SET_CHANGED,
            gettext(
                "Someone changed the set since you opened it (your revision %(yours)s, now %(current)s). "
                "Reload it to see their changes, then make yours again."
            )
            % {"yours": revision, "current": locked.revision},
            field="revision",
            data={"revision": locked.revision},
        )
    return locked


def _bump(locked: AdaptedIndicatorSet, adapted_set: AdaptedIndicatorSet) -> None:
    AdaptedIndicatorSet.objects.filter(pk=locked.pk).update(revision=F("revision") + 1)
    locked.refresh_from_db(fields=["revision"])
    adapted_set.revision = locked.revision


def _text(value: Any, field: str, limit: int, *, required: bool = False) -> str:
    return clean_text(
        value,
        field=field,
        limit=limit,
        required=required,
        required_code=error_codes.ADAPTED_TEXT_INVALID,
        too_long_code=error_codes.ADAPTED_TEXT_INVALID,
        invalid_code=error_codes.ADAPTED_TEXT_INVALID,
    )


@transaction.atomic
def adapted_set_create(*, by: User, standard: Standard, jurisdiction: Jurisdiction, title: str) -> AdaptedIndicatorSet:
    """A new draft for a jurisdiction, adapting a published version of the Standard; its
    consultation record starts empty."""
    authors_required_for(by, jurisdiction.pk)
    title = _text(title, "title", TITLE_MAX, required=True)
    if standard.status != Standard.Status.PUBLISHED:
        raise DomainError(
            error_codes.ADAPTED_SET_STANDARD_NOT_PUBLISHED,
            gettext("Adapt a published version of the Standard: a draft may still change."),
            field="standard",
        )
    adapted_set = AdaptedIndicatorSet.objects.create(
        standard=standard, jurisdiction=jurisdiction, title=title, created_by=by
    )
    AdaptationConsultation.objects.create(adapted_set=adapted_set)
    audit_record(
        actor=by,
        action="adapted_set.created",
        target=adapted_set,
        data={"jurisdiction": jurisdiction.code, "standard": standard.pk, "title": title},
    )
    return adapted_set


def validate_adaptation(data: dict[str, Any], where: str = "adaptation") -> list[Problem]:
    """Every problem of one adaptation's texts ({"text", "thresholds", "means_of_verification",
    "translations"}), for the form, the API and the spreadsheet import alike."""
    check = _Checker()
    unknown = sorted(set(data) - {*ADAPTED_FIELDS, "translations"})
    for name in unknown:
        check.add(f"{where}: unknown field '{name}'", None, name)
    check.text(data.get("text"), where, None, "text", TEXT_MAX)
    check.text(data.get("thresholds"), where, None, "thresholds", TEXT_MAX)
    check.mov(data.get("means_of_verification", []), where, None)
    check.translations(data.get("translations", {}), "adaptedindicator", where, None)
    return check.problems


def _clean_translations(value: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Empty texts dropped (the generic wording is used there), lists of texts stripped."""
    out: dict[str, dict[str, Any]] = {}
    for language in target_languages():
        fields = value.get(language) or {}
        kept: dict[str, Any] = {}
        for name in ADAPTED_FIELDS:
            text = fields.get(name)
            if name == "means_of_verification":
                items = [item.strip() for item in _mov_list(text) if item.strip()]
                if items:
                    kept[name] = items
            elif text and text.strip():
                kept[name] = text.strip()
        if kept:
            out[language] = kept
    return out


@transaction.atomic
def adaptation_save(
    *,
    adapted_set: AdaptedIndicatorSet,
    indicator: Indicator | int,
    by: User,
    revision: int | None,
    data: dict[str, Any],
) -> AdaptedIndicator | None:
    """Set one generic indicator's adaptation: its wording, thresholds and means of verification in
    English and the translations. Whatever is left empty keeps the generic text; an adaptation left
    wholly empty is removed (None)."""
    locked = _locked_draft(adapted_set, by, revision)
    indicator_id = indicator.pk if isinstance(indicator, Indicator) else indicator
    target = Indicator.objects.filter(pk=indicator_id, standard_id=locked.standard_id).first()
    if target is None:
        raise DomainError(
            error_codes.ADAPTED_INDICATOR_UNKNOWN,
            gettext("That indicator is not one of the Standard version this set adapts."),
            field="indicator",
        )
    data = {**data, "means_of_verification": _mov_list(data.get("means_of_verification"))}
    problems = validate_adaptation(data, where=f"indicator {target.number}")
    if problems:
        raise DomainError(
            error_codes.ADAPTED_TEXT_INVALID,
            "; ".join(str(p) for p in problems) + ".",
            field=problems[0].field,
            data={"problems": [str(p) for p in problems]},
        )
    values = {
        "text": (data.get("text") or "").strip(),
        "thresholds": (data.get("thresholds") or "").strip(),
        "means_of_verification": [m.strip() for m in data["means_of_verification"] if m.strip()],
        "translations": _clean_translations(data.get("translations") or {}),
    }
    existing = AdaptedIndicator.objects.filter(adapted_set=locked, indicator=target).first()
    if not any(values.values()):
        if existing is not None:
            existing.delete()
            _bump(locked, adapted_set)
            audit_record(
                actor=by, action="adapted_set.adaptation_removed", target=locked, data={"indicator": target.pk}
            )
        return None
    before = None
    if existing is None:
        adaptation = AdaptedIndicator(adapted_set=locked, indicator=target, **values)
    else:
        before = {name: getattr(existing, name) for name in values}
        if before == values:
            return existing
        adaptation = existing
        for name, value in values.items():
            setattr(adaptation, name, value)
    adaptation.save()
    _bump(locked, adapted_set)
    audit_record(
        actor=by,
        action="adapted_set.adaptation_saved",
        target=locked,
        data={"indicator": target.pk, "number": target.number, "before": before, "after": values},
    )
    return adaptation


@transaction.atomic
def adaptation_remove(
    *, adapted_set: AdaptedIndicatorSet, indicator: Indicator | int, by: User, revision: int | None
) -> None:
    """The indicator goes back to its generic wording in this set."""
    locked = _locked_draft(adapted_set, by, revision)
    indicator_id = indicator.pk if isinstance(indicator, Indicator) else indicator
    deleted, _rows = AdaptedIndicator.objects.filter(adapted_set=locked, indicator_id=indicator_id).delete()
    if deleted:
        _bump(locked, adapted_set)
        audit_record(actor=by, action="adapted_set.adaptation_removed", target=locked, data={"indicator": indicator_id})


# --- the consultation -------------------------------------------------------------------------


def get_comment(adapted_set: AdaptedIndicatorSet, pk: Any) -> ConsultationComment:
    """A comment of this set's consultation (the caller has checked the set is visible), else 404."""
    try:
        return ConsultationComment.objects.select_related("consultation__adapted_set").get(
            pk=pk, consultation__adapted_set=adapted_set
        )
    except (ConsultationComment.DoesNotExist, ValueError, TypeError):
        raise Http404("No such comment.") from None


def get_attachment(adapted_set: AdaptedIndicatorSet, pk: Any) -> ConsultationAttachment:
    """A document of this set's consultation (the caller has checked the set is visible), else 404."""
    try:
        return ConsultationAttachment.objects.get(pk=pk, consultation__adapted_set=adapted_set)
    except (ConsultationAttachment.DoesNotExist, ValueError, TypeError):
        raise Http404("No such document.") from None


def consultation_of(adapted_set: AdaptedIndicatorSet) -> AdaptationConsultation:
    """The set's consultation record (sets made before the record existed get an empty one)."""
    consultation, _created = AdaptationConsultation.objects.get_or_create(adapted_set=adapted_set)
    return consultation


def _date(value: Any, field: str) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        raise DomainError(
            error_codes.CONSULTATION_INVALID,
            gettext("'%(value)s' is not a date (YYYY-MM-DD).") % {"value": value},
            field=field,
        ) from None


CONSULTATION_FIELDS = ("opened_on", "closed_on", "who_was_consulted", "method", "summary")


@transaction.atomic
def consultation_save(
    *, adapted_set: AdaptedIndicatorSet, by: User, revision: int | None, changes: dict[str, Any]
) -> AdaptationConsultation:
    """Record when the consultation ran, who was consulted, how, and what came of it."""
    locked = _locked_draft(adapted_set, by, revision)
    consultation = AdaptationConsultation.objects.select_for_update().get(pk=consultation_of(locked).pk)
    values: dict[str, Any] = {}
    for name in ("opened_on", "closed_on"):
        if name in changes:
            values[name] = _date(changes[name], name)
    for name in ("who_was_consulted", "method", "summary"):
        if name in changes:
            try:
                values[name] = _text(changes[name], name, TEXT_MAX)
            except DomainError as exc:
                raise DomainError(error_codes.CONSULTATION_INVALID, exc.message, field=name) from None
    opened = values.get("opened_on", consultation.opened_on)
    closed = values.get("closed_on", consultation.closed_on)
    today = timezone.localdate()
    if opened and opened > today:
        raise DomainError(
            error_codes.CONSULTATION_INVALID,
            gettext("The consultation cannot have opened in the future."),
            field="opened_on",
        )
    if closed and not opened:
        raise DomainError(error_codes.CONSULTATION_INVALID, gettext("Give the opening date too."), field="opened_on")
    if closed and opened and closed < opened:
        raise DomainError(
            error_codes.CONSULTATION_INVALID,
            gettext("The consultation cannot close before it opened."),
            field="closed_on",
        )
    changed = {name: value for name, value in values.items() if getattr(consultation, name) != value}
    if changed:
        for name, value in changed.items():
            setattr(consultation, name, value)
        consultation.save()
        _bump(locked, adapted_set)
        audit_record(
            actor=by,
            action="adapted_set.consultation_saved",
            target=locked,
            data={name: str(value) if isinstance(value, datetime.date) else value for name, value in changed.items()},
        )
    return consultation


def _comment_values(changes: dict[str, Any], standard_id: int) -> dict[str, Any]:
    values: dict[str, Any] = {}

    def invalid(message: str, field: str) -> DomainError:
        return DomainError(error_codes.CONSULTATION_INVALID, message, field=field)

    if "from_whom" in changes:
        try:
            values["from_whom"] = _text(changes["from_whom"], "from_whom", FROM_WHOM_MAX, required=True)
        except DomainError as exc:
            raise invalid(
                gettext("Say whom the comment came from (a person or an organisation)."), "from_whom"
            ) from exc
    for name in ("comment", "response"):
        if name in changes:
            try:
                values[name] = _text(changes[name], name, TEXT_MAX, required=name == "comment")
            except DomainError as exc:
                raise invalid(exc.message, name) from None
    if "received_on" in changes:
        received = _date(changes["received_on"], "received_on")
        if received and received > timezone.localdate():
            raise invalid(gettext("A comment cannot have been received in the future."), "received_on")
        values["received_on"] = received
    if "outcome" in changes:
        outcome = changes["outcome"] or ""
        if outcome and outcome not in CommentOutcome.values:
            raise invalid(
                gettext("Unknown outcome '%(outcome)s' (known: %(known)s).")
                % {"outcome": outcome, "known": ", ".join(CommentOutcome.values)},
                "outcome",
            )
        values["outcome"] = outcome
    if "indicator" in changes:
        indicator = changes["indicator"]
        indicator_id = indicator.pk if isinstance(indicator, Indicator) else indicator
        if indicator_id in (None, ""):
            values["indicator"] = None
        else:
            found = Indicator.objects.filter(pk=indicator_id, standard_id=standard_id).first()
            if found is None:
                raise DomainError(
                    error_codes.ADAPTED_INDICATOR_UNKNOWN,
                    gettext("That indicator is not one of the Standard version this set adapts."),
                    field="indicator",
                )
            values["indicator"] = found
    return values


def _comment_audit(values: dict[str, Any]) -> dict[str, Any]:
    return {
        name: (value.pk if isinstance(value, Indicator) else str(value) if isinstance(value, datetime.date) else value)
        for name, value in values.items()
    }


@transaction.atomic
def comment_add(
    *, adapted_set: AdaptedIndicatorSet, by: User, data: dict[str, Any], revision: int | None = None
) -> ConsultationComment:
    """Record a comment received (and, when known, how it was handled)."""
    locked = _locked_draft(adapted_set, by, revision)
    values = _comment_values({"from_whom": "", "comment": "", **data}, locked.standard_id)
    comment = ConsultationComment.objects.create(consultation=consultation_of(locked), created_by=by, **values)
    _bump(locked, adapted_set)
    audit_record(
        actor=by,
        action="adapted_set.comment_added",
        target=locked,
        data={"comment": comment.pk, **_comment_audit(values)},
    )
    return comment


@transaction.atomic
def comment_update(
    *, comment: ConsultationComment, by: User, changes: dict[str, Any], revision: int | None
) -> ConsultationComment:
    """Change a comment: most often, record the response and its outcome."""
    adapted_set = comment.consultation.adapted_set
    locked = _locked_draft(adapted_set, by, revision)
    comment = ConsultationComment.objects.select_for_update().get(pk=comment.pk)
    values = _comment_values(changes, locked.standard_id)
    changed = {name: value for name, value in values.items() if getattr(comment, name) != value}
    if changed:
        for name, value in changed.items():
            setattr(comment, name, value)
        comment.save()
        _bump(locked, adapted_set)
        audit_record(
            actor=by,
            action="adapted_set.comment_changed",
            target=locked,
            data={"comment": comment.pk, **_comment_audit(changed)},
        )
    return comment


# --- consultation documents -------------------------------------------------------------------
# An allow-list by content AND extension. Evidence accepts far more kinds and checks them in its own
# pipeline (evidence.extract.sniff), which sits above this app: here the list is short and the check
# is made before anything is stored.

OOXML_MIME = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
ODT_MIME = "application/vnd.oasis.opendocument.text"
# Extension → (the types libmagic may call such a file, what the reader is told it must be).
ATTACHMENT_TYPES: dict[str, tuple[frozenset[str], str]] = {
    ".pdf": (frozenset({"application/pdf"}), "a PDF document"),
    ".png": (frozenset({"image/png"}), "a PNG image"),
    ".jpg": (frozenset({"image/jpeg"}), "a JPEG image"),
    ".jpeg": (frozenset({"image/jpeg"}), "a JPEG image"),
    # Office files are zip archives; libmagic names them or says zip, and their parts decide.
    ".docx": (frozenset({OOXML_MIME[".docx"], "application/zip", "application/octet-stream"}), "a Word document"),
    ".xlsx": (frozenset({OOXML_MIME[".xlsx"], "application/zip", "application/octet-stream"}), "an Excel workbook"),
    ".odt": (frozenset({ODT_MIME, "application/zip"}), "an OpenDocument text"),
}
# The part of the archive that makes it what its extension says.
_ZIP_MARKERS = {".docx": "word/document.xml", ".xlsx": "xl/workbook.xml"}


def _zip_matches(handle: IO[bytes], ext: str) -> bool:
    """A Word, Excel or OpenDocument file is a zip archive with the parts of its kind, and no
    macros (a macro-enabled file renamed .docx or .xlsx is refused)."""
    try:
        with zipfile.ZipFile(handle) as archive:
            names = set(archive.namelist())
            if any(name.lower().endswith("vbaproject.bin") for name in names):
                return False
            if ext == ".odt":
                return "mimetype" in names and archive.read("mimetype").strip() == ODT_MIME.encode()
            return "[Content_Types].xml" in names and _ZIP_MARKERS[ext] in names
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, ValueError):
        return False
    finally:
        handle.seek(0)


def check_attachment(file: File[Any], filename: str) -> tuple[str, int, str]:
    """(the type the content is, its size, its SHA-256), or a DomainError saying why the file is
    refused: no file, too large, an extension not on the list, or content that is not what its
    extension says (an .exe renamed .pdf)."""
    size = int(getattr(file, "size", 0) or 0)
    if size == 0:
        raise DomainError(
            error_codes.ATTACHMENT_MISSING, gettext("Choose a file to upload (this one is empty)."), field="file"
        )
    if size > ATTACHMENT_MAX_BYTES:
        raise DomainError(
            error_codes.ATTACHMENT_TOO_LARGE,
            gettext("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": f"{size / 1024 / 1024:.1f}", "limit": ATTACHMENT_MAX_BYTES // 1024 // 1024},
            field="file",
        )
    ext = os.path.splitext(filename.lower())[1]
    allowed = ", ".join(sorted({e.lstrip(".").upper() for e in ATTACHMENT_TYPES} - {"JPEG"}))
    if ext not in ATTACHMENT_TYPES:
        raise DomainError(
            error_codes.ATTACHMENT_TYPE_REFUSED,
            gettext("Files of this kind (%(kind)s) are not accepted; upload one of %(allowed)s.")
            % {"kind": ext or gettext("no extension"), "allowed": allowed},
            field="file",
        )
    file.seek(0)
    head = file.read(8192)
    file.seek(0)
    sniffed = magic.from_buffer(head, mime=True) if head else "application/x-empty"
    types, expected = ATTACHMENT_TYPES[ext]
    matches = sniffed in types
    if matches and ext in (".docx", ".xlsx", ".odt"):
        matches = _zip_matches(file, ext)
        sniffed = OOXML_MIME.get(ext, ODT_MIME)
    if not matches:
        raise DomainError(
            error_codes.ATTACHMENT_TYPE_REFUSED,
            gettext(
                "The file is named %(ext)s but its content is not %(expected)s (it looks like %(sniffed)s); "
                "it was not stored. Upload one of %(allowed)s."
            )
            % {"ext": ext, "expected": expected, "sniffed": sniffed, "allowed": allowed},
            field="file",
        )
    digest = hashlib.sha256()
    for chunk in file.chunks():
        digest.update(chunk)
    file.seek(0)
    return sniffed, size, digest.hexdigest()


def attachment_add(
    *, adapted_set: AdaptedIndicatorSet, by: User, file: File[Any] | None, title: str = "", revision: int | None = None
) -> ConsultationAttachment:
    """Store a document of the consultation under a random name; refused before anything is
    written when it is not an allowed kind (by content) or too large."""
    if file is None:
        raise DomainError(error_codes.ATTACHMENT_MISSING, gettext("Choose a file to upload."), field="file")
    original = os.path.basename(getattr(file, "name", "") or "file")[:255]
    title = _text(title, "title", TITLE_MAX) or original[:TITLE_MAX]
    content_type, size, sha256 = check_attachment(file, original)
    stored_name = None
    try:
        with transaction.atomic():
            locked = _locked_draft(adapted_set, by, revision)
            attachment = ConsultationAttachment(
                consultation=consultation_of(locked),
                title=title,
                original_filename=original,
                content_type=content_type,
                size=size,
                sha256=sha256,
                uploaded_by=by,
            )
            attachment.file.save(original, file, save=False)
            stored_name = attachment.file.name
            attachment.save()
            _bump(locked, adapted_set)
            audit_record(
                actor=by,
                action="adapted_set.attachment_added",
                target=locked,
                data={"attachment": attachment.pk, "title": title, "size": size, "sha256": sha256},
            )
    except BaseException:
        # Nothing half-saved: no row, so no file either.
        if stored_name:
            ConsultationAttachment._meta.get_field("file").storage.delete(stored_name)
        raise
    return attachment


__all__ = [
    "ATTACHMENT_MAX_BYTES",
    "MACHINE",
    "MOV_ITEMS_MAX",
    "adaptation_remove",
    "adaptation_save",
    "adapted_set_approve",
    "adapted_set_create",
    "adapted_set_return",
    "adapted_set_submit",
    "attachment_add",
    "comment_add",
    "comment_update",
    "consultation_missing",
    "consultation_save",
]
