"""Resumable evidence uploads over tus 1.0.0 (evidence.resumable, evidence.api.uploads), issue 17:
the protocol's steps, its refusals, and the file becoming exactly one evidence item with the same
bytes, through the same evidence service as a form upload."""

from __future__ import annotations

import base64
import datetime
import hashlib
import os

import pytest
from django.test import Client
from django.utils import timezone

OFFSET_TYPE = "application/offset+octet-stream"
TUS = {"Tus-Resumable": "1.0.0"}


def _metadata(**fields: str) -> str:
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in fields.items())


@pytest.fixture
def team_client(arezzo_team):
    client = Client()
    client.force_login(arezzo_team)
    return client


def _start(client, assessment, length, **meta):
    return client.post(
        f"/api/v1/assessments/{assessment.pk}/evidence/uploads/",
        headers={**TUS, "Upload-Length": str(length), "Upload-Metadata": _metadata(**meta)},
    )


def _patch(client, url, offset, data, **headers):
    return client.generic(
        "PATCH", url, data=data, content_type=OFFSET_TYPE, headers={**TUS, "Upload-Offset": str(offset), **headers}
    )


def test_a_file_sent_in_pieces_becomes_one_evidence_item_with_the_same_bytes(
    arezzo_assessment, arezzo_team, team_client, django_capture_on_commit_callbacks
):
    from evidence.models import EvidenceItem, ResumableUpload
    from evidence.resumable import partial_path

    # given a file and an indicator of the assessment
    content = os.urandom(300_000)
    answer = arezzo_assessment.answers.select_related("indicator").first()
    options = team_client.options(f"/api/v1/assessments/{arezzo_assessment.pk}/evidence/uploads/")
    assert options.status_code == 204
    assert "creation" in options["Tus-Extension"] and options["Tus-Version"] == "1.0.0"

    # when the upload starts with its evidence fields and the device's capture time and position
    started = _start(
        team_client,
        arezzo_assessment,
        len(content),
        filename="trap-12.jpg",
        filetype="image/jpeg",
        indicators=str(answer.indicator_id),
        sensitivity="reviewers",
        evidence_date="2024-05-01",
        captured_at="2024-05-01T06:30:00+02:00",
        latitude="43.466",
        longitude="11.88",
    )
    assert started.status_code == 201, started.content
    url = started["Location"]
    assert started["Tus-Resumable"] == "1.0.0" and started["Upload-Expires"]
    head = team_client.head(url, headers=TUS)
    assert (head.status_code, head["Upload-Offset"], head["Upload-Length"]) == (200, "0", str(len(content)))
    assert head["Cache-Control"] == "private, no-store"

    # then a first piece is kept, and a piece at the wrong offset is refused with 409
    first = _patch(team_client, url, 0, content[:100_000])
    assert (first.status_code, first["Upload-Offset"]) == (204, "100000")
    wrong = _patch(team_client, url, 50_000, content[50_000:150_000])
    assert wrong.status_code == 409 and wrong.json()["code"] == "upload_offset_mismatch"
    assert team_client.head(url, headers=TUS)["Upload-Offset"] == "100000"
    assert EvidenceItem.objects.count() == 0

    # and the rest, with its checksum, makes exactly one evidence item named in the answer
    rest = content[100_000:]
    checksum = "sha256 " + base64.b64encode(hashlib.sha256(rest).digest()).decode()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        last = _patch(team_client, url, 100_000, rest, **{"Upload-Checksum": checksum})
    assert len(callbacks) == 2  # the pipeline's task is sent, and the partial bytes go
    assert last.status_code == 204, last.content
    item = EvidenceItem.objects.get()
    assert last["Evidence-Id"] == str(item.pk) == team_client.head(url, headers=TUS)["Evidence-Id"]
    with item.file.open("rb") as fh:
        assert hashlib.sha256(fh.read()).hexdigest() == hashlib.sha256(content).hexdigest()
    assert (item.original_filename, item.content_type, item.size) == ("trap-12.jpg", "image/jpeg", len(content))
    assert item.evidence_date == datetime.date(2024, 5, 1)
    assert item.device_captured_at == datetime.datetime(2024, 5, 1, 4, 30, tzinfo=datetime.UTC)
    assert (round(item.device_position.x, 3), round(item.device_position.y, 3)) == (11.88, 43.466)
    assert list(item.answers.all()) == [answer]
    assert item.processing_status == "pending"  # handed to the same pipeline as a form upload
    upload = ResumableUpload.objects.get()
    assert not partial_path(upload).exists()
    body = team_client.get(url).json()
    assert (body["offset"], body["length"], body["evidence"]["id"]) == (len(content), len(content), item.pk)
    assert body["evidence"]["indicators"] == [answer.indicator_id]


def test_refusals_are_specific_and_lose_nothing_already_kept(
    arezzo_assessment, arezzo_team, team_client, settings, django_capture_on_commit_callbacks
):
    from accounts.models import RoleAssignment
    from accounts.services import role_revoke
    from accounts.tests.factories import Role, make_user
    from evidence.models import EvidenceItem, ResumableUpload
    from evidence.resumable import partial_path, purge_expired_uploads

    settings.EVIDENCE_MAX_UPLOAD_MB = 1
    start_url = f"/api/v1/assessments/{arezzo_assessment.pk}/evidence/uploads/"
    # too large: 413 with the error body, before any byte is sent
    big = _start(team_client, arezzo_assessment, 2 * 1024 * 1024, filename="big.tif")
    assert big.status_code == 413 and big.json()["code"] == "evidence_too_large"
    # no tus version: 412 naming the version spoken
    bare = team_client.post(start_url, headers={"Upload-Length": "10"})
    assert (bare.status_code, bare["Tus-Version"]) == (412, "1.0.0")
    # metadata checked at the start: a date in the future, an indicator of no assessment
    future = _start(team_client, arezzo_assessment, 10, evidence_date="2999-01-01")
    assert future.status_code == 400 and future.json()["field"] == "evidence_date"
    unknown = _start(team_client, arezzo_assessment, 10, indicators="999999")
    assert unknown.status_code == 400 and unknown.json()["code"] == "evidence_indicator_unknown"
    assert ResumableUpload.objects.count() == 0

    url = _start(team_client, arezzo_assessment, 1000, filename="notes.txt")["Location"]
    # unfinished uploads count against the day's quota as they start (partial files cannot fill the disk)
    settings.EVIDENCE_UPLOAD_QUOTA_MB_PER_DAY = 1
    over = _start(team_client, arezzo_assessment, 1024 * 1024 - 500, filename="more.txt")
    assert over.status_code == 429 and over.json()["code"] == "evidence_quota_exceeded"
    assert _patch(team_client, url, 0, b"a" * 400).status_code == 204
    # a checksum that does not match: 460, and the bytes before it stay
    bad_sum = "sha256 " + base64.b64encode(hashlib.sha256(b"other").digest()).decode()
    refused = _patch(team_client, url, 400, b"b" * 100, **{"Upload-Checksum": bad_sum})
    assert refused.status_code == 460 and refused.json()["code"] == "upload_checksum_mismatch"
    # the bytes must come as application/offset+octet-stream
    as_json = team_client.generic(
        "PATCH", url, data="{}", content_type="application/json", headers={**TUS, "Upload-Offset": "400"}
    )
    assert as_json.status_code == 415
    too_many = _patch(team_client, url, 400, b"c" * 700)
    assert too_many.status_code == 400 and too_many.json()["code"] == "upload_too_many_bytes"
    assert team_client.head(url, headers=TUS)["Upload-Offset"] == "400"

    # another person's upload does not exist for them, even on their own team
    colleague = make_user(
        Role.SITE_MANAGER, email="colleague@example.org", protected_area=arezzo_assessment.protected_area
    )
    other = Client()
    other.force_login(colleague)
    assert other.head(url, headers=TUS).status_code == 404
    assert _patch(other, url, 400, b"x").status_code == 404
    assert other.delete(url, headers=TUS).status_code == 404

    # a person taken off the site team: 403 with the reason, and the kept bytes stay
    role_revoke(assignment=RoleAssignment.objects.get(user=arezzo_team, role=Role.SITE_MANAGER), revoked_by=None)
    revoked = _patch(team_client, url, 400, b"d" * 600)
    assert revoked.status_code == 403 and "no longer add evidence" in revoked.json()["detail"]
    upload = ResumableUpload.objects.get()
    assert upload.offset == 400 and partial_path(upload).stat().st_size == 400
    assert EvidenceItem.objects.count() == 0

    # the colleague's own upload: terminated by its owner, its bytes go
    own = _start(other, arezzo_assessment, 10, filename="x.txt")["Location"]
    with django_capture_on_commit_callbacks(execute=True):
        assert other.delete(own, headers=TUS).status_code == 204
    assert ResumableUpload.objects.count() == 1

    # abandoned: beat purges it and its bytes once it expired
    path = partial_path(upload)
    ResumableUpload.objects.update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    assert team_client.head(url, headers=TUS).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        assert purge_expired_uploads() == 1
    assert ResumableUpload.objects.count() == 0 and not path.exists()


def test_bytes_of_a_piece_cut_off_mid_way_are_kept(arezzo_assessment, arezzo_team):
    from evidence.resumable import partial_path, upload_append, upload_start

    # given an upload whose piece arrives in part: the connection drops after 3 of 8 reads
    upload = upload_start(assessment=arezzo_assessment, user=arezzo_team, length=8192, metadata={})
    reads = iter([b"x" * 1024] * 3)

    def read(_n):
        try:
            return next(reads)
        except StopIteration:
            raise OSError("connection reset") from None

    # when it is appended
    upload = upload_append(upload=upload, user=arezzo_team, offset=0, content_length=8192, read=read)
    # then what arrived is kept and the client resumes from it
    assert upload.offset == 3072 and partial_path(upload).stat().st_size == 3072
