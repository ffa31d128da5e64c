"""Named rules of multi-site applications (issue 16), on top of accounts.rules.

The site team of an application is the team of its main site (`Assessment.protected_area`); the
managers of an added site get no say over the application through that site alone.
"""

from __future__ import annotations

from accounts import rules
from accounts.types import AssessmentLike, Person


def can_see_application_sites(user: Person, assessment: AssessmentLike) -> bool:
    """Whoever sees the assessment sees which sites it covers and the connection statements (the
    eligibility page shows them too, to the expert group and the independent reviewer)."""
    return rules.can_view_assessment(user, assessment)


def can_change_application_sites(user: Person, assessment: AssessmentLike) -> bool:
    """Add or remove sites: the main site's team, who applies, and IUCN staff, who run the process.
    The phase (application only) is the service's check, so that a permitted person hears why."""
    return rules.is_site_team_of(user, assessment) or rules.is_iucn_staff(user)


def can_add_area_as_site(user: Person, area_id: int) -> bool:
    """Which area may join an application: a site team only one it also manages (so no team can
    claim another team's area, which would then be refused a cycle of its own and named on its
    public page as part of this application); IUCN staff any."""
    return rules.is_iucn_staff(user) or area_id in rules.managed_area_ids(user)
