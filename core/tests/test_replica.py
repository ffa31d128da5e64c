"""Anonymous reads of the public pages go to the read replica (core.replica); signed-in pages, writes,
tiles and pages not marked stay on the primary. The replica here is the test database itself through
a connection of its own (settings_test), so which connection ran what is seen per connection."""

import pytest
from django.db import connections, router
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.services import api_token_create
from core import replica
from protected_areas.models import ProtectedArea
from protected_areas.tests.factories import ProtectedAreaFactory

# Committed rows: the replica's connection sees what the primary's committed, as a real replica does.
pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


@pytest.fixture
def replica_on(settings):
    settings.READ_REPLICA = True


def fetch(client, url):
    """The response, and the SQL each connection ran for it."""
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as copy,
    ):
        response = client.get(url)
    return response, [q["sql"] for q in primary], [q["sql"] for q in copy]


def test_anonymous_visitors_read_the_public_pages_from_the_replica(client, replica_on):
    area = ProtectedAreaFactory(name="Phong Dien Nature Reserve")
    for url in (
        reverse("protected_areas:list"),
        reverse("protected_areas:detail", args=[area.pk]),
        reverse("certification:green-list"),
        reverse("certification:feed-csv"),
    ):
        response, primary, copy = fetch(client, url)
        assert response.status_code == 200, url
        assert copy, f"{url} read nothing from the replica"
        # What the ORM read came from the replica: the primary saw no ORM query of the areas' table (raw
        # SQL, such as the list's row estimate from the catalogue, stays on the primary's connection).
        assert not [sql for sql in primary if 'FROM "protected_areas_protectedarea"' in sql], url
    assert "Phong Dien Nature Reserve" in fetch(client, reverse("protected_areas:list"))[0].content.decode()


def test_scripts_read_the_public_api_from_the_replica(client, replica_on):
    # The same public data through the API (registries, maps, scripts): its DRF views are marked.
    area = ProtectedAreaFactory(name="Phong Dien Nature Reserve")
    for url in (
        "/api/v1/protected-areas/",
        f"/api/v1/protected-areas/{area.pk}/",
        "/api/v1/green-list/",
        "/api/v1/green-list/map/",
        "/api/v1/green-list/feed/",
    ):
        response, primary, copy = fetch(client, url)
        assert response.status_code == 200, url
        assert copy, f"{url} read nothing from the replica"
        assert not [sql for sql in primary if 'FROM "protected_areas_protectedarea"' in sql], url
    assert fetch(client, f"/api/v1/protected-areas/{area.pk}/")[0].json()["properties"]["name"] == area.name


def test_signed_in_pages_tiles_and_unmarked_pages_read_the_primary(client, replica_on, staff):
    area = ProtectedAreaFactory(name="Phong Dien Nature Reserve")
    # A certificate's verification (a suspension must show at once) and the map tiles (a tile drawn from
    # a lagging copy would be cached for a day) are not marked.
    for url in (reverse("certification:verify", args=["GL-0000"]), reverse("protected_areas:tile", args=[0, 0, 0])):
        assert not fetch(client, url)[2], url
    assert not fetch(client, "/api/v1/verify/GL-0000/")[2]
    # A script with a token is someone, checked by the API view after the middleware: the primary, for
    # the data and for a token made a moment ago.
    _token, key = api_token_create(user=staff, name="script", otp_verified=True)
    response, primary, copy = fetch(Client(HTTP_AUTHORIZATION=f"Token {key}"), "/api/v1/protected-areas/")
    assert response.status_code == 200 and primary and not copy
    # A signed-in person sees what they just saved: their pages read the primary.
    client.force_login(staff)
    response, primary, copy = fetch(client, reverse("protected_areas:detail", args=[area.pk]))
    assert response.status_code == 200 and primary and not copy
    response, primary, copy = fetch(client, "/api/v1/protected-areas/")
    assert response.status_code == 200 and primary and not copy


def test_without_a_replica_everything_reads_the_primary(client):
    ProtectedAreaFactory(name="Phong Dien Nature Reserve")
    response, primary, copy = fetch(client, reverse("protected_areas:list"))
    assert response.status_code == 200 and primary and not copy


def test_writes_go_to_the_primary_even_for_an_object_read_from_the_replica():
    area = ProtectedAreaFactory(name="Phong Dien Nature Reserve")
    token = replica._reads_from_replica.set(True)
    try:
        read = ProtectedArea.objects.get(pk=area.pk)
        assert read._state.db == replica.REPLICA
        assert router.db_for_write(ProtectedArea, instance=read) == "default"
    finally:
        replica._reads_from_replica.reset(token)
    assert not router.allow_migrate(replica.REPLICA, "protected_areas")
