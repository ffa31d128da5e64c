"""Who may see and record an assessment's site visits (issue 16), built on accounts.rules.

- see a visit (its dates, agenda, participants, evidence): whoever may see the assessment (the site
  team, IUCN staff, the assigned experts and independent reviewer free of conflict);
- plan, record, cancel, add photos or tracks, release the notes: IUCN staff and the assigned experts
  (the Expert Assessment Group visits the site; staff run the process);
- the group's notes: the group, the independent reviewer and staff always; the site team once the
  group or staff released them (the notes are the group's working record, like its findings).
"""

from __future__ import annotations

from accounts import rules
from accounts.types import AssessmentLike, Person


def can_see_visits(user: Person, assessment: AssessmentLike) -> bool:
    return rules.can_view_assessment(user, assessment)


def can_manage_visits(user: Person, assessment: AssessmentLike) -> bool:
    """Plan, record as held, cancel, add evidence, release the notes."""
    return rules.is_iucn_staff(user) or rules.is_assigned_expert(user, assessment)


def can_see_visit_notes(user: Person, assessment: AssessmentLike, *, released: bool) -> bool:
    if rules.is_iucn_staff(user) or rules.is_assigned_reviewer(user, assessment):
        return True
    return released and rules.is_site_team_of(user, assessment)
