"""Test helpers: fill answers through the real service."""

import datetime

from assessments.choices import Status
from assessments.models import Answer, Assessment
from assessments.services import answer_save

DONE = {
    "rating": "meets",
    "justification": "Documented in the management plan, section 4.",
    "evidence_date": datetime.date(2025, 6, 1),
}


def fill_all(assessment, user, *, except_numbers=(), **overrides):
    answers = Answer.objects.filter(assessment=assessment).select_related("indicator")
    for answer in answers:
        if answer.indicator.number in except_numbers:
            continue
        answer_save(answer=answer, user=user, expected_version=answer.version, changes={**DONE, **overrides})


def close_cycle(assessment):
    """Set-up shortcut for tests that need a site's earlier cycle closed before the next one starts
    (one open cycle per site): mark it decided without the review and the decision, which take a
    jurisdiction, a group and a dozen steps. The real path is tested on its own
    (test_cycles.py: a new cycle starts once the previous one is decided). Only tests write a
    status like this."""
    Assessment.objects.filter(pk=assessment.pk).update(status=Status.DECIDED)
    assessment.status = Status.DECIDED
    return assessment
