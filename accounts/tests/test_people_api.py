"""The staff API for people, role assignments, accreditations and invitations: the pages' and the
admin's rules (accounts.rules), the same services, an audit row for each change."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from accounts import rules
from accounts.choices import Role
from accounts.models import Invitation, RoleAssignment, User
from accounts.services import api_token_create, role_grant
from accounts.tests.factories import make_user
from audit.models import AuditEvent
from core.models import OutgoingEmail

pytestmark = pytest.mark.django_db

PEOPLE = "/api/v1/people/"
ROLES = "/api/v1/role-assignments/"
ACCREDITATIONS = "/api/v1/accreditations/"
INVITATIONS = "/api/v1/invitations/"


def _as(user, *, read_only: bool = False) -> Client:
    """A client with the person's own API token, as a staff script would use it."""
    _token, key = api_token_create(user=user, name="automation", read_only=read_only, otp_verified=False)
    return Client(headers={"Authorization": f"Token {key}"})


def _patch(client, url, data):
    return client.patch(url, data, content_type="application/json")


def _post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def _audited(action: str, target) -> int:
    return AuditEvent.objects.filter(action=action, target_id=str(target.pk)).count()


# --- people ---------------------------------------------------------------------------------------


def test_staff_list_and_search_everybody_without_secrets(staff, expert, site_manager):
    # given staff with a token
    client = _as(staff)
    # when they list people
    response = client.get(PEOPLE)
    # then everybody is there, with their roles, and nothing secret
    assert response.status_code == 200
    body = response.json()
    emails = {row["email"] for row in body["results"]}
    assert {"staff@example.org", "expert@example.org", "manager@example.org"} <= emails
    text = response.content.decode()
    for secret in ("password", "pbkdf2", "last_login", "is_superuser", "glt_", "token"):
        assert secret not in text
    expert_row = next(row for row in body["results"] if row["email"] == "expert@example.org")
    assert [(r["role"], r["jurisdiction_name"], r["active"]) for r in expert_row["roles"]] == [
        ("expert", "Viet Nam", True)
    ]
    # and they can search and filter by a role held today
    found = client.get(PEOPLE, {"search": "EXPERT@"}).json()["results"]
    assert [row["email"] for row in found] == ["expert@example.org"]
    managers = client.get(PEOPLE, {"role": "site_manager"}).json()["results"]
    assert [row["email"] for row in managers] == ["manager@example.org"]


def test_anybody_else_sees_only_themselves(site_manager, expert, staff):
    for person in (site_manager, expert):
        client = _as(person)
        assert [row["id"] for row in client.get(PEOPLE).json()["results"]] == [person.pk]
        assert client.get(f"{PEOPLE}{person.pk}/").status_code == 200
        # another person (staff included) is not found, as a missing one
        assert client.get(f"{PEOPLE}{staff.pk}/").status_code == 404
    assert Client().get(PEOPLE).status_code == 403


def test_an_administrator_disables_an_account_and_its_token_stops_working(admin_user, expert):
    # given an expert's script token
    _token, key = api_token_create(user=expert, name="sync", otp_verified=False)
    assert Client(headers={"Authorization": f"Token {key}"}).get(PEOPLE).status_code == 200
    # when an administrator disables the account and corrects the organisation
    response = _patch(_as(admin_user), f"{PEOPLE}{expert.pk}/", {"is_active": False, "organisation": "IUCN"})
    # then
    assert response.status_code == 200, response.content
    assert response.json()["is_active"] is False and response.json()["organisation"] == "IUCN"
    expert.refresh_from_db()
    assert not expert.is_active
    event = AuditEvent.objects.get(action="person.updated", target_id=str(expert.pk))
    assert event.actor == admin_user and event.data == {"fields": ["is_active", "organisation"], "is_active": False}
    refused = Client(headers={"Authorization": f"Token {key}"}).get(PEOPLE)
    assert refused.status_code == 403 and refused.json()["code"] == "account_disabled"


def test_only_administrators_change_people(staff, expert, site_manager, admin_user):
    # staff see everybody but change nobody (as in the admin); nobody else changes even themselves
    for by, person in ((staff, expert), (expert, expert)):
        response = _patch(_as(by), f"{PEOPLE}{person.pk}/", {"language": "not-a-language"})
        assert response.status_code == 403 and response.json()["code"] == "not_administrator"
    # someone the person may not see: not found
    assert _patch(_as(site_manager), f"{PEOPLE}{expert.pk}/", {"full_name": "X"}).status_code == 404
    # no PUT: the e-mail address and the roles are not changed here
    assert _as(admin_user).put(f"{PEOPLE}{expert.pk}/", {}, content_type="application/json").status_code == 405
    assert AuditEvent.objects.filter(action="person.updated").count() == 0


def test_bad_person_changes_are_refused_with_a_code(admin_user, expert):
    client = _as(admin_user)
    response = _patch(client, f"{PEOPLE}{expert.pk}/", {"language": "xx"})
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    assert "language" in response.json()["errors"]
    response = _patch(client, f"{PEOPLE}{admin_user.pk}/", {"is_active": False})
    assert response.status_code == 400 and response.json()["code"] == "person_unchangeable"
    admin_user.refresh_from_db()
    assert admin_user.is_active


def test_a_read_only_token_cannot_change_anything(admin_user, staff, expert, jurisdiction):
    response = _patch(_as(admin_user, read_only=True), f"{PEOPLE}{expert.pk}/", {"organisation": "X"})
    assert response.status_code == 403 and response.json()["code"] == "token_read_only"
    reader = _as(staff, read_only=True)
    assert reader.get(ROLES).status_code == 200
    response = _post(reader, ROLES, {"user": expert.pk, "role": "independent_reviewer"})
    assert response.status_code == 403 and response.json()["code"] == "token_read_only"
    assert not RoleAssignment.objects.filter(user=expert, role=Role.INDEPENDENT_REVIEWER).exists()


# --- role assignments -----------------------------------------------------------------------------


def test_staff_give_a_role_through_the_service_and_it_is_audited(staff, outsider, jurisdiction):
    # when staff make an existing person an expert of a jurisdiction's group, chairing it
    until = timezone.localdate() + datetime.timedelta(days=365)
    response = _post(
        _as(staff),
        ROLES,
        {
            "user": outsider.pk,
            "role": "expert",
            "jurisdiction": jurisdiction.pk,
            "is_chair": True,
            "valid_until": str(until),
        },
    )
    # then the person holds it at once, and the grant is in the audit trail
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["user_email"], body["role"], body["jurisdiction_name"], body["is_chair"], body["active"]) == (
        "outsider@example.org",
        "expert",
        "Viet Nam",
        True,
        True,
    )
    assert body["valid_until"] == str(until) and body["granted_by"] == staff.pk
    fresh = User.objects.get(pk=outsider.pk)
    assert rules.chairs_group_for(fresh, jurisdiction.pk)
    assignment = RoleAssignment.objects.get(pk=body["id"])
    assert AuditEvent.objects.get(action="role.granted", target_id=str(assignment.pk)).actor == staff


def test_only_administrators_give_the_administrator_role(staff, admin_user, outsider):
    # staff may not make anybody (themselves included) an administrator
    for person in (outsider, staff):
        response = _post(_as(staff), ROLES, {"user": person.pk, "role": "administrator"})
        assert response.status_code == 403 and response.json()["code"] == "role_not_grantable"
    assert not RoleAssignment.objects.filter(role=Role.ADMINISTRATOR).exclude(user=admin_user).exists()
    # an administrator may
    response = _post(_as(admin_user), ROLES, {"user": outsider.pk, "role": "administrator"})
    assert response.status_code == 201
    outsider.refresh_from_db()
    assert outsider.is_superuser


def test_nobody_else_gives_roles_whatever_the_body(site_manager, expert, reviewer, outsider):
    for person in (site_manager, expert, reviewer):
        client = _as(person)
        # refused before the body is read: the same 403 for a valid and an invalid body
        for body in ({"user": outsider.pk, "role": "iucn_staff"}, {"role": "nonsense"}):
            response = _post(client, ROLES, body)
            assert response.status_code == 403 and response.json()["code"] == "not_staff"
    assert not RoleAssignment.objects.filter(user=outsider).exists()
    assert Client().post(ROLES, {"user": outsider.pk, "role": "iucn_staff"}).status_code == 403


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"role": "expert"}, "role_scope_missing"),
        ({"role": "site_manager"}, "role_scope_missing"),
        ({"role": "iucn_staff", "jurisdiction": "JURISDICTION"}, "role_scope_not_allowed"),
        ({"role": "independent_reviewer", "is_chair": True}, "role_scope_not_allowed"),
        ({"role": "iucn_staff", "valid_from": "2030-01-02", "valid_until": "2030-01-01"}, "role_dates_invalid"),
        ({"role": "boss"}, "invalid"),
        ({"role": "iucn_staff", "user": 999999}, "invalid"),
        ({"role": "iucn_staff", "user": "abc"}, "invalid"),
        ({"role": "iucn_staff", "valid_until": "tomorrow"}, "invalid"),
    ],
)
def test_bad_role_bodies_are_a_400_with_a_stable_code(staff, outsider, jurisdiction, body, code):
    body = {"user": outsider.pk, **body}
    if body.get("jurisdiction") == "JURISDICTION":
        body["jurisdiction"] = jurisdiction.pk
    response = _post(_as(staff), ROLES, body)
    assert response.status_code == 400, response.content
    assert response.json()["code"] == code
    assert not RoleAssignment.objects.filter(user=outsider).exists()


def test_a_disabled_account_gets_no_role(staff, outsider):
    User.objects.filter(pk=outsider.pk).update(is_active=False)
    response = _post(_as(staff), ROLES, {"user": outsider.pk, "role": "iucn_staff"})
    assert response.status_code == 400 and response.json()["code"] == "person_inactive"


def test_staff_end_a_site_managers_role_once(staff, site_manager, area):
    seat = RoleAssignment.objects.get(user=site_manager, protected_area=area)
    client = _as(staff)
    # when staff end it
    response = _post(client, f"{ROLES}{seat.pk}/end/")
    # then the manager no longer manages the site, and the ending is audited once
    assert response.status_code == 200
    assert response.json()["revoked_at"] and response.json()["active"] is False
    assert not rules.manages_site(User.objects.get(pk=site_manager.pk), area)
    assert _post(client, f"{ROLES}{seat.pk}/end/").status_code == 200
    assert _audited("role.revoked", seat) == 1


def test_a_person_sees_their_own_roles_but_neither_ends_nor_renews_them(site_manager, other_manager, area):
    seat = RoleAssignment.objects.get(user=site_manager, protected_area=area)
    own = _as(site_manager)
    assert [row["id"] for row in own.get(ROLES).json()["results"]] == [seat.pk]
    assert own.get(f"{ROLES}{seat.pk}/").status_code == 200
    for action, body in (("end", {}), ("renew", {"valid_until": "not a date"})):
        response = _post(own, f"{ROLES}{seat.pk}/{action}/", body)
        assert response.status_code == 403 and response.json()["code"] == "not_staff"
        # another site's manager does not even know of it
        assert _post(_as(other_manager), f"{ROLES}{seat.pk}/{action}/", body).status_code == 404
    assert _as(other_manager).get(f"{ROLES}{seat.pk}/").status_code == 404
    seat.refresh_from_db()
    assert seat.revoked_at is None and seat.valid_until is None


def test_staff_may_not_end_an_administrators_role(staff, admin_user):
    seat = RoleAssignment.objects.get(user=admin_user, role=Role.ADMINISTRATOR)
    response = _post(_as(staff), f"{ROLES}{seat.pk}/end/")
    assert response.status_code == 403 and response.json()["code"] == "role_not_grantable"
    seat.refresh_from_db()
    assert seat.revoked_at is None


def test_role_lists_filter_without_widening(staff, site_manager, expert, reviewer):
    client = _as(staff)
    everything = client.get(ROLES).json()
    assert everything["count"] == RoleAssignment.objects.count()
    experts = client.get(ROLES, {"role": "expert"}).json()["results"]
    assert [row["user_email"] for row in experts] == ["expert@example.org"]
    mine = client.get(ROLES, {"user": expert.pk}).json()["results"]
    assert {row["user"] for row in mine} == {expert.pk}
    assert client.get(ROLES, {"active": "false"}).json()["count"] == 0
    # a filter never shows a person more than their own roles
    assert _as(expert).get(ROLES, {"user": site_manager.pk}).json()["count"] == 0
    assert client.get(ROLES, {"user": "abc"}).status_code == 400


def test_the_role_list_costs_the_same_few_queries_for_many_rows(staff, jurisdiction, django_assert_max_num_queries):
    for n in range(30):
        make_user(Role.EXPERT, email=f"e{n}@example.org", jurisdiction=jurisdiction)
    client = _as(staff)
    client.get(ROLES)  # the token's first use is recorded; the next request is the steady state
    with django_assert_max_num_queries(8):
        assert client.get(ROLES).json()["count"] > 30
    with django_assert_max_num_queries(8):
        assert client.get(PEOPLE).json()["count"] > 30


# --- accreditations -------------------------------------------------------------------------------


def test_accreditations_are_the_experts_and_reviewers_roles(staff, expert, reviewer, site_manager):
    rows = _as(staff).get(ACCREDITATIONS).json()["results"]
    assert {(row["user_email"], row["role"]) for row in rows} == {
        ("expert@example.org", "expert"),
        ("reviewer@example.org", "independent_reviewer"),
    }
    # a site manager's role is no accreditation
    seat = RoleAssignment.objects.get(user=site_manager)
    assert _as(staff).get(f"{ACCREDITATIONS}{seat.pk}/").status_code == 404
    # an expert sees their own
    assert [row["user"] for row in _as(expert).get(ACCREDITATIONS).json()["results"]] == [expert.pk]


def test_staff_find_the_accreditations_lapsing_soon_and_renew_one(staff, outsider, jurisdiction):
    # given an expert whose accreditation ends in 30 days
    soon = timezone.localdate() + datetime.timedelta(days=30)
    seat = role_grant(user=outsider, role=Role.EXPERT, granted_by=None, jurisdiction=jurisdiction, valid_until=soon)
    client = _as(staff)
    # then it is among those lapsing within 60 days, not within 10
    assert [row["id"] for row in client.get(ACCREDITATIONS, {"lapsing_within": 60}).json()["results"]] == [seat.pk]
    assert client.get(ACCREDITATIONS, {"lapsing_within": 10}).json()["count"] == 0
    assert client.get(ACCREDITATIONS, {"lapsing_within": -1}).status_code == 400
    # when staff renew it for two years
    later = soon + datetime.timedelta(days=730)
    response = _post(client, f"{ACCREDITATIONS}{seat.pk}/renew/", {"valid_until": str(later)})
    # then
    assert response.status_code == 200 and response.json()["valid_until"] == str(later)
    event = AuditEvent.objects.get(action="role.renewed", target_id=str(seat.pk))
    assert event.actor == staff and event.data["from"] == str(soon) and event.data["to"] == str(later)
    assert client.get(ACCREDITATIONS, {"lapsing_within": 60}).json()["count"] == 0


def test_a_renewal_into_the_past_or_of_an_ended_accreditation_is_refused(staff, expert):
    seat = RoleAssignment.objects.get(user=expert, role=Role.EXPERT)
    client = _as(staff)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    response = _post(client, f"{ACCREDITATIONS}{seat.pk}/renew/", {"valid_until": str(yesterday)})
    assert response.status_code == 400 and response.json()["code"] == "role_dates_invalid"
    assert _post(client, f"{ACCREDITATIONS}{seat.pk}/renew/", {}).json()["code"] == "invalid"
    assert _post(client, f"{ACCREDITATIONS}{seat.pk}/end/").status_code == 200
    response = _post(client, f"{ACCREDITATIONS}{seat.pk}/renew/", {"valid_until": "2099-01-01"})
    assert response.status_code == 409 and response.json()["code"] == "role_ended"
    assert _audited("role.renewed", seat) == 0


def test_staff_grant_accreditations_only_for_accredited_roles(staff, outsider, jurisdiction):
    client = _as(staff)
    response = _post(client, ACCREDITATIONS, {"user": outsider.pk, "role": "iucn_staff"})
    assert response.status_code == 400 and response.json()["code"] == "accreditation_role_invalid"
    # no protected area here: an accreditation is held in a jurisdiction or platform-wide
    response = _post(
        client, ACCREDITATIONS, {"user": outsider.pk, "role": "independent_reviewer", "valid_until": "2099-12-31"}
    )
    assert response.status_code == 201 and response.json()["protected_area"] is None
    assert rules.is_independent_reviewer(User.objects.get(pk=outsider.pk))
    assert _post(_as(outsider), ACCREDITATIONS, {"role": "x"}).json()["code"] == "not_staff"


# --- invitations ----------------------------------------------------------------------------------


def test_staff_invite_through_the_service_that_queues_the_email(staff, area):
    # when staff invite a new site manager
    response = _post(
        _as(staff), INVITATIONS, {"email": "Newcomer@Example.org", "role": "site_manager", "protected_area": area.pk}
    )
    # then the invitation is made and its e-mail queued in the outbox, with the link only there
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["email"], body["status"], body["protected_area_name"]) == (
        "newcomer@example.org",
        "pending",
        area.name,
    )
    invitation = Invitation.objects.get(pk=body["id"])
    email = OutgoingEmail.objects.get(kind="invitation")
    assert email.to == ["newcomer@example.org"] and "/accounts/invite/" in email.body
    link_token = email.body.split("/accounts/invite/")[1].split("/")[0]
    assert link_token not in response.content.decode() and "token" not in body
    assert AuditEvent.objects.filter(action="invitation.created", target_id=str(invitation.pk), actor=staff).exists()
    # and it is listed
    assert [row["id"] for row in _as(staff).get(INVITATIONS).json()["results"]] == [invitation.pk]


def test_invitations_are_staff_business(site_manager, expert, staff, area):
    for person in (site_manager, expert):
        client = _as(person)
        assert client.get(INVITATIONS).json()["code"] == "not_staff"
        response = _post(client, INVITATIONS, {"email": "x@example.org", "role": "iucn_staff"})
        assert response.status_code == 403 and response.json()["code"] == "not_staff"
    assert not Invitation.objects.exists() and not OutgoingEmail.objects.exists()


def test_staff_may_not_invite_an_administrator_but_an_administrator_may(staff, admin_user):
    response = _post(_as(staff), INVITATIONS, {"email": "boss@example.org", "role": "administrator"})
    assert response.status_code == 403 and response.json()["code"] == "role_not_grantable"
    assert not Invitation.objects.exists()
    assert (
        _post(_as(admin_user), INVITATIONS, {"email": "boss@example.org", "role": "administrator"}).status_code == 201
    )


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"email": "x@example.org", "role": "site_manager"}, "role_scope_missing"),
        ({"email": "not an address", "role": "iucn_staff"}, "invalid"),
        ({"email": "x@example.org", "role": "iucn_staff", "protected_area": 999999}, "invalid"),
    ],
)
def test_bad_invitations_are_a_400_with_a_stable_code(staff, body, code):
    response = _post(_as(staff), INVITATIONS, body)
    assert response.status_code == 400 and response.json()["code"] == code
    assert not Invitation.objects.exists()


def test_the_invitations_page_applies_the_same_rule(staff, admin_user):
    # given staff on the invitations page, choosing the administrator role
    client = Client()
    client.force_login(staff)
    response = client.post("/accounts/invitations/", {"email": "boss@example.org", "role": "administrator"})
    # then the page refuses with the rule's reason (403), as the API does, and nothing is sent
    assert response.status_code == 403
    assert "Only an administrator" in response.content.decode()
    assert not Invitation.objects.exists() and not OutgoingEmail.objects.exists()
    # while an administrator may
    client.force_login(admin_user)
    response = client.post("/accounts/invitations/", {"email": "boss@example.org", "role": "administrator"})
    assert response.status_code == 302 and Invitation.objects.filter(role=Role.ADMINISTRATOR).count() == 1
