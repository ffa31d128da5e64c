"""Erasing a person (issue 20): their identity becomes a stable pseudonym everywhere.

An administrator erases (the admin's action, `manage.py erase_person EMAIL`). The person's row stays,
so everything they did keeps its author (decisions, reviews, certificates stay valid and verifiable),
but it no longer says who they were:

- name → "Former user 7f3a1c" (an HMAC of their id with SECRET_KEY: the same person always gets the
  same pseudonym, and nobody can work back from it); e-mail → a unique address that cannot receive
  mail (`erased-…@erased.invalid`); password unusable, account inactive;
- every copy of the address, and of the full name in its usual written forms ("First Last",
  "Last, First", "Last First"), in any text, JSON value or array column (other people's texts, outbox
  rows, invitations, comments, token names, the admin's log) is rewritten to the pseudonym, found
  through the model registry so a new app's columns are covered too. Never a separate name word (a
  given name or surname is an ordinary word or place name: "Sierra", "Green"), never a slug, key, code
  or choice column, a JSON key, the Standard or a protected area's fields (review H1);
- the audit trail's rows about them (target is the person, or the full name or address is in the
  text) are redacted the one way its hash chain allows
  (audit.chain.redact): the chain still verifies, and the erasure's own event lists them;
- sessions deleted, API tokens revoked, two-factor devices removed;
- the erasure is audited: who erased, when, the pseudonym (never the name).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.sessions.models import Session
from django.db import models, transaction
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import chain
from audit.services import audit_record
from core.errors import DomainError

from . import error_codes
from .models import ApiToken, User

ERASED_DOMAIN = "erased.invalid"
_TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)
# Apps whose text is not any one person's: the Standard's wording, protected areas' names and
# designations (a person called "… Sierra Green" must not rename "Sierra de Neiba" or the "Green
# List"), Django's own catalogues, and the audit trail (redacted its own way, audit.chain.redact).
NOT_PERSONAL_APPS = frozenset({"standards", "protected_areas", "audit", "contenttypes", "auth"})
# Columns that name or identify things rather than say anything: a slug, key or code is part of a
# URL or a lookup and is never rewritten, whatever it contains.
STRUCTURAL_NAMES = frozenset({"key", "code", "slug", "number", "codename", "app_label", "model", "sha256"})
STRUCTURAL_SUFFIXES = ("_key", "_code", "_slug", "_hash", "_nonce", "_secret")


def pseudonym_digest(user_id: int) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"person-erasure:{user_id}".encode(), hashlib.sha256).hexdigest()


def pseudonym_for(user_id: int) -> str:
    return f"Former user {pseudonym_digest(user_id)[:6]}"


def placeholder_email(user_id: int) -> str:
    return f"erased-{pseudonym_digest(user_id)[:16]}@{ERASED_DOMAIN}"


def is_erased(user: User) -> bool:
    return user.email.endswith("@" + ERASED_DOMAIN)


def name_forms(full_name: str) -> list[str]:
    """The usual written forms of a full name of two words or more: "Rosa Sierra Green",
    "Green, Rosa Sierra", "Green Rosa Sierra", "Sierra Green, Rosa", "Sierra Green Rosa".
    Never a single word: a given name or surname alone is an ordinary word or place name."""
    parts = full_name.split()
    if len(parts) < 2:
        return []
    forms = [" ".join(parts)]
    for cut in range(1, len(parts)):
        given, family = " ".join(parts[:cut]), " ".join(parts[cut:])
        forms += [f"{family}, {given}", f"{family} {given}"]
    return list(dict.fromkeys(forms))


def identity_rewriter(*, full_name: str, email: str, pseudonym: str, new_email: str) -> Callable[[str], str]:
    """A function rewriting one text: the e-mail address anywhere, each written form of the full name
    as a whole phrase, and a value that is the name and nothing else (a one-word name is rewritten
    only so). Separate name words are never rewritten."""
    steps: list[tuple[re.Pattern[str], str]] = []
    if email:
        steps.append((re.compile(re.escape(email), re.IGNORECASE), new_email))
    for form in sorted(name_forms(full_name), key=len, reverse=True):
        spaced = r"\s+".join(re.escape(word) for word in form.split())
        steps.append((re.compile(r"(?<!\w)" + spaced + r"(?!\w)", re.IGNORECASE), pseudonym))
    whole = " ".join(full_name.split()).casefold()

    def rewrite(text: str) -> str:
        if whole and " ".join(text.split()).casefold() == whole:
            return pseudonym
        for pattern, replacement in steps:
            text = pattern.sub(replacement, text)
        return text

    return rewrite


def needles_for(user: User) -> list[str]:
    """What a row must contain (case-insensitive) to be read and rewritten."""
    return [n for n in dict.fromkeys([user.email, " ".join(user.full_name.split()), *name_forms(user.full_name)]) if n]


def _rewrite_value(value: Any, rewrite: Callable[[str], str]) -> Any:
    """Strings, and strings inside JSON values and arrays; JSON keys are structure and stay."""
    if isinstance(value, str):
        return rewrite(value)
    if isinstance(value, list):
        return [_rewrite_value(v, rewrite) for v in value]
    if isinstance(value, dict):
        return {k: _rewrite_value(v, rewrite) for k, v in value.items()}
    return value


def is_structural(field: models.Field) -> bool:
    base = field.base_field if isinstance(field, ArrayField) else field
    return (
        field.primary_key
        or isinstance(base, models.SlugField)
        or bool(base.choices)
        or field.name in STRUCTURAL_NAMES
        or field.name.endswith(STRUCTURAL_SUFFIXES)
    )


def text_columns() -> list[tuple[type[models.Model], models.Field]]:
    """The columns that can hold what people write: every text, JSON and text-array column of every
    model (so a new app's free text is covered without a list to keep), but not the apps in
    NOT_PERSONAL_APPS and never a slug, key, code or choice column."""
    out = []
    for model in apps.get_models():
        if model._meta.app_label in NOT_PERSONAL_APPS or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            base = field.base_field if isinstance(field, ArrayField) else field
            if isinstance(base, _TEXT_FIELDS) and not is_structural(field):
                out.append((model, field))
    return out


def rewrite_everywhere(needles: list[str], rewrite: Callable[[str], str], *, skip: models.Model) -> int:
    """Rewrite every row holding any needle in any text column. Returns how many values changed."""
    changed = 0
    for model, field in text_columns():
        query = models.Q()
        for needle in needles:
            query |= models.Q(_pd_text__iregex=chain.loose_pattern(needle))
        rows = (
            model._default_manager.annotate(_pd_text=Cast(field.name, models.TextField()))
            .filter(query)
            .values_list("pk", field.attname)
        )
        for pk, value in rows:
            if model is type(skip) and pk == skip.pk:
                continue
            new = _rewrite_value(value, rewrite)
            if new != value:
                model._default_manager.filter(pk=pk).update(**{field.attname: new})
                changed += 1
    return changed


@dataclass(frozen=True)
class Erasure:
    pseudonym: str
    values_rewritten: int
    audit_events_redacted: int
    event_id: int


def erase_person(*, person: User, by: Any) -> Erasure:
    """Replace `person`'s identity with their pseudonym everywhere, in one transaction."""
    if by is not None and by.pk == person.pk:
        raise DomainError(error_codes.PERSON_UNCHANGEABLE, _("An administrator cannot erase their own account."))
    pseudonym = pseudonym_for(person.pk)
    new_email = placeholder_email(person.pk)
    needles = needles_for(person)
    rewrite = identity_rewriter(
        full_name=person.full_name, email=person.email, pseudonym=pseudonym, new_email=new_email
    )
    from django_otp.plugins.otp_totp.models import TOTPDevice

    with transaction.atomic():
        person.full_name = pseudonym
        person.email = new_email
        person.is_active = False
        person.set_unusable_password()  # also ends every session (Django checks the password's hash)
        person.save(update_fields=["full_name", "email", "is_active", "password"])
        now = timezone.now()
        ApiToken.objects.filter(user=person, revoked_at__isnull=True).update(revoked_at=now, revoked_by=by)
        TOTPDevice.objects.filter(user=person).delete()
        _delete_sessions(person)
        # A zip made before the erasure holds the name: its file goes once the erasure has committed
        # (deleted earlier, a rollback would leave rows pointing at missing files).
        zips = [export.file for export in person.data_exports.exclude(file="")]
        transaction.on_commit(lambda: _delete_files(zips))
        person.data_exports.update(file="", size=0, expires_at=now)
        changed = rewrite_everywhere(needles, rewrite, skip=person) if needles else 0
        chain.seal()
        mentioned = chain.rows_mentioning(needles, person_id=person.pk, rewrite=rewrite)
        event = audit_record(
            actor=by,
            action=chain.ERASURE_ACTION,
            target=person,
            data={"pseudonym": pseudonym, "redacted_events": mentioned, "values_rewritten": changed},
        )
        redacted = chain.redact(mentioned, erasure=event, rewrite=rewrite)
    return Erasure(pseudonym=pseudonym, values_rewritten=changed, audit_events_redacted=redacted, event_id=event.pk)


def _delete_files(files: list[Any]) -> None:
    for stored in files:
        if stored.name:
            stored.storage.delete(stored.name)


def _delete_sessions(person: User) -> None:
    key = str(person.pk)
    doomed = [
        s.session_key
        for s in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if s.get_decoded().get("_auth_user_id") == key
    ]
    Session.objects.filter(session_key__in=doomed).delete()
