import datetime

from celery import shared_task

from . import services


@shared_task(name="listing_reviews.open_due_reviews", time_limit=600, soft_time_limit=540)
def open_due_reviews(today: str | None = None) -> dict:
    """Daily (CELERY_BEAT_SCHEDULE): open due mid-term and renewal reviews, flag overdue updates.
    `today` (ISO date) is for tests and for catching up a missed day by hand."""
    return services.listing_reviews_run(today=datetime.date.fromisoformat(today) if today else None)
