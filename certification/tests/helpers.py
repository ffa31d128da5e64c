"""Build assessments the way the platform does: real services and the real workflow.

Shortcut (until the reviews app has its workflow): the review steps are made with
`assessments.workflow.transition` by an IUCN staff member, who thereby counts as a reviewer.
"""

from assessments.services import assessment_create
from assessments.tests.helpers import fill_all
from assessments.workflow import transition


def make_recommended(*, area, site_manager, reviewer, year=2026, outcome="recommended"):
    assessment = assessment_create(protected_area=area, user=site_manager, year=year)
    transition(assessment, "candidate", by=reviewer, note="eligible")
    fill_all(assessment, site_manager)
    transition(assessment, "submitted", by=site_manager)
    transition(assessment, "in_review", by=reviewer)
    transition(assessment, outcome, by=reviewer, note="EAGL recommendation")
    return assessment
