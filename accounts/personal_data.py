"""Everything the platform holds about one person, found by walking the model graph (issue 20).

`user_links()` lists every column that points at the user model, in every installed app, read from
Django's model registry: an app added later is covered without anyone remembering to add it here
(accounts sits low in the layers and imports no app above it; the registry needs no import).
`person_rows()` collects the rows behind each link, the rows owned through a person's own seats
(a review assignment's reviews, a Panel seat's votes: one step down from links named `user`), and
rows that carry the person's e-mail address (comments and concerns sent under it, invitations).
`build_export()` (the worker) writes them as JSON with the files the person uploaded into one zip.

Secrets never leave: password and key hashes, one-time-password keys, private-link nonces.
"""

from __future__ import annotations

import datetime
import json
import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from core.errors import DomainError

from . import error_codes, export_workflow
from .choices import ExportStatus
from .models import DataExport, User

# Columns whose value is a secret or a key, whatever the table: never exported.
SECRET_NAMES = frozenset({"password", "key", "secret", "link_nonce", "content_salt", "throttling_failure_timestamp"})
SECRET_SUFFIXES = ("_hash", "_nonce", "_secret")
# Links through which a row is the person's own upload: its files go into the zip.
UPLOADER_LINKS = frozenset({"uploaded_by", "owner", "created_by", "user", "author"})
# Links through which a row is the person's own seat: the rows hanging from it are theirs too.
SEAT_LINKS = frozenset({"user", "reviewer"})
# The export itself is not part of the export.
SKIP_MODELS = frozenset({"accounts.DataExport", "accounts.DataExportTransition"})


@dataclass(frozen=True)
class Link:
    model: type[models.Model]
    field: str
    many: bool

    @property
    def key(self) -> str:
        return f"{self.model._meta.label}.{self.field}"


def user_links() -> list[Link]:
    """Every foreign key, one-to-one and many-to-many column to the user model, in every installed app."""
    user_model = get_user_model()
    links = []
    for model in apps.get_models():
        if model._meta.label in SKIP_MODELS:
            continue
        for field in model._meta.get_fields():
            if field.is_relation and field.concrete and field.related_model is user_model:
                links.append(Link(model, field.name, bool(field.many_to_many)))
    return links


def email_columns() -> list[tuple[type[models.Model], str]]:
    """Every e-mail column outside the user table: where a person's address is kept as text."""
    user_model = get_user_model()
    return [
        (model, field.name)
        for model in apps.get_models()
        if model is not user_model and model._meta.label not in SKIP_MODELS
        for field in model._meta.concrete_fields
        if isinstance(field, models.EmailField)
    ]


def is_secret(field: models.Field) -> bool:
    return field.name in SECRET_NAMES or field.name.endswith(SECRET_SUFFIXES)


def row_json(obj: models.Model) -> dict[str, Any]:
    """One row as JSON-ready values: secrets left out, geometries omitted (they are the sites', not the person's)."""
    out: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if is_secret(field) or isinstance(field, models.BinaryField):
            continue
        if hasattr(field, "geom_type"):
            continue
        value = field.value_from_object(obj)
        if isinstance(field, models.FileField):
            value = value.name if value else ""
        out[field.attname if field.is_relation else field.name] = value
    return out


@dataclass
class PersonRows:
    sections: dict[str, list[models.Model]]
    uploads: list[tuple[models.Model, models.FileField]]


def person_rows(user: User) -> PersonRows:
    sections: dict[str, list[models.Model]] = {}
    uploads: list[tuple[models.Model, models.FileField]] = []
    for link in user_links():
        rows = list(link.model._default_manager.filter(**{link.field: user}).order_by("pk"))
        sections[link.key] = rows
        if link.field in UPLOADER_LINKS:
            files = [f for f in link.model._meta.concrete_fields if isinstance(f, models.FileField)]
            uploads += [(row, f) for row in rows for f in files if getattr(row, f.name)]
        if link.field in SEAT_LINKS and rows:
            for child_model, fk in _children(link.model):
                children = list(child_model._default_manager.filter(**{f"{fk}__in": rows}).order_by("pk"))
                sections[f"{child_model._meta.label}.{fk} → {link.key}"] = children
    for model, column in email_columns():
        rows = list(model._default_manager.filter(**{f"{column}__iexact": user.email}).order_by("pk"))
        sections[f"{model._meta.label}.{column} = e-mail"] = rows
    return PersonRows(sections=sections, uploads=uploads)


def _children(model: type[models.Model]) -> Iterator[tuple[type[models.Model], str]]:
    for child in apps.get_models():
        if child._meta.label in SKIP_MODELS:
            continue
        for field in child._meta.concrete_fields:
            if field.is_relation and field.related_model is model and not field.many_to_many:
                yield child, field.name


class _Encoder(DjangoJSONEncoder):
    def default(self, o: Any) -> Any:
        try:
            return super().default(o)
        except TypeError:
            return str(o)


def export_document(user: User) -> tuple[dict[str, Any], list[tuple[str, models.Model, models.FileField]]]:
    """The JSON document and the files (name inside the zip, row, field) of one person's export."""
    found = person_rows(user)
    listed: list[dict[str, str]] = []
    document: dict[str, Any] = {
        "generated_at": timezone.now(),
        "person": row_json(user),
        "data": {key: [row_json(r) for r in rows] for key, rows in sorted(found.sections.items()) if rows},
        "files": listed,
    }
    files = []
    for row, field in found.uploads:
        name = f"files/{row._meta.label}/{row.pk}/{os.path.basename(getattr(row, field.name).name)}"
        files.append((name, row, field))
        listed.append({"path": name, "row": f"{row._meta.label}:{row.pk}", "field": field.name})
    return document, files


# --- the download: request, build (worker), serve, expire ------------------------------------------


class ExportGone(DomainError):
    """The download has expired or is not ready (HTTP 410: it existed, it is not there now)."""

    http_status = 410


def export_request(*, user: User) -> DataExport:
    """A person asks for their data; one at a time. The worker builds it after commit."""
    from .tasks import build_data_export

    if DataExport.objects.filter(user=user, status__in=[ExportStatus.REQUESTED, ExportStatus.BUILDING]).exists():
        raise DomainError(error_codes.DATA_EXPORT_PENDING, _("Your previous request is still being prepared."))
    export = DataExport.objects.create(user=user)
    audit_record(actor=user, action="data_export.requested", target=export)
    transaction.on_commit(lambda: build_data_export.delay(export.pk))
    return export


def export_build(export_id: int) -> DataExport:
    """The worker: write the zip to storage, then move the export to ready (or failed, with the reason)."""
    export = DataExport.objects.select_related("user").get(pk=export_id)
    if export.status not in (ExportStatus.REQUESTED, ExportStatus.BUILDING):
        return export
    export_workflow.transition(export, ExportStatus.BUILDING)
    try:
        document, files = export_document(export.user)
        with tempfile.NamedTemporaryFile(suffix=".zip") as tmp:
            with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                archive.writestr("personal-data.json", json.dumps(document, cls=_Encoder, indent=2, ensure_ascii=False))
                for name, row, field in files:
                    try:
                        with getattr(row, field.name).open("rb") as source, archive.open(name, "w") as target:
                            shutil.copyfileobj(source, target, 1 << 20)
                    except FileNotFoundError:
                        archive.writestr(name + ".missing.txt", "The file is no longer in storage.")
            tmp.flush()
            size = tmp.tell()
            tmp.seek(0)
            export.file.save(f"personal-data-{export.pk}.zip", File(tmp), save=False)
    except Exception as exc:
        export_workflow.transition(export, ExportStatus.FAILED, note=type(exc).__name__)
        raise
    expires = timezone.now() + datetime.timedelta(days=settings.PERSONAL_DATA_EXPORT_DAYS)
    with transaction.atomic():
        DataExport.objects.filter(pk=export.pk).update(file=export.file.name, size=size, expires_at=expires)
        export_workflow.transition(export, ExportStatus.READY)
    export.refresh_from_db()
    return export


def export_for_download(*, user: User, export_id: int) -> DataExport:
    """The person's own ready export; anyone else's is not found (404), an expired one says so (410)."""
    from django.http import Http404

    export = DataExport.objects.filter(pk=export_id, user=user).first()
    if export is None:
        raise Http404
    if export.status != ExportStatus.READY or (export.expires_at and export.expires_at <= timezone.now()):
        raise ExportGone(error_codes.DATA_EXPORT_EXPIRED, _("This download is not available (expired or not ready)."))
    return export


def expire_exports(now: datetime.datetime | None = None) -> int:
    """Beat: exports past their date lose their file. Returns how many expired."""
    now = now or timezone.now()
    count = 0
    stale = DataExport.objects.filter(
        models.Q(status=ExportStatus.READY, expires_at__lte=now)
        | models.Q(
            status__in=[ExportStatus.FAILED, ExportStatus.REQUESTED],
            created_at__lte=now - datetime.timedelta(days=settings.PERSONAL_DATA_EXPORT_DAYS),
        )
    )
    for export in stale:
        if export.file:
            export.file.delete(save=False)
            DataExport.objects.filter(pk=export.pk).update(file="", size=0)
        export_workflow.transition(export, ExportStatus.EXPIRED)
        count += 1
    return count
