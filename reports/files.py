"""An export's file as an answer: the one response the job page and the API both send."""

from django.http import Http404

from core.downloads import private_file
from core.models import Job


def export_file_response(job: Job):
    """The file of a finished export job, which the caller has checked is this person's
    (`selectors.get_export_job_for`); 404 while it is not done (or if it failed)."""
    if job.status != Job.Status.DONE or not job.output_file:
        raise Http404("The export is not ready.")
    return private_file(
        job.output_file.open("rb"),
        filename=job.output_file.name.rsplit("/", 1)[-1],
        content_type=job.result.get("content_type", "application/octet-stream"),  # we wrote it
        inline=False,  # a file to keep, as the job page has always sent it
    )
