"""Login throttling: repeated failures are first slowed down, then locked for a while.

Kept in Redis (the Django cache) per e-mail address and per client address, so that every web
process sees the same counts. A successful login clears the e-mail's count.

Why not django-axes: it locks out but does not slow down, and it writes every attempt to the
database; this is one small rule on the cache we already run.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

WINDOW_SECONDS = getattr(settings, "LOGIN_FAILURE_WINDOW_SECONDS", 15 * 60)
SLOW_AFTER = getattr(settings, "LOGIN_SLOW_AFTER_FAILURES", 3)
LOCK_AFTER = getattr(settings, "LOGIN_LOCK_AFTER_FAILURES", 10)
LOCK_SECONDS = getattr(settings, "LOGIN_LOCK_SECONDS", 15 * 60)
MAX_DELAY_SECONDS = 60


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0
    locked: bool = False


# A client address may be a whole office behind one NAT: it gets more room than one account.
IP_ALLOWANCE = 5


def _keys(email: str, ip: str | None) -> list[tuple[str, int]]:
    """Cache keys with the factor their thresholds are multiplied by."""
    keys = [(f"login-fail:email:{(email or '').strip().lower()}", 1)]
    if ip:
        keys.append((f"login-fail:ip:{ip}", IP_ALLOWANCE))
    return keys


def check(email: str, ip: str | None) -> Verdict:
    """May this attempt go ahead? Looks at the worse of the e-mail's and the address's records."""
    now = time.time()
    worst = Verdict(True)
    for key, factor in _keys(email, ip):
        record = cache.get(key)
        if not record:
            continue
        failures, last, _first = record
        if failures >= LOCK_AFTER * factor:
            retry = int(last + LOCK_SECONDS - now) + 1
            if retry > 0:
                return Verdict(False, retry, locked=True)
        elif failures >= SLOW_AFTER * factor:
            delay = min(2 ** (failures - SLOW_AFTER * factor + 1), MAX_DELAY_SECONDS)
            retry = int(last + delay - now) + 1
            if retry > 0 and retry > worst.retry_after:
                worst = Verdict(False, retry)
    return worst


def record_failure(email: str, ip: str | None) -> None:
    now = time.time()
    for key, _factor in _keys(email, ip):
        failures, _last, first = cache.get(key) or (0, now, now)
        cache.set(key, (failures + 1, now, first), timeout=WINDOW_SECONDS)


def record_success(email: str) -> None:
    cache.delete(_keys(email, None)[0][0])


def client_ip(request) -> str | None:
    # Behind the production proxy REMOTE_ADDR is the proxy; it passes the client in X-Forwarded-For.
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR")
