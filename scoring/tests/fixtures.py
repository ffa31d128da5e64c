"""Fixtures shared by the scoring and reports tests: the real Standard, an assessment filled through
the real services, and one taken through review to a group finding."""

import datetime

import pytest


@pytest.fixture
def standard(db):
    from standards.tests.factories import load_gls

    return load_gls()


@pytest.fixture
def assessment(standard, site_manager, staff, area):
    """A cycle-1 assessment of `area`, accepted as candidate (the phase where the team fills it in)."""
    from assessments.services import assessment_create
    from assessments.workflow import transition
    from eligibility.tests.factories import make_eligible

    a = assessment_create(protected_area=area, user=site_manager, year=2026)
    make_eligible(a, staff=staff)
    transition(a, "candidate", by=staff, note="eligible")
    return a


def rate(assessment, user, ratings: dict[str, str], **extra):
    """Save ratings by indicator number through the real answer service."""
    from assessments.models import Answer
    from assessments.services import answer_save

    answers = {a.indicator.number: a for a in Answer.objects.filter(assessment=assessment).select_related("indicator")}
    for number, rating in ratings.items():
        answer = answers[number]
        changes = {"rating": rating, "justification": f"Why {number} is {rating}.", **extra}
        if rating in ("partially_meets", "does_not_meet"):
            changes.setdefault("action_text", f"Close the gap on {number}.")
            changes.setdefault("action_owner", "Park ranger team")
            changes.setdefault("action_due", datetime.date(2026, 3, 1))
        answer_save(answer=answer, user=user, expected_version=answer.version, changes=changes)


def numbers(assessment) -> list[str]:
    from assessments.models import Answer

    return list(
        Answer.objects.filter(assessment=assessment)
        .order_by("indicator__position")
        .values_list("indicator__number", flat=True)
    )


def into_review(assessment, *, site_manager, staff, expert, unmet=("1.1.1", "3.2.1")):
    """Fill every indicator (meets, except `unmet`: does not meet), submit, start review, assign the
    expert, who declares no conflict. Returns the assignment."""
    from assessments.workflow import transition
    from reviews import services as review_services

    rate(assessment, site_manager, {n: ("does_not_meet" if n in unmet else "meets") for n in numbers(assessment)})
    transition(assessment, "submitted", by=site_manager)
    review_services.review_start(assessment=assessment, by=staff)
    assignment = review_services.assignment_create(
        assessment=assessment,
        assignee=expert,
        role="expert",
        due_date=datetime.date.today() + datetime.timedelta(days=14),
        by=staff,
    )
    review_services.conflict_declare(assignment=assignment, by=expert, has_conflict=False)
    return assignment


def group_find(assessment, expert, ratings: dict[str, str]):
    from assessments.models import Answer
    from reviews import services as review_services

    answers = {a.indicator.number: a for a in Answer.objects.filter(assessment=assessment).select_related("indicator")}
    for number, rating in ratings.items():
        review_services.group_finding_save(
            assessment=assessment,
            answer=answers[number],
            by=expert,
            rating=rating,
            finding=f"Group: {number} {rating}.",
        )
