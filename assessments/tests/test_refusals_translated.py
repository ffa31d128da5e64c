"""Refusals of the assessment services are read in the reader's language (French here): the message
is translated when the error is raised, placeholders filled, the plural chosen by the count."""

import pytest
from django.utils import translation

from assessments import error_codes
from assessments.services import assessment_create
from assessments.workflow import AssessmentIncomplete, transition
from core.errors import DomainError

pytestmark = pytest.mark.django_db


def test_a_year_that_is_no_number_is_refused_in_french(standard, area, site_manager):
    # when
    with translation.override("fr"), pytest.raises(DomainError) as exc:
        assessment_create(protected_area=area, user=site_manager, year="next year")
    # then
    assert exc.value.code == error_codes.YEAR_INVALID
    assert exc.value.message == "L’année doit être un nombre."


def test_submitting_an_incomplete_assessment_is_refused_in_french(assessment, site_manager):
    # given: a candidate assessment with nothing answered yet
    # when
    with translation.override("fr"), pytest.raises(AssessmentIncomplete) as exc:
        transition(assessment, "submitted", by=site_manager)
    # then: the plural form, with the count
    n = len(exc.value.missing)
    assert n > 1
    assert exc.value.message == f"L’évaluation ne peut pas encore être soumise : {n} indicateurs restent à compléter."
