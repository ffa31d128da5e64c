from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .models import AuditEvent


def audit_record(*, actor, action: str, target: models.Model, data: dict[str, Any] | None = None) -> AuditEvent:
    """Append one event to the audit trail. `actor` is None for the system (beat, workers)."""
    return AuditEvent.objects.create(
        actor=actor if (actor is not None and actor.is_authenticated) else None,
        action=action,
        target_type=ContentType.objects.get_for_model(target, for_concrete_model=False),
        target_id=str(target.pk),
        target_repr=str(target)[:300],
        data=data or {},
    )
