"""Refusals of the Standard's services are in the reader's language (the French texts come from
the project's catalog): a sentence with a list in it, and one with a number."""

import pytest
from django.utils import timezone, translation

from core.errors import DomainError
from standards import adaptation, onboarding


@pytest.mark.django_db
def test_an_incomplete_consultation_is_refused_in_french(standard, jurisdiction, expert):
    # given a draft set adapting one indicator, with no consultation recorded
    draft = adaptation.adapted_set_create(by=expert, standard=standard, jurisdiction=jurisdiction, title="Viet Nam")
    adaptation.adaptation_save(
        adapted_set=draft, indicator=standard.indicators.get(number="1.1.1"), by=expert, revision=1, data={"text": "X"}
    )
    # when a French-speaking expert submits it
    with translation.override("fr"), pytest.raises(DomainError) as refused:
        adaptation.adapted_set_submit(adapted_set=draft, by=expert)
    # then the whole sentence, and what is missing, are in French
    assert refused.value.code == "consultation_incomplete"
    assert refused.value.message == (
        "La consultation des parties prenantes n’est pas complète : "
        "la consultation n’a pas été enregistrée (pas de date d’ouverture)."
    )


@pytest.mark.django_db
def test_an_unnamed_condition_is_refused_in_french(staff, jurisdiction):
    # when staff date condition 2 without its wording, in French
    with translation.override("fr"), pytest.raises(DomainError) as refused:
        onboarding.onboarding_update(
            jurisdiction=jurisdiction, by=staff, changes={"condition_2_met_on": timezone.localdate()}
        )
    # then the refusal names the condition, in French
    assert refused.value.field == "condition_2_label"
    assert refused.value.message == (
        "Saisissez le libellé de la condition 2 avant la date à laquelle elle a été jugée remplie."
    )
