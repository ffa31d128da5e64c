import time

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import throttle
from accounts.tests.factories import DEFAULT_PASSWORD
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def login(client, email, password, ip="10.0.0.1"):
    return client.post("/accounts/login/", {"username": email, "password": password}, REMOTE_ADDR=ip)


def test_repeated_failures_are_slowed_then_locked(client, site_manager, monkeypatch):
    # three failures are answered normally
    for _ in range(throttle.SLOW_AFTER):
        assert "correct e-mail address and password" in login(client, site_manager.email, "bad").content.decode()
    # then even the right password must wait
    response = login(client, site_manager.email, DEFAULT_PASSWORD)
    assert response.status_code == 200
    assert "wait" in response.content.decode()
    # when time passes beyond the delay, the right password works again
    real_time = time.time
    monkeypatch.setattr(throttle.time, "time", lambda: real_time() + 5)
    assert login(client, site_manager.email, DEFAULT_PASSWORD).status_code == 302


def test_lock_after_many_failures_even_with_the_right_password(client, site_manager, monkeypatch):
    clock = [time.time()]
    monkeypatch.setattr(throttle.time, "time", lambda: clock[0])
    for _ in range(throttle.LOCK_AFTER):
        login(client, site_manager.email, "bad")
        clock[0] += throttle.MAX_DELAY_SECONDS + 1  # an attacker who waits out each delay
    response = login(client, site_manager.email, DEFAULT_PASSWORD)
    assert "locked" in response.content.decode()
    assert "_auth_user_id" not in client.session
    clock[0] += throttle.LOCK_SECONDS + 1
    assert login(client, site_manager.email, DEFAULT_PASSWORD).status_code == 302


def test_failures_on_one_account_do_not_slow_another(client, site_manager, staff):
    for _ in range(throttle.SLOW_AFTER + 1):
        login(client, site_manager.email, "bad", ip="10.0.0.2")
    assert login(client, staff.email, DEFAULT_PASSWORD, ip="10.0.0.3").status_code == 302


def _enable_totp(user):
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    return device


def _code(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_person_with_an_authenticator_must_give_a_code_after_the_password(client, site_manager, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # django-otp's own per-device delay is tested by django-otp
    device = _enable_totp(site_manager)
    client.login(username=site_manager.email, password=DEFAULT_PASSWORD)
    # the home page and the API are closed until the code is given
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/2fa/verify/")
    api = client.get("/api/v1/schema/")
    assert api.status_code == 403 and api.json()["code"] == "two_factor_required"
    assert "not right" in client.post("/accounts/2fa/verify/", {"token": "000000"}).content.decode()
    response = client.post("/accounts/2fa/verify/", {"token": _code(device), "next": "/"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_staff_are_sent_to_set_up_an_authenticator_when_required(client, staff, settings):
    settings.TWO_FACTOR_REQUIRED_FOR_STAFF = True
    client.login(username=staff.email, password=DEFAULT_PASSWORD)
    response = client.get("/accounts/invitations/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/2fa/")
    page = client.get("/accounts/2fa/")
    assert page.status_code == 200
    assert b"data:image/png;base64," in page.content
    device = TOTPDevice.objects.get(user=staff, confirmed=False)
    assert client.post("/accounts/2fa/", {"token": "12x"}).status_code == 200  # malformed: error, still pending
    response = client.post("/accounts/2fa/", {"token": _code(device), "next": "/accounts/invitations/"})
    assert response.status_code == 302 and response["Location"] == "/accounts/invitations/"
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEvent.objects.filter(action="two_factor.enabled", actor=staff).exists()
    assert client.get("/accounts/invitations/").status_code == 200


def test_site_managers_are_not_forced_to_use_two_factor(client, site_manager, settings):
    settings.TWO_FACTOR_REQUIRED_FOR_STAFF = True
    client.login(username=site_manager.email, password=DEFAULT_PASSWORD)
    assert client.get("/").status_code == 200


def test_next_parameter_cannot_send_people_off_site(client, site_manager):
    device = _enable_totp(site_manager)
    client.login(username=site_manager.email, password=DEFAULT_PASSWORD)
    response = client.post("/accounts/2fa/verify/", {"token": _code(device), "next": "https://evil.example/"})
    assert response["Location"] == "/"


# --- lockout by account and source (issue 12) ---------------------------------------------------


def test_an_attacker_from_one_address_cannot_lock_the_owner_out_from_another(client, site_manager, monkeypatch):
    clock = [time.time()]
    monkeypatch.setattr(throttle.time, "time", lambda: clock[0])
    # given an attacker who knows the manager's e-mail and guesses until locked, waiting out each delay
    for _ in range(throttle.LOCK_AFTER + 5):
        login(client, site_manager.email, "guess", ip="198.51.100.66")
        clock[0] += throttle.MAX_DELAY_SECONDS + 1
    # then the attacker's address is locked for this account, even with the right password
    assert "locked" in login(client, site_manager.email, DEFAULT_PASSWORD, ip="198.51.100.66").content.decode()
    # when the owner logs in from their own address (a browser that never logged in before)
    response = login(Client(), site_manager.email, DEFAULT_PASSWORD, ip="10.0.0.1")
    # then they get in at once
    assert response.status_code == 302


def test_brute_force_from_one_address_is_still_stopped(client, site_manager, monkeypatch):
    clock = [time.time()]
    monkeypatch.setattr(throttle.time, "time", lambda: clock[0])
    for _ in range(throttle.LOCK_AFTER):
        login(client, site_manager.email, "guess", ip="198.51.100.66")
        clock[0] += throttle.MAX_DELAY_SECONDS + 1
    response = login(client, site_manager.email, DEFAULT_PASSWORD, ip="198.51.100.66")
    assert "locked" in response.content.decode() and "_auth_user_id" not in client.session


def test_one_address_spraying_many_accounts_is_stopped(client, site_manager, monkeypatch):
    # the per-address limit: many accounts, a few guesses each, from one machine
    clock = [time.time()]
    monkeypatch.setattr(throttle.time, "time", lambda: clock[0])
    for n in range(throttle.LOCK_AFTER * throttle.IP_ALLOWANCE):
        login(client, f"person{n}@example.org", "Summer2026!", ip="198.51.100.77")
        clock[0] += throttle.MAX_DELAY_SECONDS + 1
    response = login(client, site_manager.email, DEFAULT_PASSWORD, ip="198.51.100.77")
    assert "locked" in response.content.decode()


def test_a_distributed_attack_locks_the_account_for_new_browsers_but_not_the_owners(site_manager, monkeypatch):
    clock = [time.time()]
    monkeypatch.setattr(throttle.time, "time", lambda: clock[0])
    # given the owner's browser, which has logged in before (it carries the known-browser cookie)
    owner = Client()
    assert login(owner, site_manager.email, DEFAULT_PASSWORD, ip="10.0.0.1").status_code == 302
    assert throttle.KNOWN_BROWSER_COOKIE in owner.cookies
    owner.post("/accounts/logout/")
    # when guesses come from many addresses, none of them locked on its own
    attacker = Client()
    addresses = [f"198.51.100.{n}" for n in range(1, 40)]
    for n in range(throttle.ACCOUNT_LOCK_AFTER):
        login(attacker, site_manager.email, "guess", ip=addresses[n % len(addresses)])
        clock[0] += 1
    # then a new browser from a new address is held by the account-wide lock
    assert "locked" in login(Client(), site_manager.email, DEFAULT_PASSWORD, ip="10.9.9.9").content.decode()
    # but the owner's known browser gets in
    assert login(owner, site_manager.email, DEFAULT_PASSWORD, ip="10.0.0.1").status_code == 302


def test_a_forged_or_foreign_known_browser_cookie_does_not_help(site_manager, staff, monkeypatch):
    clock = [time.time()]
    monkeypatch.setattr(throttle.time, "time", lambda: clock[0])
    for n in range(throttle.ACCOUNT_LOCK_AFTER):
        login(Client(), site_manager.email, "guess", ip=f"198.51.100.{n % 40}")
        clock[0] += 1
    for value in ("forged", throttle.known_browser_cookie_value(staff.email)):
        browser = Client()
        browser.cookies[throttle.KNOWN_BROWSER_COOKIE] = value
        assert "locked" in login(browser, site_manager.email, DEFAULT_PASSWORD, ip="10.9.9.9").content.decode()
