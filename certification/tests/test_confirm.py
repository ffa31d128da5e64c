"""Suspend and withdraw on the certificate page ask for confirmation before acting (issue 15)."""

import pytest

from certification import services
from certification.models import Certificate, CertificateTransition


def status_url(certificate):
    return f"/certification/certificates/{certificate.number}/status/"


def status_of(certificate):
    return Certificate.objects.get(pk=certificate.pk).status


@pytest.mark.parametrize(
    ("to", "button", "consequence"),
    [
        ("suspended", "Suspend the certificate", "until IUCN staff reinstate it"),
        ("withdrawn", "Withdraw the certificate", "can never be reinstated"),
    ],
)
def test_the_first_submit_only_shows_what_will_happen(client, certificate, staff, to, button, consequence):
    client.force_login(staff)
    page = client.get(certificate.get_absolute_url()).content.decode()
    assert "Suspend…" in page and "Withdraw…" in page and "Reinstate" not in page
    # when staff submit the move once, with a reason
    response = client.post(status_url(certificate), {"to": to, "reason": "Audit <findings>"})
    # then nothing changed, and the confirmation step says what will happen, with the reason kept
    assert response.status_code == 200
    html = response.content.decode()
    assert consequence in html and button in html and "Nothing has changed yet." in html
    assert 'name="confirm" value="yes"' in html and f'name="to" value="{to}"' in html
    assert "Audit &lt;findings&gt;</textarea>" in html  # kept, and escaped
    assert status_of(certificate) == "active"
    assert not CertificateTransition.objects.filter(certificate=certificate, to_status=to).exists()
    # when they confirm
    response = client.post(status_url(certificate), {"to": to, "reason": "Audit findings", "confirm": "yes"})
    # then the move is made, with its reason
    assert response.status_code == 302 and response["Location"] == certificate.get_absolute_url()
    moved = Certificate.objects.get(pk=certificate.pk)
    assert (moved.status, moved.status_reason) == (to, "Audit findings")


def test_the_confirmation_still_needs_a_reason(client, certificate, staff):
    client.force_login(staff)
    response = client.post(status_url(certificate), {"to": "suspended", "reason": "  ", "confirm": "yes"}, follow=True)
    assert "Give the reason for this change." in response.content.decode()
    assert status_of(certificate) == "active"


def test_reinstating_needs_no_confirmation(client, certificate, staff):
    services.certificate_transition(certificate=certificate, user=staff, to="suspended", reason="Audit")
    client.force_login(staff)
    response = client.post(status_url(certificate), {"to": "active", "reason": "Audit closed"})
    assert response.status_code == 302 and status_of(certificate) == "active"


def test_an_impossible_move_is_refused_without_a_confirmation_step(client, certificate, staff):
    services.certificate_transition(certificate=certificate, user=staff, to="withdrawn", reason="Closed")
    client.force_login(staff)
    response = client.post(status_url(certificate), {"to": "suspended", "reason": "Again"})
    assert response.status_code == 409 and "cannot move from" in response.content.decode()
    assert status_of(certificate) == "withdrawn"


@pytest.mark.parametrize("confirm", ["", "yes"])
def test_the_site_team_never_reaches_the_confirmation(client, certificate, site_manager, confirm):
    client.force_login(site_manager)
    response = client.post(status_url(certificate), {"to": "withdrawn", "reason": "x", "confirm": confirm})
    assert response.status_code == 403 and "Withdraw the certificate" not in response.content.decode()
    assert status_of(certificate) == "active"
