"""Schemathesis against our own OpenAPI schema, as an authenticated IUCN staff member and as
an anonymous visitor: no 5xx, and every response matches the schema."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
)

from greenlist.wsgi import application

# A resumable upload's pieces (tus PATCH) are raw bytes in tus's own media type: fuzzed as such.
schemathesis.openapi.media_type("application/offset+octet-stream", st.binary(max_size=256))
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application)
# What the issue asks: no 5xx, and responses that match the documented schema and media type.
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]

FUZZ_SETTINGS = settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(autouse=True)
def _keep_the_test_transaction_open():
    """The WSGI handler closes DB connections at each request's end; Django's test client stops it
    from doing so (the test runs in a transaction), and so must we."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def staff_token(db):
    from accounts.choices import Role
    from accounts.services import api_token_create
    from accounts.tests.factories import make_user
    from protected_areas.tests.factories import ProtectedAreaFactory

    ProtectedAreaFactory.create_batch(3)
    user = make_user(Role.IUCN_STAFF, email="fuzz-staff@example.org")
    # The person's own token, as they would create it (staff's two-factor rule is off in tests).
    return api_token_create(user=user, name="fuzz", otp_verified=False)[1]


@pytest.mark.fuzz
@schema.parametrize()
@FUZZ_SETTINGS
def test_api_as_staff(case, staff_token):
    # identity: the app is called in-process (WSGI), so nothing would undo the gzip that the platform's
    # middleware applies for a client that accepts it (schemathesis's default headers do).
    headers = {"Authorization": f"Token {staff_token}", "Accept-Encoding": "identity"}
    case.call_and_validate(headers=headers, checks=CHECKS)


@pytest.mark.fuzz
@schema.parametrize()
@FUZZ_SETTINGS
def test_api_as_anonymous(case, db):
    case.call_and_validate(headers={"Accept-Encoding": "identity"}, checks=CHECKS)
