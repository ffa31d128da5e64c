"""Refusals about protected areas read in the reader's language: only IUCN staff import areas and
change site teams. The French text is the translators' (locale/fr): these pass once the catalogues
are compiled."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from core.errors import NotAllowed
from protected_areas.services import import_job_start, site_manager_add


def test_an_import_by_a_site_manager_is_refused_in_french(site_manager):
    upload = SimpleUploadedFile("parks.geojson", b'{"type": "FeatureCollection", "features": []}')
    with translation.override("fr"), pytest.raises(NotAllowed) as refused:
        import_job_start(user=site_manager, upload=upload)
    assert refused.value.message == "Seul le personnel de l’UICN peut importer des aires protégées."


def test_a_site_team_change_by_a_site_manager_is_refused_in_french(area, site_manager):
    with translation.override("fr"), pytest.raises(NotAllowed) as refused:
        site_manager_add(area=area, email="someone@example.org", by=site_manager)
    assert refused.value.message == "Seul le personnel de l’UICN peut modifier les équipes des sites."
