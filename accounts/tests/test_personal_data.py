"""A person's download of their own data (issue 20): every link to a person is walked; a real worker
builds the zip; only that person downloads it, until it expires; secrets never leave."""

from __future__ import annotations

import datetime
import io
import json
import os
import time
import zipfile

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from accounts.models import DataExport
from accounts.personal_data import SKIP_MODELS, expire_exports, export_document, user_links
from accounts.services import api_token_create


def test_every_column_pointing_at_a_person_is_walked(db):
    """Found independently of user_links(): a new app's link to the user model that the walk missed
    (or an exclusion that hides one) fails here."""
    user_model = get_user_model()
    expected = {
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if getattr(field, "concrete", False) and getattr(field, "remote_field", None)
        if field.remote_field.model is user_model
    }
    walked = {link.key for link in user_links()}
    skipped = {key for key in expected if key.rsplit(".", 1)[0] in SKIP_MODELS}
    assert expected - skipped == walked
    assert skipped == {"accounts.DataExport.user", "accounts.DataExportTransition.by"}
    assert {"evidence.EvidenceItem.uploaded_by", "audit.AuditEvent.actor", "reviews.ReviewAssignment.user"} <= walked


def test_the_document_holds_the_persons_rows_and_no_secret(expert, staff):
    from audit.services import audit_record

    api_token_create(user=expert, name="mi script", otp_verified=False)
    audit_record(actor=expert, action="test.touched", target=expert)
    document, files = export_document(expert)
    text = json.dumps(document, default=str)
    assert document["person"]["email"] == expert.email and "password" not in document["person"]
    assert [t["name"] for t in document["data"]["accounts.ApiToken.user"]] == ["mi script"]
    assert "key_hash" not in text and expert.password not in text
    assert any(e["action"] == "test.touched" for e in document["data"]["audit.AuditEvent.actor"])
    assert document["data"]["accounts.RoleAssignment.user"][0]["role"] == "expert"
    assert staff.email not in [row.get("email") for row in document["data"].get("accounts.Invitation.email", [])]
    assert files == []


def test_one_request_at_a_time(client, expert):
    client.force_login(expert)
    assert client.post("/accounts/my-data/").status_code == 302  # the worker is asked after commit only
    page = client.post("/accounts/my-data/", follow=True).content.decode()
    assert "still being prepared" in page and DataExport.objects.filter(user=expert).count() == 1


def _wait_for(predicate, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.5)
    return False


@pytest.mark.worker
def test_a_worker_builds_the_zip_only_its_person_downloads_until_it_expires(
    celery_worker_process, area, site_manager, other_manager
):
    from assessments.services import assessment_create
    from evidence.services import evidence_upload
    from standards.tests.factories import load_gls

    load_gls()
    assessment = assessment_create(protected_area=area, user=site_manager, year=2026)
    evidence_upload(
        assessment=assessment,
        user=site_manager,
        file=SimpleUploadedFile("informe.txt", b"Conteo de aves 2025."),
        title="Conteo",
        enforce_quota=False,
    )
    owner, other = Client(), Client()
    owner.force_login(site_manager)
    other.force_login(other_manager)
    assert owner.post("/accounts/my-data/").status_code == 302
    export = DataExport.objects.get(user=site_manager)
    assert _wait_for(lambda: DataExport.objects.get(pk=export.pk).status == "ready"), "the worker never built it"
    assert f"/accounts/my-data/{export.pk}/download/" in owner.get("/accounts/my-data/").content.decode()

    assert other.get(f"/accounts/my-data/{export.pk}/download/").status_code == 404
    response = owner.get(f"/accounts/my-data/{export.pk}/download/")
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    document = json.loads(archive.read("personal-data.json"))
    assert document["person"]["email"] == site_manager.email
    assert [e["title"] for e in document["data"]["evidence.EvidenceItem.uploaded_by"]] == ["Conteo"]
    [uploaded] = [name for name in archive.namelist() if name.startswith("files/evidence.EvidenceItem/")]
    assert archive.read(uploaded) == b"Conteo de aves 2025."
    assert [t["to_status"] for t in document["data"].get("accounts.DataExportTransition.by", [])] == []

    # Expired: the download says so (410), and beat deletes the file.
    export.refresh_from_db()
    stored = export.file.path
    DataExport.objects.filter(pk=export.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    assert owner.get(f"/accounts/my-data/{export.pk}/download/").status_code == 410
    assert expire_exports() == 1
    export.refresh_from_db()
    assert export.status == "expired" and not export.file
    assert not os.path.exists(stored)


def test_an_administrator_erases_from_the_admin_never_themselves(client, admin_user, expert, staff):
    from accounts.erasure import pseudonym_for
    from accounts.tests.factories import DEFAULT_PASSWORD

    changelist = "/admin/accounts/user/"
    client.login(username=staff.email, password=DEFAULT_PASSWORD)
    assert "erase_personal_data" not in client.get(changelist).content.decode()  # staff may not erase
    client.login(username=admin_user.email, password=DEFAULT_PASSWORD)
    assert "erase_personal_data" in client.get(changelist).content.decode()
    action = {"action": "erase_personal_data", "_selected_action": [expert.pk, admin_user.pk]}
    page = client.post(changelist, action, follow=True).content.decode()
    expert.refresh_from_db()
    admin_user.refresh_from_db()
    assert expert.full_name == pseudonym_for(expert.pk) and expert.email.endswith("@erased.invalid")
    assert admin_user.is_active and "cannot erase their own account" in page and "1 person erased." in page
