"""The transition engine's refusals read in the reader's language: the sentence naming the lifecycle's
object (one whole sentence per object, core.workflow) and a note over its limit.

The French text is the translators' (locale/fr): these pass once the catalogues are compiled."""

import pytest
from django.utils import translation

from assessments import workflow as assessment_workflow
from assessments.choices import Status
from core.errors import DomainError, NotAllowed


@pytest.fixture
def application(db, area, site_manager):
    from assessments.services import assessment_create
    from standards.tests.factories import load_gls

    load_gls()
    return assessment_create(protected_area=area, user=site_manager, year=2026)


def test_a_refused_move_is_told_in_french(application, site_manager):
    # given a site manager, whose role does not accept their own site as a candidate
    with translation.override("fr"):
        # when they try, on a French page
        with pytest.raises(NotAllowed) as refused:
            assessment_workflow.transition(application, Status.CANDIDATE, by=site_manager)
        # then the whole sentence is French, with the status as French readers see it
        target = str(Status(Status.CANDIDATE).label)
        assert refused.value.message == f"Vous ne pouvez pas faire passer cette évaluation à « {target} »."


def test_a_note_over_its_limit_is_told_in_french(application, staff):
    with translation.override("fr"), pytest.raises(DomainError) as refused:
        assessment_workflow.transition(
            application, Status.CANDIDATE, by=staff, note="x" * (assessment_workflow.NOTE_MAX + 1)
        )
    assert refused.value.message == f"La note dépasse {assessment_workflow.NOTE_MAX} caractères."
