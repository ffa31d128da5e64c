import re

import pytest
from django.core import mail

from accounts.models import Invitation, RoleAssignment, User
from accounts.tests.factories import DEFAULT_PASSWORD
from audit.models import AuditEvent
from core.models import OutgoingEmail
from core.tests.outbox import deliver_queued_emails

pytestmark = pytest.mark.django_db


def test_login_with_email_case_insensitive(client, site_manager):
    response = client.post("/accounts/login/", {"username": "MANAGER@Example.org", "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert client.get("/").context["user"] == site_manager


def test_wrong_password_shows_an_error_not_a_500(client, site_manager):
    response = client.post("/accounts/login/", {"username": site_manager.email, "password": "nope"})
    assert response.status_code == 200
    assert "enter a correct e-mail address and password" in response.content.decode().lower()


@pytest.mark.parametrize("who", ["outsider", "site_manager", "expert", "reviewer"])
def test_only_staff_can_invite(client, request, who):
    user = request.getfixturevalue(who)
    client.login(username=user.email, password=DEFAULT_PASSWORD)
    assert client.get("/accounts/invitations/").status_code == 403
    response = client.post("/accounts/invitations/", {"email": "x@example.org", "role": "iucn_staff"})
    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_anonymous_is_sent_to_login_for_invitations(client):
    response = client.get("/accounts/invitations/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_staff_invite_from_the_page_queues_the_email_after_commit(
    client, staff, area, django_capture_on_commit_callbacks
):
    client.login(username=staff.email, password=DEFAULT_PASSWORD)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            "/accounts/invitations/",
            {"email": "New.Manager@Example.org", "role": "site_manager", "protected_area": area.pk},
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.email == "new.manager@example.org"
    assert invitation.protected_area == area
    assert len(callbacks) == 1  # the e-mail task is queued only once the invitation is committed
    # the e-mail itself is in the outbox, in the same transaction as the invitation
    assert OutgoingEmail.objects.get(kind="invitation").to == ["new.manager@example.org"]
    assert AuditEvent.objects.filter(action="invitation.created", actor=staff).exists()


def test_invitation_journey_from_email_link_to_logged_in_role(client, staff):
    from accounts import services

    # given an invitation whose e-mail the worker sends
    invitation, token = services.invitation_create(
        invited_by=staff, email="second@example.org", role="independent_reviewer"
    )
    assert deliver_queued_emails() == 1
    assert mail.outbox[-1].to == ["second@example.org"]
    body = mail.outbox[-1].body
    match = re.search(r"/accounts/invite/([\w-]+)/", body)
    assert match and match.group(1) == token
    assert invitation.token_hash != token  # only a hash is stored
    # when the invited person sets a password
    assert client.get(f"/accounts/invite/{token}/").status_code == 200
    response = client.post(
        f"/accounts/invite/{token}/",
        {"full_name": "Rae Reviewer", "password": "a-long-passphrase-42", "password_again": "a-long-passphrase-42"},
    )
    # then they are logged in with the role, and the link is used up
    assert response.status_code == 302
    user = User.objects.get(email="second@example.org")
    assert client.get("/").context["user"] == user
    assert RoleAssignment.objects.active().filter(user=user, role="independent_reviewer").exists()
    assert AuditEvent.objects.filter(action="invitation.accepted", actor=user).exists()
    again = client.get(f"/accounts/invite/{token}/")
    assert again.status_code == 410
    assert "already been used" in again.content.decode()


def test_weak_password_is_refused_next_to_the_field_and_invitation_stays_usable(client, staff):
    from accounts import services

    _inv, token = services.invitation_create(invited_by=staff, email="weak@example.org", role="iucn_staff")
    response = client.post(f"/accounts/invite/{token}/", {"full_name": "W", "password": "123", "password_again": "123"})
    assert response.status_code == 200
    assert "too short" in response.content.decode()
    assert not User.objects.filter(email="weak@example.org").exists()
    assert client.get(f"/accounts/invite/{token}/").status_code == 200


def test_unknown_or_malformed_invitation_token_says_so(client):
    for token in ["nope", "a" * 43, "%2e%2e"]:
        response = client.get(f"/accounts/invite/{token}/")
        assert response.status_code == 410
        assert "not valid" in response.content.decode()


def test_expired_invitation_says_expired(client, staff):
    from django.utils import timezone

    from accounts import services

    inv, token = services.invitation_create(invited_by=staff, email="late@example.org", role="iucn_staff")
    Invitation.objects.filter(pk=inv.pk).update(expires_at=timezone.now() - timezone.timedelta(minutes=1))
    response = client.get(f"/accounts/invite/{token}/")
    assert response.status_code == 410
    assert "expired" in response.content.decode()


def test_site_manager_invitation_without_area_is_refused_next_to_the_form(client, staff):
    client.login(username=staff.email, password=DEFAULT_PASSWORD)
    response = client.post("/accounts/invitations/", {"email": "x@example.org", "role": "site_manager"})
    assert response.status_code == 200
    assert "needs a protected area" in response.content.decode()
    assert not Invitation.objects.exists()


def test_the_invitation_is_written_in_the_inviters_language_even_from_an_english_page(client, staff):
    from django.utils import translation

    from accounts import services

    # given a French-speaking staff member working in an English page
    staff.language = "fr"
    staff.save(update_fields=["language"])
    with translation.override("en"):
        services.invitation_create(invited_by=staff, email="fr@example.org", role="iucn_staff")
    # then the stored and sent e-mail is in French
    assert deliver_queued_emails() == 1
    assert mail.outbox[-1].subject == "Votre invitation sur la plateforme de la Liste verte de l’UICN"
