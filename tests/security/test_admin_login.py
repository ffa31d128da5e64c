"""Issue 12, confirmed problem 4: `/admin/login/` was not throttled and skipped the two-factor step.

The red team posted 20 wrong passwords to /admin/login/, then the right one, and was let in at
once. Now /admin/login/ is the site's login view (accounts.views.LoginView): the same throttle
(accounts.throttle), and the same two-factor step after it (accounts.two_factor guards /admin/).
"""

from __future__ import annotations

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import throttle
from accounts.tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db

IP = "203.0.113.9"


def _login(client, url, email, password):
    return client.post(url, {"username": email, "password": password, "next": "/admin/"}, REMOTE_ADDR=IP)


@pytest.mark.parametrize("url", ["/admin/login/", "/accounts/login/"])
def test_twenty_wrong_passwords_then_the_right_one_is_refused_at_either_door(client, staff, url):
    # given 20 wrong passwords, as the red team sent them
    for _ in range(20):
        assert _login(client, url, staff.email, "wrong-password").status_code == 200
    # when the right password comes next
    response = _login(client, url, staff.email, DEFAULT_PASSWORD)
    # then it is refused (slowed down: attempts during a delay are not even checked), the same at
    # the admin's login as at the site's
    assert response.status_code == 200
    assert "Too many failed attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302


def test_the_admin_login_slows_down_after_a_few_failures_as_the_site_login_does(client, staff):
    for _ in range(throttle.SLOW_AFTER):
        _login(client, "/admin/login/", staff.email, "bad")
    response = _login(client, "/admin/login/", staff.email, DEFAULT_PASSWORD)
    assert "wait" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # and the failures at one door count at the other
    response = _login(client, "/accounts/login/", staff.email, DEFAULT_PASSWORD)
    assert "wait" in response.content.decode()


def test_staff_who_need_two_factor_cannot_reach_the_admin_without_it(client, staff, settings):
    settings.TWO_FACTOR_REQUIRED_FOR_STAFF = True
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    # given staff logged in with the password at the admin's login
    response = _login(client, "/admin/login/", staff.email, DEFAULT_PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/admin/"
    # when they open admin pages without an authenticator: sent to set one up
    for url in ("/admin/", "/admin/accounts/user/", "/admin/standards/jurisdiction/add/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/2fa/"), url
    # with an authenticator but no code yet: sent to give the code
    device = TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/2fa/verify/")
    # with the code: in
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    assert client.post("/accounts/2fa/verify/", {"token": code, "next": "/admin/"})["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
