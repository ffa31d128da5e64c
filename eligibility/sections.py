"""What the eligibility app hands down to the assessment page (assessments.sections)."""

from __future__ import annotations

from django.urls import reverse

from assessments.models import Assessment
from assessments.sections import EligibilityNotice
from reviews.selectors import assessment_jurisdiction_id

from . import rules
from .selectors import gate_is_open, gate_state


def assessment_eligibility_notice(assessment: Assessment, user) -> EligibilityNotice | None:
    """In the application phase, for whoever may see the gate: what is missing and where to act."""
    if not gate_is_open(assessment):
        return None
    if not rules.can_see_eligibility(user, assessment, assessment_jurisdiction_id(assessment)):
        return None
    state = gate_state(assessment, with_details=False)
    return EligibilityNotice(
        established=state.established,
        missing=[m.text for m in state.missing],
        url=reverse("eligibility:page", args=[assessment.pk]),
    )
