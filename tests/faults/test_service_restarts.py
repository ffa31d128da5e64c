"""The web process survives its backing services restarting, without a restart of its own.

gunicorn runs with the production settings against a private PostgreSQL and Redis that the
test really stops and starts."""

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from .services import PrivatePostgres, PrivateRedis, free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.faults


@pytest.fixture
def private_services():
    pg, redis = PrivatePostgres(), PrivateRedis()
    database_url = pg.start_fresh()
    redis.start()
    yield pg, redis, database_url
    redis.stop()
    pg.destroy()


@pytest.fixture
def gunicorn_server(private_services, tmp_path):
    pg, redis, database_url = private_services
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        GREENLIST_ENV="production",
        SECRET_KEY="fault-test-" + "Zq8Lw3Nd5Rt7Yb9Kc2Vh" * 3,
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        DATABASE_URL=database_url,
        REDIS_URL=redis.url,
        DATABASE_CONN_MAX_AGE="600",
    )
    log = open(tmp_path / "gunicorn.log", "wb")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "greenlist.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--threads",
            "1",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    wait_for_port(port)
    yield proc, port
    proc.terminate()
    proc.wait(timeout=20)
    log.close()


def health(port):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as err:  # 503 still carries the JSON report
        return json.loads(err.read())


def test_web_recovers_after_postgresql_restart(private_services, gunicorn_server):
    pg, _redis, _url = private_services
    proc, port = gunicorn_server
    assert health(port)["checks"]["database"]["ok"] is True  # a persistent connection now exists
    # when PostgreSQL restarts underneath the running web process
    pg.restart()
    # then the very next request works on a fresh connection, and the process is the same
    report = health(port)
    assert report["checks"]["database"]["ok"] is True, report
    assert report["checks"]["postgis"]["ok"] is True
    assert proc.poll() is None


def test_web_reports_postgresql_down_then_recovers(private_services, gunicorn_server):
    pg, _redis, _url = private_services
    proc, port = gunicorn_server
    pg.stop()
    report = health(port)
    assert report["status"] == "unavailable" and report["checks"]["database"]["ok"] is False
    pg.start()
    assert health(port)["checks"]["database"]["ok"] is True
    assert proc.poll() is None


def test_web_recovers_after_redis_restart(private_services, gunicorn_server):
    _pg, redis, _url = private_services
    _proc, port = gunicorn_server
    assert health(port)["checks"]["redis"]["ok"] is True
    redis.stop()
    assert health(port)["checks"]["redis"]["ok"] is False
    redis.start()
    assert health(port)["checks"]["redis"]["ok"] is True
