"""The mid-term review's refusals are shown in the reader's language: the message is translated
when the service raises it, its code stays the same."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from core.errors import DomainError
from listing_reviews import error_codes, services

from .factories import open_midterm


def _refusal(call, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as err:
        call(**kwargs)
    return err.value


def test_the_midterm_update_is_refused_in_french(certificate, site_manager):
    # given an open mid-term review
    review = open_midterm(certificate)
    with translation.override("fr"):
        # when the site team reports progress on a condition that is not the listing's
        unknown = _refusal(
            services.midterm_update_file,
            review=review,
            by=site_manager,
            what_changed="New rangers.",
            progress={999999: "Done."},
        )
        # when it adds monitoring evidence after filing its update
        services.midterm_update_file(review=review, by=site_manager, what_changed="New rangers.")
        late = _refusal(
            services.midterm_evidence_add, review=review, by=site_manager, file=SimpleUploadedFile("a.txt", b"x")
        )
    # then each says why in French, with its usual code
    assert unknown.code == error_codes.MIDTERM_CONDITION_UNKNOWN
    assert unknown.message == "Ne correspond à aucune condition de cette inscription : 999999."
    assert late.code == error_codes.MIDTERM_EVIDENCE_CLOSED
    assert late.message == "Les éléments de suivi s'ajoutent avant le dépôt de la mise à jour."
