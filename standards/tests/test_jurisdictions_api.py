"""Jurisdictions over the API: read by anyone logged in, added and changed by whoever the admin lets
(IUCN staff and administrators: accounts.rules.can_edit_jurisdictions), each change audited."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.services import api_token_create
from audit.models import AuditEvent
from standards.models import Jurisdiction

pytestmark = pytest.mark.django_db

URL = "/api/v1/jurisdictions/"


def _as(user, *, read_only: bool = False) -> Client:
    _token, key = api_token_create(user=user, name="automation", read_only=read_only, otp_verified=False)
    return Client(headers={"Authorization": f"Token {key}"})


def _post(client, data):
    return client.post(URL, data, content_type="application/json")


def _patch(client, pk, data):
    return client.patch(f"{URL}{pk}/", data, content_type="application/json")


def test_anyone_logged_in_reads_and_filters_jurisdictions(site_manager, expert, jurisdiction):
    Jurisdiction.objects.create(code="la", name="Lao PDR", countries=["LAO"])
    for person in (site_manager, expert):
        client = _as(person)
        body = client.get(URL).json()
        assert [row["code"] for row in body["results"]] == ["la", "vn"]
        assert client.get(f"{URL}{jurisdiction.pk}/").json() == {
            "id": jurisdiction.pk,
            "code": "vn",
            "name": "Viet Nam",
            "countries": ["VNM"],
        }
        assert [row["code"] for row in client.get(URL, {"country": "vnm"}).json()["results"]] == ["vn"]
        assert [row["code"] for row in client.get(URL, {"search": "LAO"}).json()["results"]] == ["la"]
        assert client.get(URL, {"country": "VIETNAM"}).status_code == 400
    assert Client().get(URL).status_code == 403
    assert _as(expert).get(f"{URL}999999/").status_code == 404


def test_staff_add_a_jurisdiction_and_it_is_audited(staff):
    # when staff add one (the code and countries in any case)
    response = _post(_as(staff), {"code": "KH", "name": " Cambodia ", "countries": ["khm", "KHM"]})
    # then it is stored tidied, and the addition is in the audit trail
    assert response.status_code == 201, response.content
    jurisdiction = Jurisdiction.objects.get(pk=response.json()["id"])
    assert (jurisdiction.code, jurisdiction.name, jurisdiction.countries) == ("kh", "Cambodia", ["KHM"])
    event = AuditEvent.objects.get(action="jurisdiction.created", target_id=str(jurisdiction.pk))
    assert event.actor == staff and event.data["countries"] == ["KHM"]


def test_staff_change_a_jurisdiction_and_the_change_is_audited(staff, admin_user, jurisdiction):
    response = _patch(_as(staff), jurisdiction.pk, {"name": "Việt Nam", "countries": ["VNM", "LAO"]})
    assert response.status_code == 200, response.content
    jurisdiction.refresh_from_db()
    assert (jurisdiction.name, jurisdiction.countries) == ("Việt Nam", ["VNM", "LAO"])
    event = AuditEvent.objects.get(action="jurisdiction.updated", target_id=str(jurisdiction.pk))
    assert event.actor == staff
    assert event.data == {
        "before": {"name": "Viet Nam", "countries": ["VNM"]},
        "after": {"name": "Việt Nam", "countries": ["VNM", "LAO"]},
    }
    # the same values again change nothing and write nothing
    assert _patch(_as(admin_user), jurisdiction.pk, {"name": "Việt Nam"}).status_code == 200
    assert AuditEvent.objects.filter(action="jurisdiction.updated").count() == 1


def test_nobody_else_adds_or_changes_jurisdictions_whatever_the_body(site_manager, expert, reviewer, jurisdiction):
    for person in (site_manager, expert, reviewer):
        client = _as(person)
        for body in ({"code": "zz", "name": "Zed"}, {"code": "not a slug!"}):
            response = _post(client, body)
            assert response.status_code == 403 and response.json()["code"] == "not_staff"
            response = _patch(client, jurisdiction.pk, body)
            assert response.status_code == 403 and response.json()["code"] == "not_staff"
    assert Client().post(URL, {"code": "zz", "name": "Zed"}).status_code == 403
    jurisdiction.refresh_from_db()
    assert jurisdiction.code == "vn" and not Jurisdiction.objects.filter(code="zz").exists()
    assert not AuditEvent.objects.filter(action__startswith="jurisdiction.").exists()


def test_a_read_only_token_adds_nothing(staff):
    response = _post(_as(staff, read_only=True), {"code": "zz", "name": "Zed"})
    assert response.status_code == 403 and response.json()["code"] == "token_read_only"
    assert not Jurisdiction.objects.filter(code="zz").exists()


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"code": "VN", "name": "Again"}, "jurisdiction_code_taken"),
        ({"code": "zz", "name": "Zed", "countries": ["Z1Z"]}, "jurisdiction_countries_invalid"),
        ({"code": "zz", "name": "Zed", "countries": ["ZZ"]}, "jurisdiction_countries_invalid"),
        ({"code": "zz", "name": "Zed", "countries": "ZZZ"}, "invalid"),
        ({"code": "zz", "name": "Zed", "countries": ["ZZZZ"]}, "invalid"),
        ({"code": "not a slug", "name": "Zed"}, "invalid"),
        ({"code": "zz"}, "invalid"),
        ({"code": "zz", "name": ""}, "invalid"),
        ({"code": "zz", "name": "x" * 201}, "invalid"),
    ],
)
def test_bad_bodies_are_a_400_with_a_stable_code(staff, jurisdiction, body, code):
    response = _post(_as(staff), body)
    assert response.status_code == 400, response.content
    assert response.json()["code"] == code
    assert list(Jurisdiction.objects.values_list("code", flat=True)) == ["vn"]


def test_a_change_to_a_code_in_use_is_refused(staff, jurisdiction):
    other = Jurisdiction.objects.create(code="la", name="Lao PDR", countries=["LAO"])
    response = _patch(_as(staff), other.pk, {"code": "VN"})
    assert response.status_code == 400 and response.json()["code"] == "jurisdiction_code_taken"
    other.refresh_from_db()
    assert other.code == "la"


def test_jurisdictions_are_not_deleted_or_replaced(admin_user, jurisdiction):
    client = _as(admin_user)
    assert client.delete(f"{URL}{jurisdiction.pk}/").status_code == 405
    assert client.put(f"{URL}{jurisdiction.pk}/", {}, content_type="application/json").status_code == 405
    assert Jurisdiction.objects.filter(pk=jurisdiction.pk).exists()
