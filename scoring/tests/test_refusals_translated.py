"""Scoring refusals are in the reader's language (the French texts come from the project's catalog)."""

import pytest
from django.utils import translation

from core.errors import DomainError
from scoring import services


def test_a_standard_with_an_unknown_rule_is_refused_in_french(assessment):
    # given a Standard whose rules name a criterion rule the engine does not know
    standard = assessment.standard
    standard.rules = {"criterion_met_when": "most_indicators_met", "standard_met_when": "all_criteria_met"}
    standard.save(update_fields=["rules"])
    # when a French reader's request scores the assessment
    with translation.override("fr"), pytest.raises(DomainError) as refused:
        services.rescore(assessment)
    # then the refusal is in French, the rule's name as it is in the file
    assert refused.value.code == "scoring_rules_invalid"
    assert refused.value.message == "Règle criterion_met_when inconnue : 'most_indicators_met'."
