"""The map follows every ORM write of a protected area (map_updates: why, and what it remakes).

A derived side effect, as signals are for here (docs/architecture.md): whoever saves or deletes an
area (the assessment package import, the shell, fixtures, a form to come) keeps the map true without
knowing about tiles. The box before the write is read from the database before it, the box after
it once written; both go to map_updates.changed_on_commit.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from .map_updates import TILE_FIELDS, boxes_of, changed_on_commit
from .models import ProtectedArea

# Where the box read before a write waits for the write's end, on the instance being written.
_BEFORE = "_map_boxes_before"


@receiver(pre_save, sender=ProtectedArea, dispatch_uid="protected_areas.map_before_save")
def _note_boxes_before_save(sender: Any, instance: ProtectedArea, update_fields: Any = None, **kwargs: Any) -> None:
    if update_fields is not None and not TILE_FIELDS & set(update_fields):
        return  # nothing a tile shows is written
    setattr(instance, _BEFORE, boxes_of([instance.pk]) if instance.pk else [])


@receiver(post_save, sender=ProtectedArea, dispatch_uid="protected_areas.map_after_save")
def _map_after_save(sender: Any, instance: ProtectedArea, **kwargs: Any) -> None:
    before = instance.__dict__.pop(_BEFORE, None)
    if before is not None:
        changed_on_commit([*before, *boxes_of([instance.pk])])


@receiver(pre_delete, sender=ProtectedArea, dispatch_uid="protected_areas.map_before_delete")
def _note_boxes_before_delete(sender: Any, instance: ProtectedArea, **kwargs: Any) -> None:
    setattr(instance, _BEFORE, boxes_of([instance.pk]))


@receiver(post_delete, sender=ProtectedArea, dispatch_uid="protected_areas.map_after_delete")
def _map_after_delete(sender: Any, instance: ProtectedArea, **kwargs: Any) -> None:
    changed_on_commit(instance.__dict__.pop(_BEFORE, None) or [])
