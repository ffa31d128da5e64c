"""Evidence files that hurt by their size or tell too much: zip bombs made of many small members,
one person filling the disk, server paths in error messages, metadata kept in thumbnails, and
the duplicate flag that told a site team what another site holds."""

from __future__ import annotations

import io
import os
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from evidence.extract import Unprocessable, archives
from evidence.models import EvidenceItem

MIB = 1024 * 1024


def zip_of(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def bytes_under(folder) -> int:
    return sum(os.path.getsize(os.path.join(d, f)) for d, _, files in os.walk(folder) for f in files)


# --- zip expansion ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("members", "size"),
    [
        (40, MIB),  # 1 MiB members: under the old ratio check's 1 MiB threshold, each ~1,000:1
        (3000, 16 * 1024),  # many tiny members, each too small to matter alone
    ],
)
def test_many_small_compressible_members_are_refused_before_the_disk_fills(tmp_path, members, size):
    # given a small zip of many highly compressible members (the declared total is within the
    # absolute cap of EVIDENCE_ZIP_MAX_MB, so only the ratio checks can stop it)
    archive = tmp_path / "survey.zip"
    archive.write_bytes(zip_of({f"plots/{n:05d}.csv": b"0" * size for n in range(members)}))
    zip_size = archive.stat().st_size
    target = tmp_path / "out"

    # when it is unpacked
    with pytest.raises(Unprocessable) as refused:
        archives.safe_extract(str(archive), str(target))

    # then it is refused as a bomb, having written no more than 100 times the zip's size
    assert refused.value.code == "archive_bomb"
    assert "zip bomb" in refused.value.message
    assert bytes_under(target) <= 100 * zip_size
    assert bytes_under(target) < members * size / 4


def test_ordinary_archives_still_unpack(tmp_path):
    # a blank-padded .dbf compresses far beyond 200:1 and is still fine; photos do not compress
    archive = tmp_path / "parks.zip"
    members = {"parks.dbf": b" " * 12_000, "photo.jpg": os.urandom(300_000), "notes.txt": b"ok\n" * 100}
    archive.write_bytes(zip_of(members))
    assert archives.safe_extract(str(archive), str(tmp_path / "out")) == sorted(members)


@pytest.mark.django_db
def test_bomb_upload_fails_with_a_reason(arezzo_assessment, arezzo_team, upload, processed):
    data = zip_of({f"{n:04d}.txt": b"\0" * MIB for n in range(200)})
    item = processed(upload(arezzo_assessment, arezzo_team, data, name="plots.zip"))
    assert item.processing_status == "failed" and item.facts.error_code == "archive_bomb"
    assert "zip bomb" in item.status_reason


# --- upload quota -------------------------------------------------------------------------------


@pytest.fixture
def small_quota(settings):
    settings.EVIDENCE_UPLOAD_QUOTA_MB_PER_DAY = 1
    return settings


@pytest.mark.django_db
def test_upload_quota_refuses_on_the_api_and_keeps_what_was_saved(
    small_quota, api_client, arezzo_assessment, arezzo_team
):
    api_client.force_authenticate(arezzo_team)
    url = reverse("assessment-evidence-list", args=[arezzo_assessment.pk])
    # given 600 KB uploaded today
    first = api_client.post(url, {"file": SimpleUploadedFile("a.txt", b"a" * 600_000)}, format="multipart")
    assert first.status_code == 201
    # when another 600 KB comes, over the 1 MB a day
    second = api_client.post(url, {"file": SimpleUploadedFile("b.txt", b"b" * 600_000)}, format="multipart")
    # then it is refused with a clear reason, and the first file is kept
    assert second.status_code == 429, second.content
    body = second.json()
    assert body["code"] == "evidence_quota_exceeded"
    assert "1 MB a day" in str(body) and "already uploaded are kept" in str(body)
    assert list(EvidenceItem.objects.values_list("original_filename", flat=True)) == ["a.txt"]
    # and a smaller file still fits
    third = api_client.post(url, {"file": SimpleUploadedFile("c.txt", b"c" * 100_000)}, format="multipart")
    assert third.status_code == 201


@pytest.mark.django_db
def test_upload_quota_refuses_on_the_page(small_quota, client, arezzo_assessment, arezzo_team):
    client.force_login(arezzo_team)
    url = reverse("evidence:upload", args=[arezzo_assessment.pk])
    client.post(url, {"file": SimpleUploadedFile("a.txt", b"a" * 600_000), "sensitivity": "reviewers"})
    response = client.post(
        url, {"file": SimpleUploadedFile("b.txt", b"b" * 600_000), "sensitivity": "reviewers"}, follow=True
    )
    assert "the limit is 1 MB a day" in response.content.decode()
    assert list(EvidenceItem.objects.values_list("original_filename", flat=True)) == ["a.txt"]


# --- server paths in errors ---------------------------------------------------------------------


@pytest.mark.django_db
def test_processing_errors_name_no_server_path(client, api_client, settings, arezzo_assessment, arezzo_team, upload):
    from evidence.pipeline import evidence_process

    # given files GDAL, zipfile and Pillow cannot read (their errors quote the paths they were given)
    broken = {
        "trail.kml": b'<?xml version="1.0"?>\n<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Placemark>',
        "parks.zip": zip_of({"parks.gpx": b'<?xml version="1.0"?><gpx version="1.1"><trk><trkseg>'}),
        "sites.gpx": b'<?xml version="1.0"?>\n<gpx version="1.1" creator="x"><wpt lat="1" lon="x">',
    }
    items = [upload(arezzo_assessment, arezzo_team, data, name=name) for name, data in broken.items()]
    for item in items:
        evidence_process(item.pk)
    roots = [str(settings.EVIDENCE_ROOT), str(settings.MEDIA_ROOT), "/tmp/", "/vsizip/", str(settings.BASE_DIR)]

    # when the site team reads their status, on the page's poller and on the API
    client.force_login(arezzo_team)
    api_client.force_authenticate(arezzo_team)
    page = client.get(reverse("evidence:status", args=[arezzo_assessment.pk])).json()
    api = api_client.get(reverse("evidence-status", args=[arezzo_assessment.pk])).json()
    library = client.get(reverse("evidence:assessment", args=[arezzo_assessment.pk])).content.decode()

    # then every item failed with a reason, and no reason names a server path
    reasons = [row["reason"] for row in page["items"]]
    assert len(reasons) == 3 and all(reasons), page
    for text in [*reasons, str(api), library]:
        for root in roots:
            assert root not in text, (root, text[:300])


# --- thumbnails ---------------------------------------------------------------------------------


def jpeg_segments(data: bytes) -> list[int]:
    """The marker codes of a JPEG's segments up to the start of the scan."""
    assert data[:2] == b"\xff\xd8"
    markers, i = [], 2
    while i < len(data):
        assert data[i] == 0xFF
        marker = data[i + 1]
        markers.append(marker)
        if marker == 0xDA:  # start of scan: entropy-coded data follows
            return markers
        i += 2 + int.from_bytes(data[i + 2 : i + 4], "big")
    return markers


@pytest.mark.django_db
def test_thumbnails_carry_no_comment_exif_or_xmp(arezzo_assessment, arezzo_team, upload, processed):
    # given a photo with a JPEG comment, EXIF (camera, owner) and XMP
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x013B] = "Ranger Jane Doe"  # Artist
    buf = io.BytesIO()
    Image.new("RGB", (1200, 900), (30, 120, 60)).save(
        buf,
        "JPEG",
        comment=b"den of the rhino, 3rd rock left",
        exif=exif.tobytes(),
        xmp=b'<x:xmpmeta xmlns:x="adobe:ns:meta/">owner-xmp</x:xmpmeta>',
    )
    for sensitivity in ("public", "reviewers"):  # reviewers' items also get a display copy
        item = processed(
            upload(arezzo_assessment, arezzo_team, buf.getvalue(), name="den.jpg", sensitivity=sensitivity)
        )
        assert item.processing_status == "ready" and item.facts.camera_make == "SecretCam"
        copies = [item.facts.thumbnail] + ([item.facts.display] if item.facts.display else [])
        assert len(copies) == (1 if sensitivity == "public" else 2)
        for copy in copies:
            with copy.open("rb") as handle:
                data = handle.read()
            # then no COM (0xFE) or APPn segment but JFIF's APP0 (EXIF and XMP are APP1, ICC APP2)
            segments = jpeg_segments(data)
            assert 0xFE not in segments and not {m for m in segments if 0xE1 <= m <= 0xEF}, segments
            for secret in (b"rhino", b"SecretCam", b"Jane Doe", b"owner-xmp", b"Exif"):
                assert secret not in data


# --- the duplicate flag -------------------------------------------------------------------------


@pytest.fixture
def arezzo_photo(arezzo_assessment, arezzo_team, upload, processed, testdata):
    data = (testdata / "img-exif-samples/gps/DSCN0025.jpg").read_bytes()
    return data, processed(upload(arezzo_assessment, arezzo_team, data, name="den.jpg", sensitivity="site_team"))


def duplicate_marks(client, api_client, user, assessment) -> tuple[str, list, dict]:
    client.force_login(user)
    api_client.force_authenticate(user)
    page = client.get(reverse("evidence:assessment", args=[assessment.pk])).content.decode()
    status = client.get(reverse("evidence:status", args=[assessment.pk])).json()["items"]
    facts = {
        row["id"]: api_client.get(reverse("evidence-facts", args=[row["id"]])).json()["duplicate"] for row in status
    }
    return page, [row["duplicate"] for row in status], facts


@pytest.mark.django_db
def test_another_sites_manager_learns_nothing_from_the_same_file(
    arezzo_photo, client, api_client, make_assessment, other_area, other_manager, upload, processed
):
    data, original = arezzo_photo
    # given another site's manager uploading the very same bytes to their own assessment
    theirs = make_assessment(other_area, other_manager)
    copy = processed(upload(theirs, other_manager, data, name="probe.jpg"))
    assert copy.sha256 == original.sha256

    # then nothing on their pages or API marks it as a duplicate
    page, marks, facts = duplicate_marks(client, api_client, other_manager, theirs)
    assert marks == [""] and set(facts.values()) == {""}
    assert 'data-role="duplicate"' not in page and "another site" not in page
    # nor does the original's site see a mark appear
    page, marks, facts = duplicate_marks(client, api_client, original.uploaded_by, original.assessment)
    assert marks == [""] and 'data-role="duplicate"' not in page


@pytest.mark.django_db
def test_duplicates_within_a_site_are_still_marked(
    arezzo_photo, client, api_client, arezzo_assessment, arezzo_team, upload, processed
):
    data, original = arezzo_photo
    again = processed(upload(arezzo_assessment, arezzo_team, data, name="den-again.jpg"))
    assert again.facts.duplicate == "same_site"
    page, marks, facts = duplicate_marks(client, api_client, arezzo_team, arezzo_assessment)
    assert marks == ["same_site", "same_site"] and set(facts.values()) == {"same_site"}
    assert page.count('data-role="duplicate">Already uploaded for this site<') == 2
