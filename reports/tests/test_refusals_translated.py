"""Report refusals are in the reader's language (the French texts come from the project's catalog)."""

import pytest
from django.utils import translation

from assessments.services import assessment_create
from core.errors import DomainError, NotAllowed
from core.jobs import job_run
from core.models import Job
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


def test_an_export_that_breaks_says_so_in_the_askers_language(db, site_manager):
    # given an export asked for by someone reading French, whose work breaks on something unforeseen
    job = Job.objects.create(kind=services.EXPORT_JOB_KIND, params={}, created_by=site_manager, language="fr")

    def breaks(job, progress):
        raise KeyError("/srv/private/path")

    # when the worker runs it (in whatever language the worker itself is in)
    with pytest.raises(KeyError):
        job_run(job.pk, kind=services.EXPORT_JOB_KIND, work=breaks, unexpected=services.EXPORT_UNEXPECTED)
    # then the job's error is in French, naming only the error's class
    job.refresh_from_db()
    assert job.status == "failed"
    assert job.error.startswith("L’export a échoué de façon inattendue (KeyError)"), job.error
    assert "/srv" not in job.error
