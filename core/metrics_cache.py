"""Django's Redis cache with timings for /metrics (issue 20).

django-prometheus's own Redis cache backend is built on django-redis, which the platform does not use
(Django's built-in `RedisCache` is enough); this subclass of the built-in one counts gets, hits and
misses on django-prometheus's counters (so dashboards made for it work) and times every operation in
one histogram labelled by operation.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from django_prometheus.cache.metrics import django_cache_get_total, django_cache_hits_total, django_cache_misses_total
from prometheus_client import Histogram

BACKEND = "redis"
cache_operation_seconds = Histogram(
    "django_cache_operation_duration_seconds",
    "Time taken by cache operations, by operation.",
    ["backend", "operation"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0),
)

T = TypeVar("T")


def _timed(operation: str, call: Callable[[], T]) -> T:
    began = time.perf_counter()
    try:
        return call()
    finally:
        cache_operation_seconds.labels(BACKEND, operation).observe(time.perf_counter() - began)


_MISSING = object()


class InstrumentedRedisCache(RedisCache):
    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        django_cache_get_total.labels(backend=BACKEND).inc()
        value = _timed("get", lambda: super(InstrumentedRedisCache, self).get(key, _MISSING, version))
        if value is _MISSING:
            django_cache_misses_total.labels(backend=BACKEND).inc()
            return default
        django_cache_hits_total.labels(backend=BACKEND).inc()
        return value

    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> None:
        _timed("set", lambda: super(InstrumentedRedisCache, self).set(key, value, timeout, version))

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return _timed("add", lambda: super(InstrumentedRedisCache, self).add(key, value, timeout, version))

    def delete(self, key: Any, version: int | None = None) -> bool:
        return _timed("delete", lambda: super(InstrumentedRedisCache, self).delete(key, version))

    def get_many(self, keys: Any, version: int | None = None) -> dict[Any, Any]:
        return _timed("get_many", lambda: super(InstrumentedRedisCache, self).get_many(keys, version))

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        return _timed("incr", lambda: super(InstrumentedRedisCache, self).incr(key, delta, version))
