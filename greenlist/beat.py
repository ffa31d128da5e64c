"""Beat sends the schedule once, however many beats run (issue 19): a lock in Redis.

Two beats (a container restarted on another machine while the old one still runs, or a second copy started
by mistake) would send every scheduled task twice. Each beat holds a lock in the broker's Redis before it
sends anything and renews it on every tick; a beat that does not hold it waits as a standby and takes over
within LOCK_SECONDS when the holder stops or dies. Only the holder's own token renews or releases it.

A beat that takes over reads its own schedule file: tasks the other beat already sent since may be sent once
more. The scheduled tasks are safe to repeat (sweeps, reminders and expiries recorded once per event).
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from typing import Any

import redis
from celery.beat import PersistentScheduler
from django.conf import settings

log = logging.getLogger(__name__)

# Take the lock, or renew it when this beat already holds it; 1 when held after the call.
_HOLD = """
local holder = redis.call('GET', KEYS[1])
if holder == false then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def lock_key() -> str:
    # Per default queue: parallel test runs and a development instance beside them keep apart.
    return f"greenlist:beat-lock:{settings.CELERY_TASK_DEFAULT_QUEUE}"


class SingleBeatScheduler(PersistentScheduler):
    """CELERY_BEAT_SCHEDULER: the persistent scheduler, sending only while it holds the beat lock."""

    LOCK_SECONDS = 60
    STANDBY_SECONDS = 10.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.token = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex}"
        self._redis = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=2, socket_timeout=5)
        self._holding = False
        super().__init__(*args, **kwargs)

    def hold_lock(self) -> bool:
        try:
            held = bool(self._redis.eval(_HOLD, 1, lock_key(), self.token, self.LOCK_SECONDS * 1000))
        except redis.RedisError:
            held = False  # the broker is down: nothing could be sent anyway
        if held != self._holding:
            log.info("beat %s: %s", self.token, "holds the lock, sending" if held else "standby (another beat sends)")
            self._holding = held
        return held

    def release_lock(self) -> None:
        try:
            self._redis.eval(_RELEASE, 1, lock_key(), self.token)
        except redis.RedisError:
            pass  # it expires by itself
        self._holding = False

    def tick(self, *args: Any, **kwargs: Any) -> float:
        if not self.hold_lock():
            return self.STANDBY_SECONDS
        # Wake at least three times per lock period, so the lock is renewed long before it lapses.
        return min(super().tick(*args, **kwargs), self.LOCK_SECONDS / 3)

    def close(self) -> None:
        self.release_lock()
        super().close()
