"""Eligibility fixtures built through the real services."""

from __future__ import annotations

from accounts.tests.factories import Role, make_user
from eligibility import services
from reviews.selectors import assessment_jurisdiction_id
from standards.models import Jurisdiction


def make_eligible(assessment, *, expert=None, reviewer=None, staff=None, reasons=""):
    """Open the gate application → candidate: an expert of the site's jurisdiction finds it eligible
    and an independent reviewer confirms (new accounts unless given). A site that no jurisdiction
    covers has no expert group to evaluate it: IUCN staff record an override instead, as they
    would on the platform."""
    jurisdiction_id = assessment_jurisdiction_id(assessment)
    if jurisdiction_id is None:
        staff = staff or make_user(Role.IUCN_STAFF)
        return services.override_record(
            assessment=assessment, by=staff, reasons="No Expert Assessment Group covers this site yet."
        )
    expert = expert or make_user(Role.EXPERT, jurisdiction=Jurisdiction.objects.get(pk=jurisdiction_id))
    reviewer = reviewer or make_user(Role.INDEPENDENT_REVIEWER)
    services.evaluation_record(
        assessment=assessment,
        by=expert,
        eligible=True,
        reasons=reasons or "In the WDPA as category IV with a governance type.",
    )
    return services.check_record(assessment=assessment, by=reviewer, confirmed=True, reasons="Process followed.")
