"""Who may do what with a concern about a listed site (the platform's practice; issue 16).

- IUCN staff (the secretariat) triage a received concern (admissible or not, with reasons), name
  experts to advise, mark the site's answer shareable with the raiser, and close a decided concern.
- The site team (the site's managers) answers an admissible concern.
- The expert group advises on an answered concern: the experts who reviewed the listed cycle (free
  of conflict) and the experts staff named.
- The Green List Panel's chair records the Panel's outcome (concerns.services.concern_outcome_record
  checks conflicts: the chair and every member named must be free of them).
Who sees a concern at all is `Concern.objects.visible_to`; these rules say what each sees of it.
The raiser's e-mail address is nobody's to see; their name only staff's and the Panel's.
"""

from __future__ import annotations

from accounts import rules
from accounts.types import Person

from .choices import ConcernStatus
from .models import Concern


def can_triage(user: Person) -> bool:
    return rules.is_iucn_staff(user)


def is_site_team(user: Person, concern: Concern) -> bool:
    return concern.protected_area_id in rules.managed_area_ids(user)


def is_group(user: Person, concern: Concern, adviser_ids: frozenset[int]) -> bool:
    """`adviser_ids`: the concern's named advisers (passed in, so that asking costs no query)."""
    if user.pk in adviser_ids and rules.is_expert(user):
        return True
    assessment = concern.certificate.decision.assessment
    return rules.is_assigned_expert(user, assessment)


def can_answer(user: Person, concern: Concern) -> bool:
    return is_site_team(user, concern)


def can_advise(user: Person, concern: Concern, adviser_ids: frozenset[int]) -> bool:
    return is_group(user, concern, adviser_ids)


def can_record_outcome(user: Person) -> bool:
    """The Panel's chair, on the Panel's behalf (whether they are conflicted is the service's
    question: it depends on the site, not on the role)."""
    return rules.chairs_panel(user)


def can_close(user: Person) -> bool:
    return rules.is_iucn_staff(user)


def can_see_raiser_name(user: Person) -> bool:
    return rules.is_iucn_staff(user) or rules.is_panel_member(user)


def can_see_internal(user: Person) -> bool:
    """Triage reasons and the Panel's internal reasons: staff and the Panel, not the site team."""
    return rules.is_iucn_staff(user) or rules.is_panel_member(user)


def can_see_advice(user: Person, concern: Concern, adviser_ids: frozenset[int]) -> bool:
    """The expert group's advice is addressed to the Panel (internal): staff, the Panel and the
    group itself read it; the site team, whose answer it weighs, does not."""
    return can_see_internal(user) or is_group(user, concern, adviser_ids)


def can_see_attachments(user: Person, concern: Concern) -> bool:
    """Anyone who may open the concern (staff, the site team, the group, the Panel): checked by
    the view through `visible_to`; an unconfirmed concern's files are nobody's."""
    return concern.status != ConcernStatus.UNCONFIRMED
