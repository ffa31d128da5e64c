"""A site visit's refusals read in the reader's language: the services translate their messages when
they raise (a French expert planning or recording a visit reads why in French), through the real
services on an assessment under review."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone, translation

from core.errors import DomainError
from reviews import services as review
from reviews.tests.factories import submitted_assessment
from visits import error_codes, services

TODAY = timezone.localdate


@pytest.fixture
def under_review(area, jurisdiction, site_manager, expert, reviewer, staff):
    assessment = submitted_assessment(area=area, manager=site_manager, staff=staff)
    review.review_start(assessment=assessment, by=staff)
    seat = review.assignment_create(
        assessment=assessment, assignee=expert, role="expert", due_date=TODAY() + datetime.timedelta(days=30), by=staff
    )
    review.conflict_declare(assignment=seat, by=expert, has_conflict=False)
    assessment.refresh_from_db()
    return assessment


def test_a_visit_refused_says_why_in_french(under_review, expert, staff):
    yesterday = TODAY() - datetime.timedelta(days=1)
    # given a French reader, when a visit is planned in the past
    with translation.override("fr"), pytest.raises(DomainError) as past:
        services.visit_plan(assessment=under_review, by=staff, planned_from=yesterday)
    # then the refusal is in French, its code unchanged
    assert past.value.code == error_codes.VISIT_PLANNED_IN_PAST
    assert past.value.message == "Une visite se prévoit pour aujourd’hui ou une date ultérieure."

    # and a visit recorded as held before the day it was planned names that day in the sentence
    visit = services.visit_plan(assessment=under_review, by=staff, planned_from=TODAY())
    with translation.override("fr"), pytest.raises(DomainError) as early:
        services.visit_record_held(visit=visit, by=expert, held_from=yesterday)
    assert early.value.code == error_codes.VISIT_HELD_BEFORE_PLANNED
    planned_on = timezone.localdate(visit.created_at).isoformat()
    assert early.value.message == (
        f"La visite a été prévue le {planned_on} ; elle ne peut pas avoir été effectuée avant cette date."
    )
