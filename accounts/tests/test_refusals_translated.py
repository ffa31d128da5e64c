"""Refusals of the accounts services are translated when raised: a French reader sees them in French.

These pass once the French catalogue has the messages (locale/fr, merged and compiled separately)."""

import pytest
from django.utils import translation

from accounts.choices import Role
from accounts.models import ApiToken
from accounts.services import api_token_create, role_assign
from core.errors import DomainError, NotAllowed
from core.limits import max_length

pytestmark = pytest.mark.django_db


def test_a_refused_role_reads_in_french(site_manager, expert):
    # given a site manager, who may give nobody a role
    # when they try to give one, read in French
    with translation.override("fr"), pytest.raises(NotAllowed) as err:
        role_assign(by=site_manager, user=expert, role=Role.SITE_MANAGER)
    # then the refusal is in French
    assert err.value.message == "Seul le personnel de l’UICN peut attribuer des rôles ou y mettre fin."


def test_a_refused_token_name_reads_in_french_with_its_limit(expert):
    # given a token name one character too long
    limit = max_length(ApiToken, "name")
    # when an expert creates the token, read in French
    with translation.override("fr"), pytest.raises(DomainError) as err:
        api_token_create(user=expert, name="x" * (limit + 1), otp_verified=False)
    # then the refusal is in French and names the limit
    assert err.value.field == "name"
    assert err.value.message == f"Le nom est trop long ({limit} caractères au maximum)."
