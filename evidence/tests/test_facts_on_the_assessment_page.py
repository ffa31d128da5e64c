"""Evidence facts where the evidence is linked: under each answer on the assessment page, the item's
thumbnail, capture date, place check and warnings, not only its title (issue 15)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from assessments.services import assessment_create
from assessments.workflow import transition
from eligibility.tests.factories import make_eligible
from evidence.pipeline import evidence_process
from evidence.services import evidence_upload
from greenlist.demo_evidence import FLAGSTAFF, demo_photo
from reviews.tests.factories import make_standard

pytestmark = pytest.mark.django_db


def test_a_linked_photo_shows_its_thumbnail_date_and_place_beside_the_answer(client, area, site_manager, staff):
    import datetime

    make_standard(3)
    assessment = assessment_create(protected_area=area, user=site_manager, year=2026)
    make_eligible(assessment, staff=staff)
    transition(assessment, "candidate", by=staff)
    answer = assessment.answers.order_by("indicator__position").first()
    photo: SimpleUploadedFile = demo_photo(
        "trap.jpg", place=FLAGSTAFF, taken=datetime.datetime(2026, 5, 14, 6, 12, tzinfo=datetime.UTC), caption="x"
    )
    item = evidence_upload(
        assessment=assessment, user=site_manager, file=photo, title="Trap 7", indicators=[answer.indicator_id]
    )
    evidence_process(item.pk)
    client.force_login(site_manager)
    page = client.get(f"/assessments/{assessment.pk}/").content.decode()
    assert f'<ul class="linked-evidence" data-answer="{answer.pk}"' in page
    # the answer's list, as the page loads it when asked for (issue 19)
    block = client.get(f"/assessments/{assessment.pk}/answers/{answer.pk}/evidence/linked/").content.decode()
    assert "Trap 7" in block
    assert f'data-evidence-id="{item.pk}"' in block and 'class="ep-thumb"' in block
    assert "2026-05-14" in block or "14 May 2026" in block  # the capture date
    assert "outside" in block.lower()  # the area is far from Flagstaff: the place check says so
