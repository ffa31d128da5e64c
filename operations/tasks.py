from typing import Any

from celery import shared_task

from .manifest import BackupError
from .schedule import scheduled_backup


@shared_task(name="operations.scheduled_backup", time_limit=6 * 60 * 60, soft_time_limit=6 * 60 * 60 - 60)
def run_scheduled_backup() -> dict[str, Any]:
    """A failed backup is recorded (BackupRun, failed, with its sentence) and shown on the system page;
    the task itself reports it rather than retrying into a disk that is still full."""
    try:
        return scheduled_backup()
    except BackupError as error:
        return {"failed": str(error)}
