"""A monitoring dataset refused reads in the reader's language: the service translates its messages
when it raises (a French site manager adding a dataset reads why in French)."""

from __future__ import annotations

import io

import pytest
from django.utils import translation

from core.errors import DomainError, NotAllowed
from monitoring import error_codes, services

pytestmark = pytest.mark.django_db


def test_a_dataset_refused_says_why_in_french(area, site_manager, other_manager):
    # given a French reader, when a dataset comes without a file
    with translation.override("fr"), pytest.raises(DomainError) as no_files:
        services.add_dataset(area=area, title="Cámaras 2020", files=[], by=site_manager, process=False)
    # then the refusal is in French, its code unchanged
    assert no_files.value.code == error_codes.MONITORING_NO_FILES
    assert no_files.value.message == "Ajoutez au moins un fichier."

    # and the manager of another area is told who adds monitoring data, in French
    with translation.override("fr"), pytest.raises(NotAllowed) as role:
        services.add_dataset(area=area, title="x", files=[("a.csv", io.BytesIO(b"a"))], by=other_manager, process=False)
    assert role.value.code == error_codes.MONITORING_ROLE
    assert role.value.message == (
        "Seuls l’équipe du site de cette aire et le personnel de l’UICN ajoutent des données de suivi."
    )
