"""A real Celery worker (issue 20): a failed task is counted per queue in the scrape, and the task's log
lines, in JSON, carry the request id of the request that sent it."""

from __future__ import annotations

import json
import time

import pytest
import redis
from celery import current_app
from django.conf import settings

from conftest import start_celery_worker, stop_celery_worker
from core.request_id import bound_request_id
from core.task_metrics import stats_key, task_stats

TOKEN = "scrape-token-worker"


@pytest.fixture
def json_worker(transactional_db, tmp_path, monkeypatch):
    monkeypatch.setenv("GREENLIST_LOG_FORMAT", "json")
    current_app.control.purge()
    redis.Redis.from_url(settings.REDIS_URL).delete(stats_key(settings.CELERY_TASK_DEFAULT_QUEUE))
    proc = start_celery_worker(tmp_path / "worker.log")
    yield proc
    stop_celery_worker(proc)


def wait_for(predicate, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.worker
def test_a_failed_task_is_counted_and_its_log_lines_carry_the_request_id(json_worker, client, settings):
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    settings.GREENLIST_METRICS_TOKEN = TOKEN
    # given a request that sends two tasks: one that succeeds, one that fails (an id that is no number)
    with bound_request_id("req-worker-77"):
        current_app.send_task("core.tasks.heartbeat", queue=queue)
        current_app.send_task("core.tasks.send_outgoing_email", args=["not-a-number"], queue=queue)

    # then the worker records both, the failure as a failure, for the web's scrape to show
    assert wait_for(lambda: task_stats([queue])[queue].count >= 2), json_worker.log_path.read_text()[-3000:]
    stats = task_stats([queue])[queue]
    assert (stats.succeeded, stats.failed) == (1, 1)
    text = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).content.decode()
    assert f'greenlist_celery_tasks_total{{outcome="failed",queue="{queue}"}} 1.0' in text
    assert f'greenlist_celery_tasks_total{{outcome="succeeded",queue="{queue}"}} 1.0' in text
    assert f'greenlist_celery_task_duration_seconds_count{{queue="{queue}"}} 2.0' in text

    # and the worker's log lines about those tasks are JSON objects carrying the request's id
    lines = [json.loads(line) for line in json_worker.log_path.read_text().splitlines() if line.startswith("{")]
    about_tasks = [line for line in lines if "core.tasks." in line["message"]]
    # ("received" is logged by the worker's consumer as the message arrives, before the task's run
    # and its request id begin: README "Monitoring")
    of_runs = [line for line in about_tasks if "received" not in line["message"]]
    assert [line for line in of_runs if line["level"] == "ERROR"], about_tasks
    assert len(of_runs) >= 2
    assert {line["request_id"] for line in of_runs} == {"req-worker-77"}
