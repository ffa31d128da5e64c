from celery import shared_task
from django.core.cache import cache
from django.utils import timezone


@shared_task
def heartbeat() -> str:
    """Run by beat: records that beat and a worker are alive (shown by check_services)."""
    now = timezone.now().isoformat()
    cache.set("celery-heartbeat", now, timeout=None)
    return now


@shared_task
def resend_stuck_jobs() -> int:
    from .jobs import jobs_resend_stuck

    return jobs_resend_stuck()
