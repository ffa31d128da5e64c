"""Long exports run in a real Celery worker; the page polls the Job and downloads are checked."""

import time

import pytest

from core.models import Job

pytestmark = pytest.mark.worker


@pytest.fixture
def live_assessment(transactional_db, site_manager, staff, area):
    from assessments.services import assessment_create
    from assessments.workflow import transition
    from eligibility.tests.factories import make_eligible
    from standards.tests.factories import load_gls

    load_gls()
    a = assessment_create(protected_area=area, user=site_manager, year=2026)
    make_eligible(a, staff=staff)
    transition(a, "candidate", by=staff, note="eligible")
    return a


def test_pdf_export_runs_in_the_worker_and_only_its_owner_downloads_it(
    client, live_assessment, site_manager, other_manager, celery_worker_process
):
    # when
    client.force_login(site_manager)
    response = client.post(f"/reports/assessments/{live_assessment.pk}/exports/", {"format": "pdf"})
    assert response.status_code == 302
    job = Job.objects.get(kind="reports.export", created_by=site_manager)
    assert response["Location"] == f"/reports/jobs/{job.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert f'data-job-url="/api/v1/jobs/{job.pk}/"' in page  # the page polls the API
    # the page's old status address leads there too
    assert client.get(f"/reports/jobs/{job.pk}/status/")["Location"] == f"/api/v1/jobs/{job.pk}/"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        status = client.get(f"/api/v1/jobs/{job.pk}/").json()
        if status["status"] in ("done", "failed"):
            break
        time.sleep(0.5)
    # then
    assert status["status"] == "done", celery_worker_process.log_path.read_text()[-3000:]
    assert status["progress"] == 4 and status["download_url"] == f"/api/v1/jobs/{job.pk}/download/"
    assert status["page_url"] == f"/reports/jobs/{job.pk}/" and status["result"]["format"] == "pdf"
    download = client.get(f"/reports/jobs/{job.pk}/download/")  # the page's link
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    # another site's manager knows nothing of it
    client.force_login(other_manager)
    for url in (
        f"/reports/jobs/{job.pk}/",
        f"/reports/jobs/{job.pk}/status/",
        f"/reports/jobs/{job.pk}/download/",
        f"/api/v1/jobs/{job.pk}/",
        status["download_url"],
    ):
        assert client.get(url).status_code == 404


def test_unknown_export_format_is_refused_with_a_message(client, live_assessment, site_manager):
    client.force_login(site_manager)
    response = client.post(f"/reports/assessments/{live_assessment.pk}/exports/", {"format": "docx"}, follow=True)
    assert "Unknown export format" in response.content.decode()
    assert not Job.objects.filter(kind="reports.export").exists()
