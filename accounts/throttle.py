"""Login throttling: repeated failures are first slowed down, then locked for a while.

Kept in Redis (the Django cache) so that every web process sees the same counts. Three counters,
each with its own thresholds, and an attempt goes ahead only if all of them allow it:

- per (account, client address): the brute-force brake. 3 failures, then growing delays, locked
  after 10. This is what stops one machine guessing one person's password.
- per client address, whatever the account: 5 times more room (an office behind one NAT), so one
  machine cannot spray a common password over many accounts.
- per account, from every address together: locked only after many more failures (100), which
  takes an attack spread over at least ten addresses (each locked after 10). Never slowed before
  that: a delay for an account is a denial of service to its owner as much as a lock.

Why not lock per account alone (as before): anyone who knows a site manager's e-mail (public
pages showed them) could lock them out again and again from anywhere. Now failures from the
attacker's address lock only that address (for that account); the owner, logging in from their own
address, is not slowed.

The owner's way in even when the account-wide counter is full: a browser that has logged into the
account before carries a signed "known browser" cookie (OWASP's device cookies); its attempts are
not held by the account-wide lock, only by their own address's counters. A person on a new browser
during a distributed attack waits for the lock to lapse (LOCK_SECONDS) or asks an administrator.

Why not django-axes: it locks out but does not slow down, and it writes every attempt to the
database; this is one small rule on the cache we already run.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.cache import cache

WINDOW_SECONDS = getattr(settings, "LOGIN_FAILURE_WINDOW_SECONDS", 15 * 60)
SLOW_AFTER = getattr(settings, "LOGIN_SLOW_AFTER_FAILURES", 3)
LOCK_AFTER = getattr(settings, "LOGIN_LOCK_AFTER_FAILURES", 10)
LOCK_SECONDS = getattr(settings, "LOGIN_LOCK_SECONDS", 15 * 60)
MAX_DELAY_SECONDS = 60
# A client address may be a whole office behind one NAT: it gets more room than one account.
IP_ALLOWANCE = 5
# Failures on one account from all addresses together before it is locked for browsers it does not know.
ACCOUNT_LOCK_AFTER = getattr(settings, "LOGIN_ACCOUNT_LOCK_AFTER_FAILURES", 100)

KNOWN_BROWSER_COOKIE = "gl_known_browser"
KNOWN_BROWSER_MAX_AGE = 365 * 24 * 60 * 60
_KNOWN_BROWSER_SALT = "accounts.throttle.known-browser"


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0
    locked: bool = False


@dataclass(frozen=True)
class _Counter:
    key: str
    slow_after: int | None  # None: never slowed, only locked
    lock_after: int


def _account(email: str) -> str:
    # Hashed: keys stay short and free of odd characters, and a cache dump lists no addresses.
    return hashlib.sha256((email or "").strip().lower().encode()).hexdigest()[:32]


def _counters(email: str, ip: str | None, *, known_browser: bool = False) -> list[_Counter]:
    account = _account(email)
    counters = [_Counter(f"login-fail:pair:{account}:{ip or '-'}", SLOW_AFTER, LOCK_AFTER)]
    if ip:
        counters.append(_Counter(f"login-fail:ip:{ip}", SLOW_AFTER * IP_ALLOWANCE, LOCK_AFTER * IP_ALLOWANCE))
    if not known_browser:
        counters.append(_Counter(f"login-fail:account:{account}", None, ACCOUNT_LOCK_AFTER))
    return counters


def check(email: str, ip: str | None, *, known_browser: bool = False) -> Verdict:
    """May this attempt go ahead? Looks at the worst of its counters."""
    now = time.time()
    worst = Verdict(True)
    for counter in _counters(email, ip, known_browser=known_browser):
        record = cache.get(counter.key)
        if not record:
            continue
        failures, last, _first = record
        if failures >= counter.lock_after:
            retry = int(last + LOCK_SECONDS - now) + 1
            if retry > 0:
                return Verdict(False, retry, locked=True)
        elif counter.slow_after is not None and failures >= counter.slow_after:
            delay = min(2 ** (failures - counter.slow_after + 1), MAX_DELAY_SECONDS)
            retry = int(last + delay - now) + 1
            if retry > 0 and retry > worst.retry_after:
                worst = Verdict(False, retry)
    return worst


def record_failure(email: str, ip: str | None) -> None:
    # Every counter counts every failure, a known browser's included (its failures are still guesses).
    now = time.time()
    for counter in _counters(email, ip):
        failures, _last, first = cache.get(counter.key) or (0, now, now)
        cache.set(counter.key, (failures + 1, now, first), timeout=WINDOW_SECONDS)


def record_success(email: str, ip: str | None = None) -> None:
    """The right password from this address: its own counter for the account starts again.

    The account-wide and per-address counters stay: one success (the owner's) must not wipe the
    record of an attack going on from elsewhere."""
    cache.delete(_counters(email, ip)[0].key)


# --- known browsers ------------------------------------------------------------------------------


def known_browser_cookie_value(email: str) -> str:
    return signing.dumps({"a": _account(email)}, salt=_KNOWN_BROWSER_SALT, compress=True)


def is_known_browser(request, email: str) -> bool:
    """Has this browser logged into this account before (a valid signed cookie naming it)?"""
    if request is None or not email:
        return False
    value = request.COOKIES.get(KNOWN_BROWSER_COOKIE)
    if not value:
        return False
    try:
        data = signing.loads(value, salt=_KNOWN_BROWSER_SALT, max_age=KNOWN_BROWSER_MAX_AGE)
    except signing.BadSignature:
        return False
    return isinstance(data, dict) and data.get("a") == _account(email)


def remember_browser(response, email: str) -> None:
    """After a successful login: this browser is known to the account from now on."""
    response.set_cookie(
        KNOWN_BROWSER_COOKIE,
        known_browser_cookie_value(email),
        max_age=KNOWN_BROWSER_MAX_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def client_ip(request) -> str | None:
    # Behind the production proxy REMOTE_ADDR is the proxy; it passes the client in X-Forwarded-For.
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR")
