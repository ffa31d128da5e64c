"""Celery queue lengths and task durations and failures per queue, for /metrics (issue 20).

Workers run in other processes, containers or machines than the web server that answers the scrape,
so what they measure is written where both meet: Redis. Each finished task adds to one hash per queue
(a histogram's buckets, its sum and count, and counts of succeeded and failed tasks), with HINCRBY and
HINCRBYFLOAT, which are atomic whatever the number of workers. A scrape reads one hash per queue,
pipelined: the same few Redis calls however many tasks ran. (prometheus_client's multiprocess mode
would need every worker to share one directory with the web server, which separate containers do not;
its files are for gunicorn's processes, which do share one: greenlist/settings.py.)

Queue lengths are LLEN of each queue's list on the broker (kombu's Redis transport keeps a message
waiting there until a worker takes it; the priority lists beside it are counted too).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import redis
from celery import signals
from django.conf import settings

log = logging.getLogger(__name__)

# Seconds: a quick e-mail send to a long raster's zonal statistics (the evidence task's limit is 600).
BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0)
# kombu's Redis transport keeps messages sent with a priority in lists named queue + this + step.
PRIORITY_SEP = "\x06\x16"
PRIORITY_STEPS = (3, 6, 9)
SUCCEEDED, FAILED = "succeeded", "failed"


def stats_key(queue: str) -> str:
    return f"greenlist:task-metrics:{queue}"


def metrics_queues() -> list[str]:
    """Every queue the settings send tasks to: GREENLIST_QUEUES (one per kind of work, issue 19), else
    the default queue and those named by routes."""
    kinds: dict[str, str] | None = getattr(settings, "GREENLIST_QUEUES", None)
    queues = list(kinds.values()) if kinds else [settings.CELERY_TASK_DEFAULT_QUEUE]
    for route in (getattr(settings, "CELERY_TASK_ROUTES", None) or {}).values():
        name = route.get("queue") if isinstance(route, dict) else None
        if name and name not in queues:
            queues.append(name)
    return queues


def _client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2)


def queue_lengths(queues: Iterable[str]) -> dict[str, int]:
    """Messages waiting in each queue (a pipeline of LLENs: one round trip)."""
    queues = list(queues)
    with _client(settings.CELERY_BROKER_URL).pipeline(transaction=False) as pipe:
        for queue in queues:
            pipe.llen(queue)
            for step in PRIORITY_STEPS:
                pipe.llen(f"{queue}{PRIORITY_SEP}{step}")
        counts = pipe.execute()
    per = 1 + len(PRIORITY_STEPS)
    return {queue: sum(counts[i * per : (i + 1) * per]) for i, queue in enumerate(queues)}


@dataclass
class QueueStats:
    """What the workers recorded for one queue since the hash was made."""

    buckets: list[tuple[float, int]] = field(default_factory=list)  # (upper bound, cumulative count)
    count: int = 0
    total_seconds: float = 0.0
    succeeded: int = 0
    failed: int = 0


def task_stats(queues: Iterable[str]) -> dict[str, QueueStats]:
    queues = list(queues)
    with _client(settings.REDIS_URL).pipeline(transaction=False) as pipe:
        for queue in queues:
            pipe.hgetall(stats_key(queue))
        rows = pipe.execute()
    stats = {}
    for queue, row in zip(queues, rows, strict=True):
        values = {k.decode(): v.decode() for k, v in row.items()}
        cumulative, buckets = 0, []
        for bound in BUCKETS:
            cumulative += int(values.get(f"le:{bound}", 0))
            buckets.append((bound, cumulative))
        count = int(values.get("count", 0))
        stats[queue] = QueueStats(
            buckets=buckets,
            count=count,
            total_seconds=float(values.get("sum", 0.0)),
            succeeded=int(values.get(SUCCEEDED, 0)),
            failed=int(values.get(FAILED, 0)),
        )
    return stats


def record_task(queue: str, seconds: float, outcome: str) -> None:
    """Add one finished task to its queue's hash (one pipelined round trip)."""
    bucket = next((b for b in BUCKETS if seconds <= b), None)
    with _client(settings.REDIS_URL).pipeline(transaction=False) as pipe:
        key = stats_key(queue)
        # Non-cumulative per bucket here (one HINCRBY); the reader adds them up. Over the last
        # bound, only count and sum grow (the +Inf bucket is the count).
        if bucket is not None:
            pipe.hincrby(key, f"le:{bucket}", 1)
        pipe.hincrby(key, "count", 1)
        pipe.hincrbyfloat(key, "sum", seconds)
        pipe.hincrby(key, outcome, 1)
        pipe.execute()


# --- the worker's side: Celery signals ----------------------------------------------------------

_started: dict[str, tuple[float, str]] = {}  # task id → (monotonic start, queue)
_failed: set[str] = set()


def _queue_of(task: Any) -> str:
    info = getattr(task.request, "delivery_info", None) or {}
    return str(info.get("routing_key") or info.get("exchange") or settings.CELERY_TASK_DEFAULT_QUEUE)


@signals.task_prerun.connect(weak=False)
def _task_started(task_id: str | None = None, task: Any = None, **_: Any) -> None:
    if task_id and task is not None:
        _started[task_id] = (time.monotonic(), _queue_of(task))


@signals.task_failure.connect(weak=False)
def _task_failed(task_id: str | None = None, **_: Any) -> None:
    if task_id:
        _failed.add(task_id)


@signals.task_postrun.connect(weak=False)
def _task_finished(task_id: str | None = None, state: str | None = None, **_: Any) -> None:
    started = _started.pop(task_id or "", None)
    failed = (task_id or "") in _failed
    _failed.discard(task_id or "")
    if started is None or state == "RETRY":
        return  # a retry is counted when its last try ends
    began, queue = started
    try:
        record_task(queue, time.monotonic() - began, FAILED if failed or state == "FAILURE" else SUCCEEDED)
    except redis.RedisError:
        # Metrics never break a task: Redis down is seen on the system page and by the queue gauges.
        log.warning("task metrics not recorded (Redis unavailable)")
