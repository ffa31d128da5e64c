"""Issue 12, confirmed problem 2: IUCN staff impersonated people through the Django admin.

The red team, as IUCN staff, created an API token for an expert in the admin (DRF's authtoken)
and read the expert's private draft review with it, and planted a confirmed TOTP device on another
account. Now only administrators see tokens and second factors in the admin, nobody adds a token
for anyone (each person creates their own), and staff's own tokens carry only staff's own rights.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import ApiToken
from accounts.services import api_token_create

pytestmark = pytest.mark.django_db

DRAFT = "zqDRAFTFINDINGzq"


def _logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- the admin -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/admin/otp_totp/totpdevice/",
        "/admin/otp_totp/totpdevice/add/",
        "/admin/accounts/apitoken/",
        "/admin/accounts/apitoken/add/",
        "/admin/auth/group/add/",
    ],
)
def test_staff_cannot_open_tokens_second_factors_or_groups_in_the_admin(staff, url):
    # given IUCN staff in the admin
    client = _logged_in(staff)
    # when they open the pages of tokens, second factors or permission groups
    response = client.get(url)
    # then they are refused (before: 200 for the TOTP device and DRF token pages)
    assert response.status_code == 403


def test_staff_cannot_plant_a_totp_device_on_someone_else(staff, expert):
    # given IUCN staff and an expert without an authenticator
    client = _logged_in(staff)
    # when staff post the admin's add form for a confirmed device on the expert's account
    response = client.post(
        "/admin/otp_totp/totpdevice/add/",
        {
            "user": expert.pk,
            "name": "planted",
            "key": "3132333435363738393031323334353637383930",
            "step": 30,
            "t0": 0,
            "digits": 6,
            "tolerance": 1,
            "drift": 0,
            "confirmed": "on",
        },
    )
    # then it is refused and the expert has no device
    assert response.status_code == 403
    assert not TOTPDevice.objects.filter(user=expert).exists()


def test_the_old_drf_token_admin_is_gone(staff, admin_user):
    # DRF's authtoken (keys in plain text, issued by staff for anyone) is no longer installed.
    for user in (staff, admin_user):
        assert _logged_in(user).get("/admin/authtoken/tokenproxy/add/").status_code == 404


def test_administrators_see_tokens_by_prefix_but_not_their_keys_and_add_none(admin_user, expert):
    # given an expert's own token
    token, key = api_token_create(user=expert, name="field laptop", otp_verified=False)
    client = _logged_in(admin_user)
    # when an administrator lists tokens and opens this one
    listing = client.get("/admin/accounts/apitoken/")
    detail = client.get(f"/admin/accounts/apitoken/{token.pk}/change/")
    # then they see its prefix and name, never the key; and nobody adds a token in the admin
    assert listing.status_code == 200 and token.prefix in listing.content.decode()
    assert key not in listing.content.decode() and key not in detail.content.decode()
    assert token.key_hash not in detail.content.decode()
    assert client.get("/admin/accounts/apitoken/add/").status_code == 403


def test_administrators_revoke_someone_elses_token_in_the_admin(admin_user, expert):
    token, _key = api_token_create(user=expert, name="old script", otp_verified=False)
    response = _logged_in(admin_user).post(
        "/admin/accounts/apitoken/", {"action": "revoke", "_selected_action": [token.pk]}
    )
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == admin_user


def test_staff_still_edit_the_standard_but_not_people_in_the_admin(staff, expert):
    client = _logged_in(staff)
    assert client.get("/admin/standards/jurisdiction/add/").status_code == 200
    assert client.get("/admin/accounts/user/").status_code == 200
    assert client.get(f"/admin/accounts/user/{expert.pk}/change/").status_code == 200  # read-only view
    response = client.post(f"/admin/accounts/user/{expert.pk}/change/", {"email": "staff-owned@example.org"})
    assert response.status_code == 403
    expert.refresh_from_db()
    assert expert.email == "expert@example.org"


# --- no other path to a token for someone else -------------------------------------------------


def test_staff_cannot_create_a_token_for_an_expert_through_the_api(staff, expert):
    # when staff ask for a token naming the expert as its owner
    response = _logged_in(staff).post(
        "/api/v1/me/tokens/", {"name": "for the expert", "user": expert.pk, "user_id": expert.pk}
    )
    # then the token (if any) is staff's own: the API has no way to name another owner
    assert response.status_code == 201
    assert not ApiToken.objects.filter(user=expert).exists()
    assert ApiToken.objects.get(prefix=response.json()["prefix"]).user == staff


def test_staff_cannot_read_an_experts_private_draft_with_a_token(world, staff, expert):
    url = f"/api/v1/review-assessments/{world.ids['own_assessment']}/indicator-reviews/"
    # given staff's own token (the only kind staff can create)
    staff_key = _logged_in(staff).post("/api/v1/me/tokens/", {"name": "staff script"}).json()["key"]
    # when staff read the expert's reviews with it
    response = Client().get(url, headers={"Authorization": f"Token {staff_key}"})
    # then the unshared draft is not there: the token carries staff's rights, not the expert's
    assert response.status_code == 200
    assert DRAFT not in response.content.decode()
    # while the expert's own token shows the expert their own draft
    expert_key = _logged_in(expert).post("/api/v1/me/tokens/", {"name": "my laptop"}).json()["key"]
    mine = Client().get(url, headers={"Authorization": f"Bearer {expert_key}"})
    assert mine.status_code == 200 and DRAFT in mine.content.decode()
