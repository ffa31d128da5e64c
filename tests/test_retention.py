"""Retention of personal data (issue 20), with real rows: beat's task removes what is past its
setting and leaves what is not (greenlist.retention)."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from greenlist.retention import apply_retention

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _forget_concern_rates():
    """The concern form's rate limits live in Redis: each run starts with a clean record."""
    import redis
    from django.conf import settings

    client = redis.Redis.from_url(settings.REDIS_URL)
    for key in client.scan_iter(match="*concern-rate:*", count=500):
        client.delete(key)


def test_beat_forgets_personal_fields_and_rejected_uploads_past_their_settings(
    area, jurisdiction, site_manager, staff, settings
):
    from certification.tests.factories import panel_decide_for_tests
    from certification.tests.helpers import make_recommended
    from concerns.models import Concern, ConcernTransition
    from concerns.tests.factories import raised
    from evidence.models import EvidenceItem, ResumableUpload
    from evidence.resumable import partial_path
    from evidence.services import evidence_upload
    from stakeholders.models import Comment, ConsultationWindow
    from standards.tests.factories import load_gls

    settings.RETENTION_COMMENT_PERSONAL_DAYS = 30
    settings.RETENTION_CONCERN_PERSONAL_DAYS = 60
    settings.RETENTION_REJECTED_UPLOAD_DAYS = 10
    now = timezone.now()
    today = timezone.localdate()
    long_ago = now - datetime.timedelta(days=90)
    load_gls()
    from accounts.tests.factories import Role, make_user

    review_staff = make_user(Role.IUCN_STAFF, email="revisor@example.org")
    assessment = make_recommended(area=area, site_manager=site_manager, reviewer=review_staff)
    panel_decide_for_tests(assessment=assessment, user=staff, outcome="granted", reasons="Cumple.")

    def window(closes_days_ago):
        closes = today - datetime.timedelta(days=closes_days_ago)
        return ConsultationWindow.objects.create(
            protected_area=area,
            phase="candidate",
            assessment=assessment,
            opens_on=closes - datetime.timedelta(days=14),
            closes_on=closes,
            opened_by=staff,
        )

    old_comment = Comment.objects.create(
        window=window(45), text="Ríos limpios.", name="Ana Pérez", show_name=True, email="ana@example.org"
    )
    fresh_comment = Comment.objects.create(window=window(5), text="Bosque sano.", name="Luis", email="luis@example.org")

    def concern(status, closed_days_ago, email):
        item = raised(area, email=email, name="Rai")
        Concern.objects.filter(pk=item.pk).update(status=status)
        move = ConcernTransition.objects.create(concern=item, from_status="received", to_status=status)
        ConcernTransition.objects.filter(pk=move.pk).update(at=now - datetime.timedelta(days=closed_days_ago))
        return item

    old_concern = concern("closed", 90, "rai1@example.org")
    fresh_concern = concern("closed", 10, "rai2@example.org")
    open_concern = concern("admissible", 90, "rai3@example.org")

    def upload(name):
        return evidence_upload(
            assessment=assessment,
            user=site_manager,
            file=SimpleUploadedFile(name, b"texto"),
            enforce_quota=False,
            answering_question=True,
        )

    failed_old, failed_new, ready_old, finished = upload("a.txt"), upload("b.txt"), upload("c.txt"), upload("d.txt")
    EvidenceItem.objects.filter(pk__in=[failed_old.pk, failed_new.pk]).update(processing_status="failed")
    EvidenceItem.objects.filter(pk__in=[failed_old.pk, ready_old.pk]).update(uploaded_at=long_ago)
    leftover = ResumableUpload.objects.create(
        assessment=assessment, owner=site_manager, length=5, offset=5, expires_at=now, evidence=finished
    )
    ResumableUpload.objects.filter(pk=leftover.pk).update(created_at=long_ago)
    partial = partial_path(leftover)
    partial.parent.mkdir(parents=True, exist_ok=True)
    partial.write_bytes(b"texto")
    failed_file = failed_old.file.name
    storage = failed_old.file.storage
    assert storage.exists(failed_file)

    result = apply_retention()

    assert (result.comments, result.concerns, result.rejected_uploads, result.upload_leftovers) == (1, 1, 1, 1)
    old_comment.refresh_from_db()
    assert (old_comment.name, old_comment.email, old_comment.show_name) == ("", "", False)
    assert old_comment.text == "Ríos limpios."
    assert Comment.objects.get(pk=fresh_comment.pk).email == "luis@example.org"
    assert Concern.objects.get(pk=old_concern.pk).email == ""
    assert Concern.objects.get(pk=fresh_concern.pk).email == "rai2@example.org"
    assert Concern.objects.get(pk=open_concern.pk).email == "rai3@example.org"
    assert not EvidenceItem.objects.filter(pk=failed_old.pk).exists() and not storage.exists(failed_file)
    assert EvidenceItem.objects.filter(pk__in=[failed_new.pk, ready_old.pk, finished.pk]).count() == 3
    assert not ResumableUpload.objects.filter(pk=leftover.pk).exists() and not partial.exists()
    # Applied again, nothing more goes.
    again = apply_retention()
    assert (again.comments, again.concerns, again.rejected_uploads, again.upload_leftovers) == (0, 0, 0, 0)
