import datetime

import pytest
from django.utils import timezone

from accounts.tests.factories import Role, make_user

from .factories import submitted_assessment


@pytest.fixture
def due():
    return timezone.localdate() + datetime.timedelta(days=21)


@pytest.fixture
def second_expert(jurisdiction):
    return make_user(Role.EXPERT, email="expert2@example.org", jurisdiction=jurisdiction)


@pytest.fixture
def unassigned_expert(jurisdiction):
    return make_user(Role.EXPERT, email="unassigned-expert@example.org", jurisdiction=jurisdiction)


@pytest.fixture
def chair(jurisdiction):
    return make_user(Role.EXPERT, email="chair@example.org", jurisdiction=jurisdiction, is_chair=True)


@pytest.fixture
def assessment(area, site_manager, staff, jurisdiction):
    return submitted_assessment(area=area, manager=site_manager, staff=staff)


@pytest.fixture
def in_review(assessment, staff):
    from reviews import services

    services.review_start(assessment=assessment, by=staff)
    return assessment


@pytest.fixture
def assign(staff, due):
    """assign(assessment, user, role="expert", declare=False|"no"|"yes")"""
    from reviews import services

    def _assign(assessment, user, role="expert", declare="no"):
        a = services.assignment_create(assessment=assessment, assignee=user, role=role, due_date=due, by=staff)
        if declare:
            services.conflict_declare(
                assignment=a, by=user, has_conflict=declare == "yes", note="I advise them." if declare == "yes" else ""
            )
        return a

    return _assign


@pytest.fixture
def team(in_review, assign, expert, second_expert, reviewer, unassigned_expert):
    """Two cleared experts and a cleared independent reviewer on an assessment in review;
    `second_expert` declared a conflict."""
    a1 = assign(in_review, expert)
    a2 = assign(in_review, second_expert, declare="yes")
    a3 = assign(in_review, reviewer, role="independent_reviewer")
    return {"assessment": in_review, "expert": a1, "conflicted": a2, "reviewer": a3}
