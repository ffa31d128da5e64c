"""Personal API tokens: each person's own, shown once, hashed at rest, expiring, optionally read-only,
and bound by the same two-factor rule as sessions."""

from __future__ import annotations

import datetime
import hashlib

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import ApiToken
from accounts.services import api_token_create, api_token_revoke
from accounts.tests.factories import DEFAULT_PASSWORD
from audit.models import AuditEvent
from core.errors import DomainError, NotAllowed

pytestmark = pytest.mark.django_db

API = "/api/v1/assessments/"


def _session(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _get(key, url=API, scheme="Token"):
    return Client().get(url, headers={"Authorization": f"{scheme} {key}"})


def _post(key, url, data=None):
    return Client().post(url, data or {}, headers={"Authorization": f"Token {key}"})


def test_a_person_creates_a_token_on_the_page_and_sees_its_key_once(site_manager):
    # given a site manager on their tokens page
    client = _session(site_manager)
    # when they create a token
    response = client.post("/accounts/tokens/", {"name": "GIS sync", "expires_in_days": 30})
    # then the key is on this answer, which no cache keeps
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    token = ApiToken.objects.get(user=site_manager)
    key = response.context["created"]["key"]
    assert key.startswith(token.prefix + "_") and key in response.content.decode()
    assert token.expires_at.date() == (timezone.now() + datetime.timedelta(days=30)).date()
    # and never again: not on the page, not in the API's list
    again = client.get("/accounts/tokens/").content.decode()
    assert token.prefix in again and key not in again
    listing = client.get("/api/v1/me/tokens/")
    assert [row["prefix"] for row in listing.json()] == [token.prefix]
    assert key not in listing.content.decode() and "key" not in listing.json()[0]
    assert AuditEvent.objects.filter(action="api_token.created", actor=site_manager).exists()


def test_the_key_is_stored_only_as_its_hash(expert):
    token, key = api_token_create(user=expert, name="laptop", otp_verified=False)
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    # no column of the row holds the key, nor its secret part
    # "glt_" + prefix + "_" + secret, and the secret itself may hold "_" (URL-safe base64): split at the
    # first two (splitting at the last one took a tail such as "c", found in any hex hash: a flaky failure)
    secret = key.split("_", 2)[2]
    assert len(secret) == 43
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_apitoken WHERE id = %s", [token.pk])
        row = " ".join(str(value) for value in cursor.fetchone())
    assert key not in row and secret not in row


def test_a_token_works_with_token_or_bearer_and_records_its_use(expert):
    token, key = api_token_create(user=expert, name="laptop", otp_verified=False)
    assert _get(key).status_code == 200
    assert _get(key, scheme="Bearer").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_token_of_someone_without_the_two_factor_rule_never_looks_up_authenticators(expert, settings):
    # given the rule on (as in production), and an expert, whom it does not cover
    from django.test.utils import CaptureQueriesContext

    settings.TWO_FACTOR_REQUIRED_FOR_STAFF = True
    token, key = api_token_create(user=expert, name="laptop", otp_verified=False)
    # when the token is used
    with CaptureQueriesContext(connection) as queries:
        assert _get(key).status_code == 200
    # then no request asked for TOTP devices (a query per API call for nobody's benefit)
    assert not [q for q in queries.captured_queries if "otp_totp" in q["sql"]]


@pytest.mark.parametrize("bad", ["glt_00000000_not-a-real-key", "", "two words"])
def test_an_unknown_or_malformed_key_is_refused(expert, bad):
    response = _get(bad)
    assert response.status_code in (401, 403)
    assert response.json()["code"] in ("token_invalid", "not_authenticated")


def test_an_expired_token_is_refused(expert):
    token, key = api_token_create(user=expert, name="laptop", expires_in_days=7, otp_verified=False)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=7, minutes=1)):
        response = _get(key)
    assert response.status_code == 403 and response.json()["code"] == "token_expired"


def test_a_revoked_token_is_refused_and_revoking_is_audited(expert):
    token, key = api_token_create(user=expert, name="laptop", otp_verified=False)
    response = _session(expert).post(f"/api/v1/me/tokens/{token.pk}/revoke/")
    assert response.status_code == 200 and response.json()["revoked"] is True
    assert AuditEvent.objects.filter(action="api_token.revoked", actor=expert, target_id=str(token.pk)).exists()
    refused = _get(key)
    assert refused.status_code == 403 and refused.json()["code"] == "token_revoked"


def test_a_token_of_a_disabled_account_is_refused(expert):
    _token, key = api_token_create(user=expert, name="laptop", otp_verified=False)
    expert.is_active = False
    expert.save(update_fields=["is_active"])
    assert _get(key).json()["code"] == "account_disabled"


def test_a_read_only_token_reads_but_never_writes(site_manager, area):
    from assessments.models import Assessment

    _token, key = api_token_create(user=site_manager, name="dashboard", read_only=True, otp_verified=False)
    assert _get(key).status_code == 200
    # an unsafe request is refused before the view runs, with a clear reason
    response = _post(key, API, {"protected_area": area.pk, "year": 2030})
    assert response.status_code == 403
    assert response.json()["code"] == "token_read_only"
    assert "read-only" in response.json()["detail"]
    assert not Assessment.objects.exists()


def test_a_token_cannot_create_tokens(expert):
    # a leaked token cannot extend its own life
    _token, key = api_token_create(user=expert, name="laptop", otp_verified=False)
    response = _post(key, "/api/v1/me/tokens/", {"name": "another"})
    assert response.status_code == 403 and response.json()["code"] == "session_required"
    assert ApiToken.objects.filter(user=expert).count() == 1


def test_nobody_revokes_someone_elses_token_through_the_api_or_the_page(expert, staff, admin_user):
    token, key = api_token_create(user=expert, name="laptop", otp_verified=False)
    for user in (staff, admin_user):
        client = _session(user)
        assert client.post(f"/api/v1/me/tokens/{token.pk}/revoke/").status_code == 404
        assert client.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 404
    with pytest.raises(NotAllowed):
        api_token_revoke(token=token, by=staff)
    assert _get(key).status_code == 200


@pytest.mark.parametrize("days", [0, -1, 366, 10_000])
def test_a_token_lasts_a_year_at_most(expert, days):
    with pytest.raises(DomainError) as excinfo:
        api_token_create(user=expert, name="laptop", expires_in_days=days, otp_verified=False)
    assert excinfo.value.code == "api_token_expiry_invalid"
    response = _session(expert).post("/api/v1/me/tokens/", {"name": "laptop", "expires_in_days": days})
    assert response.status_code == 400 and response.json()["code"] == "invalid"


def test_a_token_needs_a_name(expert):
    response = _session(expert).post("/api/v1/me/tokens/", {"name": "   "})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_a_person_holds_a_limited_number_of_tokens(expert, settings):
    settings.API_TOKEN_MAX_PER_PERSON = 2
    for n in range(2):
        api_token_create(user=expert, name=f"t{n}", otp_verified=False)
    response = _session(expert).post("/api/v1/me/tokens/", {"name": "one more"})
    assert response.status_code == 400 and response.json()["code"] == "api_token_too_many"


# --- the two-factor rule ------------------------------------------------------------------------


def _code(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_staff_who_must_use_two_factor_create_tokens_only_from_a_verified_session(staff, settings):
    settings.TWO_FACTOR_REQUIRED_FOR_STAFF = True
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    # the service refuses an unverified session whatever the path
    with pytest.raises(NotAllowed) as excinfo:
        api_token_create(user=staff, name="script", otp_verified=False)
    assert excinfo.value.code == "two_factor_required"
    # logged in with the password only: the API is closed until the second factor
    client = Client()
    client.login(username=staff.email, password=DEFAULT_PASSWORD)
    response = client.post("/api/v1/me/tokens/", {"name": "script"})
    assert response.status_code == 403 and response.json()["code"] == "two_factor_required"
    assert not ApiToken.objects.exists()
    # with the authenticator confirmed and the session verified, it works
    device = TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)
    assert client.post("/accounts/2fa/verify/", {"token": _code(device)}).status_code == 302
    response = client.post("/api/v1/me/tokens/", {"name": "script"})
    assert response.status_code == 201
    assert _get(response.json()["key"]).status_code == 200


def test_a_token_stops_working_while_its_owner_must_but_does_not_use_two_factor(staff, settings):
    # given a staff member's token made before two-factor login was required
    _token, key = api_token_create(user=staff, name="script", otp_verified=False)
    assert _get(key).status_code == 200
    # when the platform requires it and they have no authenticator: refused
    settings.TWO_FACTOR_REQUIRED_FOR_STAFF = True
    response = _get(key)
    assert response.status_code == 403 and response.json()["code"] == "two_factor_required"
    # once they have one, the token works again
    TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)
    assert _get(key).status_code == 200


def test_a_person_with_an_authenticator_creates_tokens_only_from_a_verified_session(expert):
    TOTPDevice.objects.create(user=expert, name="phone", confirmed=True)
    with pytest.raises(NotAllowed):
        api_token_create(user=expert, name="script", otp_verified=False)
    token, _key = api_token_create(user=expert, name="script", otp_verified=True)
    assert token.user == expert
