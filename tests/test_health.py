import pytest
import redis
from django.conf import settings


@pytest.mark.django_db
def test_healthz_reports_each_service_and_503_without_a_worker(client):
    # given no worker listens on the test queue
    from django.core.cache import cache

    from core.health import WORKER_CHECK_CACHE_KEY

    cache.delete(WORKER_CHECK_CACHE_KEY)
    # when
    response = client.get("/healthz")
    # then
    body = response.json()
    assert response.status_code == 503
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["postgis"]["ok"] is True
    assert body["checks"]["postgis"]["detail"].startswith("3.")
    assert body["checks"]["redis"]["ok"] is True
    assert body["checks"]["celery_worker"] == {"ok": False, "detail": "no worker answered"}


@pytest.mark.worker
def test_a_real_worker_runs_a_task_and_makes_health_green(celery_worker_process, client):
    from django.core.cache import cache

    from core.health import WORKER_CHECK_CACHE_KEY
    from core.tasks import heartbeat

    cache.delete("celery-heartbeat")
    cache.delete(WORKER_CHECK_CACHE_KEY)  # no answer kept from before the worker started
    # when the task goes through Redis to the worker process
    result = heartbeat.delay()
    stamp = result.get(timeout=30)
    # then the worker wrote what the task returned into the shared cache
    assert cache.get("celery-heartbeat") == stamp
    response = client.get("/healthz")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "ok"


@pytest.mark.django_db
def test_healthz_asks_the_workers_once_for_every_caller_for_a_few_seconds(client):
    from django.core.cache import cache

    from core.health import WORKER_CHECK_CACHE_KEY, WORKER_CHECK_SECONDS

    cache.delete(WORKER_CHECK_CACHE_KEY)
    assert client.get("/healthz").json()["checks"]["celery_worker"]["ok"] is False
    # the answer is kept in the shared cache, for every web process, and expires on its own
    assert cache.get(WORKER_CHECK_CACHE_KEY) == ("celery_worker", False, "no worker answered")
    assert (
        0 < redis.Redis.from_url(settings.REDIS_URL).ttl(cache.make_key(WORKER_CHECK_CACHE_KEY)) <= WORKER_CHECK_SECONDS
    )
    # a kept answer is what the next caller gets, without a broadcast
    cache.set(WORKER_CHECK_CACHE_KEY, ("celery_worker", True, "1 worker(s)"), WORKER_CHECK_SECONDS)
    assert client.get("/healthz").json()["checks"]["celery_worker"] == {"ok": True, "detail": "1 worker(s)"}
