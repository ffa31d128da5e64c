from celery import shared_task

from core.jobs import JobTask

from .services import export_job_run


# A dossier of 50 indicators renders in seconds; the limit stays far under the broker's visibility timeout.
@shared_task(base=JobTask, soft_time_limit=10 * 60, time_limit=12 * 60, ignore_result=True)
def run_export(job_id: int) -> str:
    return export_job_run(job_id).status
