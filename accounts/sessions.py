"""Session lifetime: an idle timeout and an absolute age, for every logged-in session.

Django's own expiry is one fixed age (SESSION_COOKIE_AGE) from the last save, with no notion of
idleness. Here each session carries two stamps: when its login happened and when it was last seen.
The last-seen stamp is written at most once a minute (not a database write on every request),
which is as precise as an idle timeout of hours needs to be.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

LOGIN_AT = "auth_login_at"
LAST_SEEN = "auth_last_seen"
TOUCH_EVERY_SECONDS = 60


def idle_timeout_for(user) -> int:
    # `is_staff` is derived from the IUCN staff and administrator roles (accounts.services), so no
    # role query is needed on every request.
    return settings.SESSION_IDLE_TIMEOUT_STAFF if user.is_staff else settings.SESSION_IDLE_TIMEOUT


def session_expired(session, user, now: float) -> bool:
    login_at = session.get(LOGIN_AT)
    last_seen = session.get(LAST_SEEN)
    if login_at is not None and now - login_at > settings.SESSION_COOKIE_AGE:
        return True
    return last_seen is not None and now - last_seen > idle_timeout_for(user)


@receiver(user_logged_in)
def _stamp_login(sender, request, user, **kwargs):
    # A new login starts both clocks, even when the session (same person logging in again) is kept.
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[LOGIN_AT] = now
        request.session[LAST_SEEN] = now


class SessionTimeoutMiddleware:
    """Logs out a session idle longer than its timeout or older than SESSION_COOKIE_AGE.

    The request then goes on as anonymous: pages send it to the login page (with next=), the API
    answers 403 as for anyone not logged in.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            now = time.time()
            session = request.session
            if session_expired(session, user, now):
                logout(request)
            else:
                # Sessions from before this middleware (or force_login in tests) start their clocks now.
                if session.get(LOGIN_AT) is None:
                    session[LOGIN_AT] = int(now)
                last_seen = session.get(LAST_SEEN)
                if last_seen is None or now - last_seen >= TOUCH_EVERY_SECONDS:
                    session[LAST_SEEN] = int(now)
        return self.get_response(request)
