import pytest


@pytest.mark.django_db
def test_healthz_reports_each_service_and_503_without_a_worker(client):
    # given no worker listens on the test queue
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

    from core.tasks import heartbeat

    cache.delete("celery-heartbeat")
    # when the task goes through Redis to the worker process
    result = heartbeat.delay()
    stamp = result.get(timeout=30)
    # then the worker wrote what the task returned into the shared cache
    assert cache.get("celery-heartbeat") == stamp
    response = client.get("/healthz")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "ok"
