"""Eligibility refusals are in the reader's language (the French texts come from the project's catalog)."""

import pytest
from django.utils import translation

from assessments.services import assessment_create
from core.errors import DomainError, NotAllowed
from eligibility import services
from standards.tests.factories import load_gls


@pytest.fixture
def applicant(db, area, jurisdiction, site_manager):
    """An assessment of `area` (in the Viet Nam jurisdiction) in the application phase."""
    load_gls()
    return assessment_create(protected_area=area, user=site_manager, year=2026)


def test_refusals_of_the_gate_are_in_french(applicant, site_manager, staff):
    with translation.override("fr"):
        # when the site's manager tries to record a staff override
        with pytest.raises(NotAllowed) as not_staff:
            services.override_record(assessment=applicant, by=site_manager, reasons="We are ready.")
        # and staff record one without reasons
        with pytest.raises(DomainError) as no_reasons:
            services.override_record(assessment=applicant, by=staff, reasons="   ")
    # then both are refused in French
    assert not_staff.value.message == "Seul le personnel de l’UICN enregistre une dérogation à l’éligibilité."
    assert no_reasons.value.message == "Indiquez les motifs."
    assert no_reasons.value.field == "reasons"
