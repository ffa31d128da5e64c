"""Build assessments the way the platform does: real services and the real workflow.

The review runs through reviews.services (tests/helpers: `review_to_conclusion`): `reviewer`, an
IUCN staff member, accepts the candidate and starts the review, so counts as a reviewer (and may
not decide); an expert of the group recommends and an independent reviewer confirms.
"""

from assessments.services import assessment_create
from assessments.tests.helpers import fill_all
from assessments.workflow import transition
from eligibility.tests.factories import make_eligible
from reviews.choices import Outcome
from reviews.tests.helpers import review_to_conclusion


def make_recommended(*, area, site_manager, reviewer, year=2026, outcome="recommended"):
    """`outcome`: the phase to reach, "recommended" or "not_recommended". The site must be in a
    jurisdiction with a group (request the `jurisdiction` fixture)."""
    assessment = assessment_create(protected_area=area, user=site_manager, year=year)
    make_eligible(assessment, staff=reviewer)
    transition(assessment, "candidate", by=reviewer, note="eligible")
    fill_all(assessment, site_manager)
    transition(assessment, "submitted", by=site_manager)
    review_to_conclusion(
        assessment,
        staff=reviewer,
        outcome=Outcome.RECOMMEND if outcome == "recommended" else Outcome.NOT_RECOMMEND,
    )
    assert assessment.status == outcome, assessment.status
    return assessment
