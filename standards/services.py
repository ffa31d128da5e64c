"""Writes for the Standard: loading a version from YAML, jurisdictions (adapted sets: standards.adaptation)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from django.utils.translation import gettext as _

from accounts import error_codes as account_error_codes
from accounts import rules
from accounts.models import User
from accounts.types import Person
from audit.services import audit_record
from core.errors import DomainError, NotAllowed

from . import adaptation, content, error_codes
from .models import Component, Criterion, Indicator, Jurisdiction, Standard


class StandardFileInvalid(DomainError):
    """The file does not describe a Standard; `problems` lists every problem found, with its place."""

    def __init__(self, problems: list[str]):
        super().__init__(error_codes.STANDARD_FILE_INVALID, "; ".join(problems), field=None)
        self.problems = problems


@dataclass(frozen=True)
class LoadResult:
    standard: Standard
    created: bool
    components: int
    criteria: int
    indicators: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "version": self.standard.version,
            "components": self.components,
            "criteria": self.criteria,
            "indicators": self.indicators,
            "created": self.created,
        }


# PyYAML's safe loader, through libyaml where the wheel has it: the same documents and errors, ten
# times faster (the Standard's 0.16 s parse becomes 0.015 s; tests load it hundreds of times).
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read(path: str | Path) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise DomainError(error_codes.STANDARD_FILE_UNREADABLE, f"Cannot read {path}: {exc.strerror}.") from exc


def _counts(standard: Standard) -> tuple[int, int, int]:
    return (
        Component.objects.filter(standard=standard).count(),
        Criterion.objects.filter(component__standard=standard).count(),
        Indicator.objects.filter(standard=standard).count(),
    )


def standard_load(path: str | Path) -> LoadResult:
    """Load a published Standard version from YAML.

    Idempotent: the same content (by SHA-256) loads nothing new. A changed file with the same
    version is added as a new row beside the old one, because assessments made under the old
    content must keep pointing at what they were made under.
    """
    raw = _read(path)
    sha = hashlib.sha256(raw).hexdigest()
    existing = Standard.objects.filter(source_sha256=sha).first()
    if existing is not None:
        return LoadResult(existing, False, *_counts(existing))
    try:
        data = yaml.load(raw, Loader=SAFE_LOADER)  # noqa: S506 (the safe loader, in C where built)
    except yaml.YAMLError as exc:
        raise StandardFileInvalid([f"not valid YAML: {exc}"]) from exc
    data = content.normalise(data)
    problems = content.validate(data)
    if problems:
        raise StandardFileInvalid([str(p) for p in problems])
    with transaction.atomic():
        standard = content.create_version(data, source_sha256=sha)
        counts = content.counts_of(data)
        audit_record(
            actor=None,
            action="standard.loaded",
            target=standard,
            data={"path": str(path), "sha256": sha, "indicators": counts.indicators},
        )
    return LoadResult(standard, True, counts.components, counts.criteria, counts.indicators)


# Approving a jurisdiction's adapted set is one move of its lifecycle, kept with the rest of it.
adapted_set_approve = adaptation.adapted_set_approve


# --- jurisdictions ------------------------------------------------------------------------------
# Added and changed by whoever the admin lets (accounts.rules.can_edit_jurisdictions); never
# deleted here: roles, invitations and adapted sets point to them.

_ISO3 = re.compile(r"[A-Z]{3}")
JURISDICTION_FIELDS = ("code", "name", "countries")


def jurisdiction_editor_required(by: Person) -> None:
    if not rules.can_edit_jurisdictions(by):
        raise NotAllowed(account_error_codes.NOT_STAFF, _("Only IUCN staff can add or change jurisdictions."))


def _countries(values: Iterable[object]) -> list[str]:
    """ISO3 codes, upper case, each once, in the order given."""
    countries = [str(value).strip().upper() for value in values]
    bad = [value for value in countries if not _ISO3.fullmatch(value)]
    if bad:
        raise DomainError(
            error_codes.JURISDICTION_COUNTRIES_INVALID,
            _("Not ISO 3166 alpha-3 country codes: %(codes)s.") % {"codes": ", ".join(bad[:5])},
            field="countries",
        )
    return list(dict.fromkeys(countries))


def _code_free(code: str, exclude_pk: int | None = None) -> None:
    taken = Jurisdiction.objects.filter(code__iexact=code)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise DomainError(
            error_codes.JURISDICTION_CODE_TAKEN,
            _("The code %(code)s is in use already.") % {"code": code},
            field="code",
        )


@transaction.atomic
def jurisdiction_create(*, by: User, code: str, name: str, countries: Iterable[object] = ()) -> Jurisdiction:
    jurisdiction_editor_required(by)
    code = code.strip().lower()
    _code_free(code)
    jurisdiction = Jurisdiction.objects.create(code=code, name=name.strip(), countries=_countries(countries))
    audit_record(
        actor=by,
        action="jurisdiction.created",
        target=jurisdiction,
        data={"code": jurisdiction.code, "name": jurisdiction.name, "countries": jurisdiction.countries},
    )
    return jurisdiction


@transaction.atomic
def jurisdiction_update(*, jurisdiction: Jurisdiction, by: User, changes: dict[str, Any]) -> Jurisdiction:
    """Change a jurisdiction's code, name or countries (the sites it covers follow its countries)."""
    jurisdiction_editor_required(by)
    jurisdiction = Jurisdiction.objects.select_for_update().get(pk=jurisdiction.pk)
    values = {}
    if "code" in changes:
        values["code"] = changes["code"].strip().lower()
        _code_free(values["code"], exclude_pk=jurisdiction.pk)
    if "name" in changes:
        values["name"] = changes["name"].strip()
    if "countries" in changes:
        values["countries"] = _countries(changes["countries"])
    changed = {name: value for name, value in values.items() if getattr(jurisdiction, name) != value}
    if changed:
        before = {name: getattr(jurisdiction, name) for name in changed}
        for name, value in changed.items():
            setattr(jurisdiction, name, value)
        jurisdiction.save(update_fields=list(changed))
        audit_record(
            actor=by, action="jurisdiction.updated", target=jurisdiction, data={"before": before, "after": changed}
        )
    return jurisdiction
