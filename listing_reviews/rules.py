"""Who may see and act on the reviews of a listed site (issue 16), built on accounts.rules.

- see a mid-term or renewal review: IUCN staff, the site's team, the expert group that reviewed the
  listed cycle (its assigned experts free of conflict) and the Green List Panel's members;
- file the mid-term update and add monitoring evidence: the site's team;
- record the group's review of the update: an expert of the group that reviewed the listed cycle;
- record that the Panel noted it or asks for action: the Panel's chair;
- start the renewal cycle: the site's team (a cycle is started by someone of the site, as any other).
"""

from __future__ import annotations

from accounts import rules
from accounts.types import Person
from assessments.models import Assessment

from .models import MidtermReview, RenewalReview


def _listed_assessment(review: MidtermReview | RenewalReview) -> Assessment:
    return review.certificate.decision.assessment


def can_see_review(user: Person, review: MidtermReview | RenewalReview) -> bool:
    if not user.is_authenticated:
        return False
    return (
        rules.is_iucn_staff(user)
        or rules.manages_site(user, review.certificate.protected_area)
        or rules.is_panel_member(user)
        or rules.is_assigned_expert(user, _listed_assessment(review))
    )


def can_file_update(user: Person, review: MidtermReview) -> bool:
    return rules.manages_site(user, review.certificate.protected_area)


def can_review_update(user: Person, review: MidtermReview) -> bool:
    return rules.is_assigned_expert(user, _listed_assessment(review))


def can_record_panel_outcome(user: Person, review: MidtermReview) -> bool:
    return rules.chairs_panel(user)


def can_start_renewal(user: Person, review: RenewalReview) -> bool:
    return rules.manages_site(user, review.certificate.protected_area)


def can_list_reviews(user: Person) -> bool:
    """Staff's worklist of open reviews."""
    return rules.is_iucn_staff(user)
