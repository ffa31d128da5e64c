"""A long task for tests/test_queues.py, loaded only by the test's heavy worker (`celery worker -I`).

It stands for a 2 GB raster: it holds its worker until the test releases it (or `seconds` pass), and
says in the cache that it started, so the test knows the heavy queue's worker is busy."""

import time

from celery import shared_task
from django.core.cache import cache

STARTED_KEY = "test-queues:hold-started"
RELEASE_KEY = "test-queues:release"


@shared_task(name="tests.queue_tasks.hold", ignore_result=True)
def hold(seconds: float) -> None:
    cache.incr(STARTED_KEY) if cache.get(STARTED_KEY) else cache.set(STARTED_KEY, 1, timeout=600)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not cache.get(RELEASE_KEY):
        time.sleep(0.2)
