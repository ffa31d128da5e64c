"""Opening consultation windows (issue 16): the listed phase on a site whose certificate is active,
refused otherwise; and the site picker staff open a window with (by name or WDPA id, server-side)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from certification.models import Certificate
from certification.tests.factories import panel_decide_for_tests
from certification.tests.helpers import make_recommended
from core.errors import Conflict, DomainError
from stakeholders import error_codes, services
from stakeholders.choices import Phase

from .factories import accepted_comment, open_window

pytestmark = pytest.mark.django_db


@pytest.fixture
def listed(area, jurisdiction, site_manager, staff):
    """`area` on the Green List: a certificate granted by the Panel, active."""
    from reviews.tests.factories import make_standard

    from accounts.tests.factories import Role, make_user

    make_standard(3)
    review_staff = make_user(Role.IUCN_STAFF)  # who ran the review does not decide
    assessment = make_recommended(area=area, site_manager=site_manager, reviewer=review_staff)
    decision = panel_decide_for_tests(assessment=assessment, user=staff, outcome="granted", public_summary="Well run.")
    return decision.certificate


def test_a_listed_site_hears_its_stakeholders_in_a_window_of_the_listed_phase(
    client, area, listed, site_manager, staff, jurisdiction
):
    # when staff open a window of the listed phase on the site with an active certificate
    window = open_window(area, staff, phase=Phase.LISTED)
    # then it belongs to the certificate, not to an assessment
    assert window.certificate == listed and window.assessment is None
    # and the public comments on it; the accepted comment is public, and the site team reads it
    accepted_comment(window, staff, text="zqLISTEDzq The boardwalk needs repair.")
    assert "zqLISTEDzq" in client.get(reverse("stakeholders:public", args=[area.pk])).content.decode()
    client.force_login(site_manager)
    assert "zqLISTEDzq" in client.get(window.get_absolute_url()).content.decode()
    # and the expert group of the site's jurisdiction may record how it considered it
    from accounts.tests.factories import Role, make_user

    expert = make_user(Role.EXPERT, jurisdiction=jurisdiction)
    comment = window.comments.get()
    services.consideration_record(
        comment=comment, by=expert, text="Raised at the mid-term review.", jurisdiction_id=jurisdiction.pk
    )


def test_a_listed_window_is_refused_without_an_active_certificate_or_beyond_it(area, listed, staff):
    today = timezone.localdate()
    # a window that would outlive the listing: the dates are refused, naming the expiry
    with pytest.raises(DomainError) as err:
        services.window_open(area=area, phase=Phase.LISTED, opens_on=today, closes_on=listed.expires_on, by=staff)
    assert err.value.code == error_codes.CONSULTATION_DATES_INVALID and err.value.field == "closes_on"
    # a suspended listing (set here as the lifecycle would: the Panel's outcome on a concern)
    Certificate.objects.filter(pk=listed.pk).update(status="suspended")
    with pytest.raises(Conflict) as err:
        open_window(area, staff, phase=Phase.LISTED)
    assert err.value.code == error_codes.CONSULTATION_PHASE_MISMATCH and "Suspended" in err.value.message
    # an expired or withdrawn one: the site is not on the Green List
    for status in ("expired", "withdrawn"):
        Certificate.objects.filter(pk=listed.pk).update(status=status)
        with pytest.raises(Conflict) as err:
            open_window(area, staff, phase=Phase.LISTED)
        assert err.value.message == "The site is not on the Green List."
    assert not area.consultation_windows.exists()


def test_the_page_and_the_api_open_a_listed_window(client, api_client, area, listed, staff):
    today = timezone.localdate()
    client.force_login(staff)
    response = client.post(
        reverse("stakeholders:list"),
        {"area": area.pk, "phase": "listed", "opens_on": today, "closes_on": today + datetime.timedelta(days=30)},
    )
    window = area.consultation_windows.get()
    assert response.status_code == 302 and response["Location"] == window.get_absolute_url()
    api_client.force_authenticate(staff)
    later = today + datetime.timedelta(days=60)
    opened = api_client.post(
        reverse("consultation-list"),
        {"protected_area": area.pk, "phase": "listed", "opens_on": later, "closes_on": later},
        format="json",
    )
    assert opened.status_code == 201 and opened.json()["certificate"] == listed.pk
