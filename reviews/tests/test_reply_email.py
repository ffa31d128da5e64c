"""The reviewer who asked hears, through the outbox, that the site team answered (issue 15)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.models import OutgoingEmail
from reviews import services
from reviews.tests.factories import PNG, submitted_assessment

pytestmark = pytest.mark.django_db


def test_the_asker_is_told_of_the_answer_in_their_language_and_nobody_else(area, site_manager, staff, jurisdiction):
    assessment = submitted_assessment(area=area, manager=site_manager, staff=staff)
    services.review_start(assessment=assessment, by=staff)
    staff.language = "fr"
    staff.save(update_fields=["language"])
    answer = assessment.answers.order_by("indicator__position").first()
    req = services.information_request_create(assessment=assessment, answer=answer, by=staff, question="Minutes?")
    before = OutgoingEmail.objects.filter(kind="review.reply").count()
    # the asker's own follow-up sends nothing
    services.information_reply_create(request=req, by=staff, text="Those of 2025, please.")
    assert OutgoingEmail.objects.filter(kind="review.reply").count() == before
    # the site team's answer, with a file, is announced to the asker
    services.information_reply_create(
        request=req,
        by=site_manager,
        text="Attached.",
        file=SimpleUploadedFile("minutes.png", PNG, content_type="image/png"),
        file_title="Minutes 2025",
    )
    email = OutgoingEmail.objects.filter(kind="review.reply").latest("id")
    assert email.to == [staff.email]
    assert "a répondu" in email.subject or "répondu" in email.body  # French, the asker's language
    assert "Attached." in email.body and f"/indicators/{req.answer_id}/#request-{req.pk}" in email.body
