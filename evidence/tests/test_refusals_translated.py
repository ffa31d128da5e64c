"""Evidence uploads refused read in the reader's language: the service translates its messages when
it raises, numbers written the reader's way (a French site manager reads "1 Mo", "0,6 Mo")."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from core.errors import DomainError
from evidence import error_codes
from evidence.services import UploadQuotaExceeded, evidence_upload

pytestmark = pytest.mark.django_db


def test_an_upload_refused_says_why_in_french(settings, arezzo_assessment, arezzo_team):
    # given a French reader, when no file is sent
    with translation.override("fr"), pytest.raises(DomainError) as no_file:
        evidence_upload(assessment=arezzo_assessment, user=arezzo_team, file=None)
    # then the refusal is in French, its code unchanged
    assert no_file.value.code == error_codes.EVIDENCE_NO_FILE
    assert no_file.value.message == "Choisissez un fichier à téléverser."

    # and past the day's quota, the numbers in the sentence are written the French way
    settings.EVIDENCE_UPLOAD_QUOTA_MB_PER_DAY = 1
    with translation.override("fr"), pytest.raises(UploadQuotaExceeded) as quota:
        evidence_upload(
            assessment=arezzo_assessment, user=arezzo_team, file=SimpleUploadedFile("a.txt", b"a" * 1_200_000)
        )
    assert quota.value.code == error_codes.EVIDENCE_QUOTA_EXCEEDED
    assert quota.value.message.startswith(
        "Vous avez téléversé 0 Mo d’éléments de preuve au cours des dernières 24 heures ; la limite est de 1 Mo "
        "par jour, ce fichier de 1,1 Mo ne peut donc pas être ajouté maintenant (il reste 1,0 Mo)."
    )
