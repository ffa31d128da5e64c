"""Refusals of the review services are read in the reader's language (French here): the message is
translated when the error is raised, placeholders filled, one whole sentence per msgid."""

import pytest
from django.utils import translation

from core.errors import DomainError
from reviews import error_codes, services
from reviews.tests.factories import answers_of

pytestmark = pytest.mark.django_db


def test_recommending_with_unreviewed_indicators_is_refused_in_french(team, expert):
    # given: a group finding on the first indicator only
    assessment = team["assessment"]
    answers = answers_of(assessment)
    services.group_finding_save(assessment=assessment, answer=answers[0], by=expert, rating="meets", finding="Met.")
    numbers = [a.indicator.number for a in answers[1:]]
    assert len(numbers) > 1
    shown = ", ".join(numbers[:12]) + ("…" if len(numbers) > 12 else "")
    # when
    with translation.override("fr"), pytest.raises(DomainError) as exc:
        services.recommendation_make(assessment=assessment, by=expert, outcome="recommend", reasons="All good.")
    # then: the plural form, with the count and the numbers in it
    assert exc.value.code == error_codes.INDICATORS_UNREVIEWED
    assert exc.value.message == (
        f"Le groupe n’a pas de constat à jour sur {len(numbers)} indicateurs ({shown}) : "
        "enregistrez ces constats avant de formuler la recommandation."
    )


def test_assigning_the_same_person_twice_is_refused_in_french(assessment, staff, expert, due):
    # given
    services.assignment_create(assessment=assessment, assignee=expert, role="expert", due_date=due, by=staff)
    # when
    with translation.override("fr"), pytest.raises(DomainError) as exc:
        services.assignment_create(assessment=assessment, assignee=expert, role="expert", due_date=due, by=staff)
    # then
    assert exc.value.code == error_codes.ASSIGNEE_ALREADY
    assert exc.value.message == f"{expert} est déjà affecté(e) à cette évaluation."
