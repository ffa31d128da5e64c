"""Checks of the services the platform needs: used by /healthz, `manage.py check_services` and the
staff system page (operations.system).

The details a check writes in words are in the active language: the system page is read in French
or Spanish; /healthz answers machines and asks for English (core.views.healthz).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext, ngettext


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    detail: str


def check_database() -> CheckResult:
    from django.db import connection

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return CheckResult("database", True, connection.settings_dict["NAME"])
    except Exception as exc:  # noqa: BLE001 - any failure is reported, never raised
        return CheckResult("database", False, str(exc).splitlines()[0] if str(exc) else repr(exc))


def check_postgis() -> CheckResult:
    from django.db import connection

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT postgis_lib_version()")
            (version,) = cursor.fetchone()
        return CheckResult("postgis", True, version)
    except Exception as exc:  # noqa: BLE001
        return CheckResult("postgis", False, str(exc).splitlines()[0] if str(exc) else repr(exc))


def check_redis() -> CheckResult:
    import redis
    from django.conf import settings

    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
        client.ping()
        return CheckResult("redis", True, settings.REDIS_URL.rsplit("@", 1)[-1])
    except Exception as exc:  # noqa: BLE001
        return CheckResult("redis", False, str(exc))


def check_celery_worker(timeout: float = 1.0) -> CheckResult:
    # The project's Celery app (greenlist/__init__.py makes it current when Django starts): core,
    # at the bottom of docs/architecture.md, does not import the project package.
    from celery import current_app

    try:
        replies = current_app.control.ping(timeout=timeout)
    except Exception as exc:  # noqa: BLE001
        return CheckResult("celery_worker", False, str(exc))
    if not replies:
        return CheckResult("celery_worker", False, gettext("no worker answered"))
    count = len(replies)
    return CheckResult(
        "celery_worker",
        True,
        ngettext("%(count)d worker answered", "%(count)d workers answered", count) % {"count": count},
    )


def worker_unchecked() -> CheckResult:
    """The workers' check when Redis, through which they are asked, does not answer."""
    return CheckResult("celery_worker", False, gettext("Redis unreachable"))


# /healthz is public and probed every few seconds by every load balancer: each worker check is a
# broadcast that every worker answers, and waits up to a second when none does. One answer serves
# all callers for a few seconds, in the shared cache.
WORKER_CHECK_CACHE_KEY = "health:celery-worker"
WORKER_CHECK_SECONDS = 5


def check_celery_worker_shared() -> CheckResult:
    from django.core.cache import cache

    kept = cache.get(WORKER_CHECK_CACHE_KEY)
    if kept is not None:
        return CheckResult(*kept)
    result = check_celery_worker()
    cache.set(WORKER_CHECK_CACHE_KEY, (result.name, result.ok, result.detail), WORKER_CHECK_SECONDS)
    return result


def run_checks(*, include_worker: bool = True, shared_worker_check: bool = False) -> list[CheckResult]:
    results = [check_database()]
    results.append(check_postgis() if results[0].ok else CheckResult("postgis", False, gettext("database unreachable")))
    redis_result = check_redis()
    results.append(redis_result)
    if include_worker:
        results.append(
            (check_celery_worker_shared() if shared_worker_check else check_celery_worker())
            if redis_result.ok
            else worker_unchecked()
        )
    return results
