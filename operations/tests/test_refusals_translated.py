"""The system page's retry is refused in the reader's language to anyone but IUCN staff
(the French text is the translators', locale/fr)."""

import pytest
from django.utils import translation

from core.errors import NotAllowed
from operations.services import failed_job_retry


def test_a_retry_by_a_site_manager_is_refused_in_french(site_manager):
    with translation.override("fr"), pytest.raises(NotAllowed) as refused:
        failed_job_retry(job_id=1, user=site_manager)
    assert refused.value.message == "Seul le personnel de l’UICN peut relancer un travail en échec."
