"""/metrics (issue 20): who may scrape it, and what a scrape says, on the real Redis and PostGIS."""

from __future__ import annotations

import json

import pytest
import redis
from celery import current_app
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import OutgoingEmail
from core.request_id import TASK_HEADER, bound_request_id

TOKEN = "scrape-token-0123456789"


@pytest.fixture
def broker(db):
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.delete(settings.CELERY_TASK_DEFAULT_QUEUE)
    yield client
    client.delete(settings.CELERY_TASK_DEFAULT_QUEUE)


def scrape(client, **headers) -> str:
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}", **headers})
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/plain; version=")
    return response.content.decode()


def test_metrics_are_refused_without_the_token_or_an_allowed_network_and_given_with_either(client, settings, staff):
    # given nothing configured: closed to everyone, a signed-in staff member too
    settings.GREENLIST_METRICS_TOKEN = ""
    settings.GREENLIST_METRICS_ALLOWED_NETWORKS = []
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 404
    client.force_login(staff)
    assert client.get("/metrics").status_code == 404
    client.logout()

    # a token: only that token opens it
    settings.GREENLIST_METRICS_TOKEN = TOKEN
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong-token"}).status_code == 404
    assert client.get("/metrics", headers={"Authorization": f"Token {TOKEN}"}).status_code == 404
    assert client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200

    # a network allow-list: the test client connects from 127.0.0.1
    from greenlist.observability import metrics_allowed_networks

    settings.GREENLIST_METRICS_TOKEN = ""
    settings.GREENLIST_METRICS_ALLOWED_NETWORKS = metrics_allowed_networks(["10.0.0.0/8"])
    assert client.get("/metrics").status_code == 404
    settings.GREENLIST_METRICS_ALLOWED_NETWORKS = metrics_allowed_networks(["10.0.0.0/8", "127.0.0.0/8"])
    assert client.get("/metrics").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="192.0.2.7").status_code == 404
    # through the reverse proxy the peer is the proxy, in an allowed network: refused all the same
    # (review L6); the token still opens it
    for header in ("X-Forwarded-For", "Forwarded", "X-Real-IP", "X-Forwarded-Proto"):
        assert client.get("/metrics", headers={header: "192.0.2.7"}).status_code == 404, header
    settings.GREENLIST_METRICS_TOKEN = TOKEN
    proxied = {"X-Forwarded-For": "192.0.2.7", "Authorization": f"Bearer {TOKEN}"}
    assert client.get("/metrics", headers=proxied).status_code == 200


def test_a_bad_allowed_network_is_named_at_start_up():
    from django.core.exceptions import ImproperlyConfigured

    from greenlist.observability import metrics_allowed_networks

    with pytest.raises(ImproperlyConfigured, match="'10.0.0.300/8' is not a network"):
        metrics_allowed_networks(["127.0.0.1/32", "10.0.0.300/8"])


def test_the_scrape_shows_waiting_tasks_view_latency_and_platform_figures_in_constant_queries(client, settings, broker):
    settings.GREENLIST_METRICS_TOKEN = TOKEN
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    # given three task messages waiting in the real broker (no worker runs) and a request to a view
    for _ in range(3):
        current_app.send_task("core.tasks.heartbeat", queue=queue)
    assert client.get("/ping").status_code == 200

    with CaptureQueriesContext(connection) as first:
        text = scrape(client)

    assert f'greenlist_celery_queue_length{{queue="{queue}"}} 3.0' in text
    assert 'django_http_requests_latency_seconds_by_view_method_count{method="GET",view="ping"}' in text
    assert 'django_db_query_duration_seconds_count{alias="default",vendor="postgresql"}' in text
    assert "greenlist_outbox_backlog 0.0" in text
    assert "greenlist_evidence_waiting 0.0" in text
    assert "greenlist_certificates_expiring_30d 0.0" in text
    assert 'greenlist_scrape_source_up{source="redis"} 1.0' in text
    assert 'greenlist_scrape_source_up{source="database"} 1.0' in text

    # when the outbox grows, the scrape counts it with the same queries
    OutgoingEmail.objects.bulk_create(
        OutgoingEmail(kind="test", to=[f"p{i}@example.org"], subject="s", body="b") for i in range(25)
    )
    with CaptureQueriesContext(connection) as second:
        text = scrape(client)
    assert "greenlist_outbox_backlog 25.0" in text
    assert len(second.captured_queries) == len(first.captured_queries)


def test_a_request_id_is_kept_if_sane_returned_and_carried_in_the_task_messages(client, broker):
    # a sane id from a proxy is kept and returned
    response = client.get("/ping", headers={"X-Request-ID": "lb-7f3a.42"})
    assert response["X-Request-ID"] == "lb-7f3a.42"
    # one that could forge a log line or a header is replaced by our own
    response = client.get("/ping", headers={"X-Request-ID": 'x" level="CRITICAL'})
    made = response["X-Request-ID"]
    assert made != 'x" level="CRITICAL' and len(made) == 32

    # a task sent under a request id carries it in its message headers (what the worker reads back)
    with bound_request_id("req-carried-1"):
        current_app.send_task("core.tasks.heartbeat", queue=settings.CELERY_TASK_DEFAULT_QUEUE)
    message = json.loads(broker.lpop(settings.CELERY_TASK_DEFAULT_QUEUE))
    assert message["headers"][TASK_HEADER] == "req-carried-1"
