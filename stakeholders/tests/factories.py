"""Consultation fixtures built through the real services."""

from __future__ import annotations

import datetime
import time

from django.utils import timezone

from assessments.models import Answer
from assessments.services import answer_save, assessment_create
from assessments.workflow import transition
from eligibility.tests.factories import make_eligible
from stakeholders import guard, services
from standards.tests.factories import load_gls


def candidate(area, site_manager, staff):
    """An assessment of `area` in the candidate phase, every answer filled in."""
    load_gls()
    assessment = assessment_create(protected_area=area, user=site_manager, year=2026)
    make_eligible(assessment)  # the eligibility gate guards application → candidate
    transition(assessment, "candidate", by=staff)
    for answer in Answer.objects.filter(assessment=assessment).order_by("indicator__position"):
        answer_save(
            answer=answer,
            user=site_manager,
            expected_version=answer.version,
            changes={"rating": "meets", "justification": f"Justified {answer.pk}."},
        )
    return assessment


def open_window(area, staff, *, phase="candidate", days=14, start=0):
    today = timezone.localdate()
    return services.window_open(
        area=area,
        phase=phase,
        opens_on=today + datetime.timedelta(days=start),
        closes_on=today + datetime.timedelta(days=start + days),
        by=staff,
    )


def old_stamp() -> str:
    """A form drawn a minute ago (a person's pace)."""
    return guard.form_stamp(now=time.time() - 60)


def accepted_comment(window, staff, *, text="The river bank is eroding.", email="ana@example.org", **kw):
    comment = services.comment_submit(window=window, text=text, email=email, stamp=old_stamp(), **kw)
    services.comment_confirm(token=services.confirm_token(comment))
    return services.comment_moderate(comment=comment, by=staff, accept=True)
