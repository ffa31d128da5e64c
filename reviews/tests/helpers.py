"""Take an assessment to recommended / not recommended the one way the platform allows: through
the expert review (reviews.services). The workflow refuses the move otherwise, staff included."""

from __future__ import annotations

import datetime

from django.utils import timezone

from accounts.tests.factories import Role, make_user
from assessments.choices import Status
from assessments.models import Answer, Assessment
from reviews import selectors, services
from reviews.choices import AssignmentRole, Outcome
from reviews.models import AssessmentReview
from standards.models import Jurisdiction


def review_to_conclusion(
    assessment: Assessment,
    *,
    staff,
    outcome: str = Outcome.RECOMMEND,
    expert=None,
    reviewer=None,
    rating: str | None = None,
) -> AssessmentReview:
    """From submitted (or already in review): `staff` start the review and assign an expert of the
    site's group and an independent reviewer (new people unless given), who declare no conflict;
    the expert records the group's finding on every indicator (`rating`, else the site's own
    rating) and the recommendation; the reviewer confirms, which moves the assessment to
    recommended ("recommend") or not recommended (any other outcome).

    The site must be in a jurisdiction with a group (tests: request the `jurisdiction` fixture)."""
    assessment.refresh_from_db()
    jurisdiction_id = selectors.assessment_jurisdiction_id(assessment)
    assert jurisdiction_id is not None, f"{assessment.protected_area} is in no jurisdiction: no group to review it"
    if assessment.status in (Status.SUBMITTED, Status.RESUBMITTED):
        services.review_start(assessment=assessment, by=staff)
    assert assessment.status == Status.IN_REVIEW, assessment.status
    expert = expert or make_user(Role.EXPERT, jurisdiction=Jurisdiction.objects.get(pk=jurisdiction_id))
    reviewer = reviewer or make_user(Role.INDEPENDENT_REVIEWER)
    due = timezone.localdate() + datetime.timedelta(days=30)
    for person, role in ((expert, AssignmentRole.EXPERT), (reviewer, AssignmentRole.INDEPENDENT_REVIEWER)):
        seat = services.assignment_create(assessment=assessment, assignee=person, role=role, due_date=due, by=staff)
        services.conflict_declare(assignment=seat, by=person, has_conflict=False)
    allowed = [r["code"] for r in assessment.standard.rating_scale if r.get("allowed_on_submit")]
    for answer in Answer.objects.filter(assessment=assessment).order_by("indicator__position"):
        services.group_finding_save(
            assessment=assessment,
            answer=answer,
            by=expert,
            rating=rating or (answer.rating if answer.rating in allowed else allowed[0]),
            finding="The group's finding, from the evidence.",
        )
    services.recommendation_make(assessment=assessment, by=expert, outcome=outcome, reasons="Group's reasons.")
    summary = services.process_confirm(assessment=assessment, by=reviewer, confirmed=True, note="Process followed.")
    assessment.refresh_from_db()
    return summary


def review_page_with_details(client, assessment) -> str:
    """The review page as someone sees it once every indicator is opened: the page, then each
    indicator's details fragment (evidence list, questions thread) it loads, as the logged-in
    client's person. The page ships the details closed (issue 19)."""
    import re

    from django.urls import reverse

    response = client.get(reverse("reviews:review", args=[assessment.pk]))
    assert response.status_code == 200, response.status_code
    body = response.content.decode()
    parts = []
    for url in re.findall(r'data-part="([^"]+)"', body):
        part = client.get(url)
        assert part.status_code == 200, (url, part.status_code)
        parts.append(part.content.decode())
    return body + "".join(parts)
