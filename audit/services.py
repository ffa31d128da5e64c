from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .models import AuditEvent

_TARGET_REPR_MAX = AuditEvent.target_repr.field.max_length


def audit_record(*, actor: Any, action: str, target: models.Model, data: dict[str, Any] | None = None) -> AuditEvent:
    """Append one event to the audit trail. `actor` is None for the system (beat, workers).

    `actor` is a person (`accounts.types.Person`) or None: Any here, because audit sits below
    accounts (docs/architecture.md) and so cannot name its user model."""
    return AuditEvent.objects.create(
        actor=actor if (actor is not None and actor.is_authenticated) else None,
        action=action,
        target_type=ContentType.objects.get_for_model(target, for_concrete_model=False),
        target_id=str(target.pk),
        target_repr=str(target)[:_TARGET_REPR_MAX],
        data=data or {},
    )
