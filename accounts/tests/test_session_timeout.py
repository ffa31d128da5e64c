"""Sessions end after a while without activity (shorter for staff) and at the latest a fixed time
after login, however active (accounts.sessions.SessionTimeoutMiddleware)."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from accounts.tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db

PAGE = "/assessments/"  # any page that needs a login


def _logged_in(user) -> Client:
    client = Client()
    assert client.post("/accounts/login/", {"username": user.email, "password": DEFAULT_PASSWORD}).status_code == 302
    return client


def _is_logged_in(client) -> bool:
    response = client.get(PAGE)
    return response.status_code == 200


def test_an_idle_session_is_logged_out(site_manager, settings):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client = _logged_in(site_manager)
        assert _is_logged_in(client)
        # when nothing happens for longer than the idle timeout
        clock.shift(datetime.timedelta(seconds=settings.SESSION_IDLE_TIMEOUT + 60))
        # then the next request is anonymous: sent to the login page, and the session is gone
        response = client.get(PAGE)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
        assert "_auth_user_id" not in client.session
        # and the API treats it as anonymous too
        assert client.get("/api/v1/assessments/").status_code == 403


def test_activity_keeps_a_session_alive(site_manager, settings):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client = _logged_in(site_manager)
        for _ in range(3):
            clock.shift(datetime.timedelta(seconds=settings.SESSION_IDLE_TIMEOUT - 600))
            assert _is_logged_in(client)


def test_staff_sessions_idle_out_sooner(staff, site_manager, settings):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        staff_client, manager_client = _logged_in(staff), _logged_in(site_manager)
        clock.shift(datetime.timedelta(seconds=settings.SESSION_IDLE_TIMEOUT_STAFF + 60))
        assert not _is_logged_in(staff_client)
        assert _is_logged_in(manager_client)


def test_a_busy_session_still_ends_at_its_absolute_age(site_manager, settings):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client = _logged_in(site_manager)
        step = datetime.timedelta(seconds=settings.SESSION_IDLE_TIMEOUT // 2)
        elapsed = datetime.timedelta(0)
        while elapsed + step < datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE):
            clock.shift(step)
            elapsed += step
            assert _is_logged_in(client), elapsed
        clock.shift(step)
        assert not _is_logged_in(client)


def test_the_last_seen_stamp_is_written_at_most_once_a_minute(site_manager):
    from accounts.sessions import LAST_SEEN

    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client = _logged_in(site_manager)
        first = client.session[LAST_SEEN]
        clock.shift(datetime.timedelta(seconds=30))
        client.get(PAGE)
        assert client.session[LAST_SEEN] == first
        clock.shift(datetime.timedelta(seconds=31))
        client.get(PAGE)
        assert client.session[LAST_SEEN] > first
