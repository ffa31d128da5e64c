"""Report refusals are in the reader's language (the French texts come from the project's catalog)."""

import pytest
from django.utils import translation

from assessments.services import assessment_create
from core.errors import DomainError, NotAllowed
from reports import services
from standards.tests.factories import load_gls


def test_export_refusals_are_in_french(db, area, site_manager, outsider):
    # given an assessment of the site manager's site
    load_gls()
    assessment = assessment_create(protected_area=area, user=site_manager, year=2026)
    with translation.override("fr"):
        # when its manager asks for a format that does not exist
        with pytest.raises(DomainError) as unknown:
            services.export_job_create(assessment=assessment, user=site_manager, fmt="docx")
        # and an outsider asks for a PDF of it
        with pytest.raises(NotAllowed) as refused:
            services.export_job_create(assessment=assessment, user=outsider, fmt="pdf")
    # then both are refused in French
    assert unknown.value.message == "Format d’export inconnu : « docx »."
    assert refused.value.message == "Vous ne pouvez pas exporter cette évaluation."
