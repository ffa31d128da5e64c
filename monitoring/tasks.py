"""The worker's task: process one monitoring dataset (monitoring.services.process_dataset)."""

from __future__ import annotations

from celery import shared_task

from core.errors import TRANSIENT_DATABASE_ERRORS

from .services import process_dataset


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT_DATABASE_ERRORS,
    retry_backoff=5,
    max_retries=5,
    ignore_result=True,
)
def process_monitoring_dataset(dataset_id: int) -> None:
    process_dataset(dataset_id)
