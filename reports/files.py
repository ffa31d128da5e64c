"""A job's file (an export's) as an answer: the one response the job page and the API both send."""

from django.http import Http404

from core.downloads import private_file
from core.models import Job


def job_file_response(job: Job):
    """The file of a finished job, which the caller has checked this person may see
    (`selectors.get_job_for_user`); 404 while it is not done, if it failed, or if it makes no file."""
    if job.status != Job.Status.DONE or not job.output_file:
        raise Http404("The file is not ready.")
    return private_file(
        job.output_file.open("rb"),
        filename=(job.output_file.name or "").rsplit("/", 1)[-1],
        content_type=job.result.get("content_type", "application/octet-stream"),  # we wrote it
        inline=False,  # a file to keep, as the job page has always sent it
    )
