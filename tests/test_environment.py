"""Missing or wrong environment gives one clear message, never a traceback."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args, **env_overrides):
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_production_refuses_to_start_without_a_real_secret_key():
    # when
    result = run_manage("check", GREENLIST_ENV="production", SECRET_KEY="", ALLOWED_HOSTS="example.org")
    # then
    assert result.returncode == 2
    assert "SECRET_KEY must be set" in result.stderr
    assert "Traceback" not in result.stderr


def test_production_refuses_the_development_key():
    result = run_manage(
        "check",
        GREENLIST_ENV="production",
        SECRET_KEY="development-only-insecure-key-do-not-use-in-production",
        ALLOWED_HOSTS="example.org",
    )
    assert result.returncode == 2
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = run_manage("check", GREENLIST_ENV="production", SECRET_KEY="x" * 50, ALLOWED_HOSTS="")
    assert result.returncode == 2
    assert "ALLOWED_HOSTS" in result.stderr


def test_production_settings_pass_the_deployment_checklist():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        GREENLIST_ENV="production",
        SECRET_KEY="k3y-" + "a1B2c3D4e5" * 6,
        ALLOWED_HOSTS="greenlist.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_unreachable_database_is_named_with_what_to_do():
    result = run_manage("migrate", DATABASE_URL="postgis://greenlist:greenlist@127.0.0.1:1/greenlist")
    assert result.returncode == 2
    assert "Cannot reach PostgreSQL at greenlist@127.0.0.1:1/greenlist" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_database_is_named():
    result = run_manage("migrate", DATABASE_URL="postgis://greenlist:greenlist@127.0.0.1:5432/no_such_greenlist_db")
    assert result.returncode == 2
    assert "does not exist" in result.stderr
    assert "no_such_greenlist_db" in result.stderr


def test_non_postgis_database_url_is_refused():
    result = run_manage("check", DATABASE_URL="postgres://greenlist:greenlist@127.0.0.1:5432/greenlist")
    assert result.returncode == 2
    assert "postgis://" in result.stderr


def test_redis_down_is_reported_by_check_services():
    result = run_manage("check_services", REDIS_URL="redis://127.0.0.1:1/0")
    assert result.returncode == 1
    assert "redis: start Redis or fix REDIS_URL" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.fixture
def database_without_postgis():
    import psycopg

    name = f"greenlist_nopostgis_{os.getpid()}"
    with psycopg.connect("host=127.0.0.1 user=greenlist_test dbname=postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    yield name
    with psycopg.connect("host=127.0.0.1 user=greenlist_test dbname=postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_missing_postgis_extension_is_reported(database_without_postgis):
    result = run_manage(
        "check_services", DATABASE_URL=f"postgis://greenlist:greenlist@127.0.0.1:5432/{database_without_postgis}"
    )
    assert result.returncode == 1
    assert "postgis: install PostGIS" in result.stderr
