"""Who may do what with an area's monitoring series: the one place pages, API, command and the
dossier ask.

- **Add and process** datasets: the area's site team (as for its evidence) and IUCN staff.
- **See** datasets, values and map: those, and the experts and independent reviewers assigned
  (free of conflict) to an assessment of the area: the assessments' own visibility rule,
  `Assessment.objects.visible_to`.
- **Public**: nothing. Monitoring carries species locations and the site's raw effort; a public page
  may come later for non-sensitive aggregates of listed sites, decided then.
"""

from __future__ import annotations

from django.db import models

from accounts import rules
from accounts.types import Person
from assessments.models import Assessment


def can_add_monitoring(user: Person | None, area: models.Model) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return rules.is_iucn_staff(user) or rules.manages_site(user, area)


def can_restart_processing(user: Person | None) -> bool:
    """Start again a dataset stuck in "processing" (its worker gone for longer than any task may
    run): IUCN staff, who can also tell whether the files are at fault."""
    return user is not None and rules.is_iucn_staff(user)


def can_view_monitoring(user: Person | None, area: models.Model) -> bool:
    if user is None or not user.is_authenticated:
        return False
    if can_add_monitoring(user, area):
        return True
    return Assessment.objects.visible_to(user).filter(protected_area_id=area.pk).exists()


def viewable_area_ids(user: Person) -> frozenset[int] | None:
    """The areas whose monitoring this person may see; None: every area (staff)."""
    if not user.is_authenticated:
        return frozenset()
    if rules.is_iucn_staff(user):
        return None
    reviewed = Assessment.objects.visible_to(user).values_list("protected_area_id", flat=True)
    return frozenset(rules.managed_area_ids(user)) | frozenset(reviewed)
