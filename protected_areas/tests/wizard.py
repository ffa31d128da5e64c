"""The import wizard's first step as staff take it, for tests: upload a file for a preview, and the
preview job run as the worker runs it."""

from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.models import Job
from protected_areas.import_wizard import preview_job_run


def previewed(client, upload: SimpleUploadedFile | Path, **fields) -> Job:
    """The preview job of `upload` (a file on disk is sent under its own name), run and done."""
    if isinstance(upload, Path):
        upload = SimpleUploadedFile(upload.name, upload.read_bytes(), content_type="application/zip")
    response = client.post(reverse("protected_areas:import"), {"file": upload, "preview": "on", **fields})
    job = Job.objects.filter(kind="protected_area_import_preview").latest("id")
    assert response.status_code == 302 and response["Location"] == f"/areas/import/{job.pk}/"
    preview_job_run(job.pk)  # what the worker does
    job.refresh_from_db()
    return job
