"""The Panel's refusals are shown in the reader's language: the message is translated when the
service raises it (certification/locale), its code stays the same."""

import pytest
from django.utils import translation

from certification import error_codes, panel
from certification.tests.factories import make_panel_member
from core.errors import DomainError


def _refusal(call, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as err:
        call(**kwargs)
    return err.value


def test_opening_a_case_and_voting_are_refused_in_french(recommended, staff, outsider):
    # given a case with two members, neither of whom has declared yet
    members = [make_panel_member(email="m1@panel.test"), make_panel_member(email="m2@panel.test")]
    case = panel.panel_case_open(assessment=recommended, by=staff, members=members)
    with translation.override("fr"):
        # when someone other than IUCN staff opens a case
        not_staff = _refusal(panel.panel_case_open, assessment=recommended, by=outsider, members=members)
        # when a member votes an unknown way, then before declaring conflicts of interest
        unknown = _refusal(panel.panel_vote, case=case, by=members[0], choice="maybe", reasons="Because.")
        undeclared = _refusal(panel.panel_vote, case=case, by=members[0], choice="grant", reasons="Because.")
    # then each says why in French, with its usual code
    assert not_staff.code == error_codes.PANEL_NOT_STAFF
    assert not_staff.message == "Seul le personnel de l’UICN (le secrétariat) ouvre des dossiers du Panel."
    assert unknown.code == error_codes.PANEL_VOTE_INVALID
    assert unknown.message == "Vote 'maybe' inconnu."
    assert undeclared.code == error_codes.PANEL_COI_PENDING
    assert undeclared.message == "Déclarez vos conflits d’intérêts avant de voter."
