from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments.tests.helpers import fill_all
from assessments.workflow import transition
from core.errors import DomainError
from eligibility.tests.factories import make_eligible
from evidence.models import EvidenceItem
from evidence.services import evidence_upload


@pytest.fixture
def standard(db):
    from standards.tests.factories import load_gls

    return load_gls()


@pytest.fixture
def assessment(standard, site_manager, staff, area):
    from assessments.services import assessment_create

    a = assessment_create(protected_area=area, user=site_manager, year=2026)
    make_eligible(a, staff=staff)
    transition(a, "candidate", by=staff)
    return a


def upload(assessment, user, name="doc.txt", content=b"hello", **kw):
    return evidence_upload(assessment=assessment, user=user, file=SimpleUploadedFile(name, content), **kw)


@pytest.mark.django_db
def test_upload_stores_the_file_privately_and_links_it(assessment, site_manager):
    indicator = assessment.answers.get(indicator__number="1.1.1").indicator
    item = upload(
        assessment,
        site_manager,
        "Decree 12.pdf",
        b"%PDF-1.4",
        indicators=[indicator],
        evidence_date=None,
        title="Founding decree",
    )
    assert item.title == "Founding decree" and item.original_filename == "Decree 12.pdf" and item.size == 8
    assert item.processing_status == "pending" and item.sha256 == ""
    assert item.answers.get().indicator == indicator
    path = Path(item.file.path)
    assert path.read_bytes() == b"%PDF-1.4"
    assert not str(path).startswith(str(settings.MEDIA_ROOT) + "/")  # never under the public media root
    assert f"assessments/{assessment.pk}/" in item.file.name


@pytest.mark.django_db
def test_upload_refusals(assessment, site_manager, other_manager, settings):
    settings.EVIDENCE_MAX_UPLOAD_MB = 1
    with pytest.raises(DomainError) as err:
        upload(assessment, site_manager, content=b"x" * (1024 * 1024 + 1))
    assert err.value.code == "evidence_too_large"
    with pytest.raises(DomainError) as err:
        upload(assessment, site_manager, content=b"")
    assert err.value.code == "evidence_empty"
    with pytest.raises(DomainError) as err:
        upload(assessment, other_manager)
    assert err.value.code == "not_site_team"
    with pytest.raises(DomainError) as err:
        upload(assessment, site_manager, indicators=[10**9])
    assert err.value.code == "evidence_indicator_unknown"
    assert EvidenceItem.objects.count() == 0


@pytest.mark.django_db
def test_no_upload_once_submitted(assessment, site_manager, api_client):
    fill_all(assessment, site_manager)
    transition(assessment, "submitted", by=site_manager)
    with pytest.raises(DomainError) as err:
        upload(assessment, site_manager)
    assert err.value.code == "assessment_frozen"
    api_client.force_authenticate(site_manager)
    response = api_client.post(
        reverse("assessment-evidence-list", args=[assessment.pk]),
        {"file": SimpleUploadedFile("a.txt", b"a")},
        format="multipart",
    )
    assert response.status_code == 409 and response.json()["code"] == "assessment_frozen"


@pytest.mark.django_db
def test_api_upload_and_list(assessment, site_manager, api_client):
    api_client.force_authenticate(site_manager)
    answer = assessment.answers.get(indicator__number="2.1.1")
    url = reverse("assessment-evidence-list", args=[assessment.pk])
    response = api_client.post(
        url,
        {
            "file": SimpleUploadedFile("survey.csv", b"a,b\n1,2\n", "text/csv"),
            "indicators": [answer.indicator_id],
            "evidence_date": "2024-02-02",
            "sensitivity": "site_team",
        },
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["indicators"] == [answer.indicator_id] and body["content_type"] == "text/csv"
    assert body["download_url"] == reverse("evidence-file", args=[body["id"]])
    assert api_client.get(url).json()["count"] == 1
    bad = api_client.post(url, {"title": "no file"}, format="multipart")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid"


@pytest.mark.parametrize(
    "name, content, inline, served_type",
    [
        ("page.html", b"<html><script>alert(1)</script></html>", False, "application/octet-stream"),
        (
            "image.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>1</script></svg>',
            False,
            "application/octet-stream",
        ),
        ("report.pdf", b"%PDF-1.4\n%\xe2\xe3\n1 0 obj\n<<>>\nendobj\n", True, "application/pdf"),
        ("fake.pdf", b"<html>not a pdf</html>", False, "application/octet-stream"),
    ],
)
@pytest.mark.django_db
def test_download_headers(client, assessment, site_manager, name, content, inline, served_type):
    item = upload(assessment, site_manager, name, content)
    client.force_login(site_manager)
    response = client.get(reverse("evidence:download", args=[item.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == served_type
    disposition = response["Content-Disposition"]
    assert disposition.startswith("inline" if inline else "attachment")
    assert name in disposition


@pytest.mark.django_db
def test_media_url_does_not_serve_evidence(client, assessment, site_manager):
    item = upload(assessment, site_manager)
    client.force_login(site_manager)
    assert client.get(f"{settings.MEDIA_URL}{item.file.name}").status_code == 404
