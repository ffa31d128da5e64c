"""Refusals on a concern are shown in the reader's language, on the API as from the services: the
message is translated when it is raised, its code stays the same."""

import pytest
from django.urls import reverse
from django.utils import translation

from concerns import error_codes, services
from core.errors import DomainError

from .factories import confirmed


def test_triage_by_the_site_team_is_refused_in_french(client, area, certificate, staff, site_manager):
    # given an admissible concern, which the site team may open
    concern = confirmed(area)
    services.concern_triage(concern=concern, by=staff, admissible=True, reason="ok")
    # when the site team triages it through the service
    with translation.override("fr"), pytest.raises(DomainError) as err:
        services.concern_triage(concern=concern, by=site_manager, admissible=False, reason="No.")
    # then the refusal is in French
    assert err.value.code == error_codes.CONCERN_ROLE
    assert err.value.message == "Seul le personnel de l'UICN trie les signalements."
    # and the API, read in French, refuses the same step in French (its own check, before the body)
    client.force_login(site_manager)
    response = client.post(
        reverse("concern-triage", args=[concern.pk]),
        {"admissible": False, "reason": "No."},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 403
    assert response.json() == {
        "code": error_codes.CONCERN_ROLE,
        "detail": "Votre rôle ne permet pas cette étape du signalement.",
    }
