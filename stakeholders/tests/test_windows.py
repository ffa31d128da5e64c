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
    from accounts.tests.factories import Role, make_user
    from reviews.tests.factories import make_standard

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


# --- the site picker -------------------------------------------------------------------------------


@pytest.fixture
def candidates(jurisdiction, staff):
    """Three candidate sites, two of them sharing a word of their names."""
    from accounts.tests.factories import Role, make_user
    from protected_areas.tests.factories import ProtectedAreaFactory

    from .factories import candidate

    sites = [
        ProtectedAreaFactory(name="Bach Ma National Park", wdpa_id=10234),
        ProtectedAreaFactory(name="Bach Ma Extension", wdpa_id=555_000_111),
        ProtectedAreaFactory(name="Cat Tien", wdpa_id=861),
    ]
    for site in sites:
        candidate(site, make_user(Role.SITE_MANAGER, protected_area=site), staff)
    return sites


def _open(client, **fields):
    today = timezone.localdate()
    data = {"phase": "candidate", "opens_on": today, "closes_on": today + datetime.timedelta(days=10), **fields}
    return client.post(reverse("stakeholders:list"), data)


def test_without_script_staff_name_the_site_or_its_wdpa_id_and_choose_among_namesakes(client, candidates, staff):
    park, extension, cat_tien = candidates
    client.force_login(staff)
    # a WDPA id, or a name matching one site, opens the window on it
    assert _open(client, site="555000111").status_code == 302
    assert _open(client, site="  cat   tien ").status_code == 302
    assert [w.protected_area for w in services.ConsultationWindow.objects.order_by("pk")] == [extension, cat_tien]
    # part of a name shared by two sites: the form lists both to choose from, nothing is opened
    response = _open(client, site="Bach", note="zqKEPTzq")
    page = response.content.decode()
    assert response.status_code == 400 and "Several sites match “Bach”: choose one." in page
    assert f'name="area" value="{park.pk}"' in page and f'name="area" value="{extension.pk}"' in page
    assert "zqKEPTzq" in page  # what was typed is kept
    # the choice opens it (the exact name would too)
    assert _open(client, area=park.pk).status_code == 302
    assert park.consultation_windows.count() == 1
    # an unknown site is a clear error on the site field, and nothing is opened
    for fields, message in (
        ({"site": "Nowhere Reserve"}, "No site matches “Nowhere Reserve”"),
        ({"site": ""}, "Give the site: its name or its WDPA id."),
        ({"area": "999999", "site": "Cat Tien"}, "No site has the number “999999”."),
        ({"area": "1 OR 1=1"}, "No site has the number"),
    ):
        response = _open(client, **fields)
        assert response.status_code == 400 and message in response.content.decode(), fields
    assert services.ConsultationWindow.objects.count() == 3


def test_the_picker_searches_for_staff_only(api_client, candidates, staff, site_manager, expert):
    park, extension, cat_tien = candidates
    url = reverse("consultation-sites")
    api_client.force_authenticate(staff)
    # by part of a name, exact names first; by WDPA id
    found = api_client.get(url, {"q": "bach ma"}).json()
    assert [s["name"] for s in found] == ["Bach Ma Extension", "Bach Ma National Park"]
    assert found[1] == {
        "id": park.pk,
        "name": "Bach Ma National Park",
        "wdpa_id": 10234,
        "countries": ["VNM"],
        "designation": park.designation_eng,
    }
    assert [s["id"] for s in api_client.get(url, {"q": "861"}).json()] == [cat_tien.pk]
    assert [s["id"] for s in api_client.get(url, {"q": "Bach Ma Extension"}).json()][0] == extension.pk
    assert api_client.get(url, {"q": ""}).json() == [] and api_client.get(url).json() == []
    too_long = api_client.get(url, {"q": "x" * 201})
    assert too_long.status_code == 400
    # nobody else may use it
    for person in (site_manager, expert):
        api_client.force_authenticate(person)
        refused = api_client.get(url, {"q": "bach"})
        assert refused.status_code == 403 and refused.json()["code"] == error_codes.CONSULTATION_NOT_ALLOWED
    api_client.force_authenticate(None)
    assert api_client.get(url, {"q": "bach"}).status_code == 403


def test_the_api_says_which_site_is_unknown(api_client, staff):
    today = timezone.localdate()
    api_client.force_authenticate(staff)
    response = api_client.post(
        reverse("consultation-list"),
        {"protected_area": 987654, "phase": "candidate", "opens_on": today, "closes_on": today},
        format="json",
    )
    assert response.status_code == 400
    assert (
        response.json()["code"] == error_codes.CONSULTATION_SITE_UNKNOWN
        and response.json()["field"] == "protected_area"
    )


def test_a_superscript_digit_is_no_site_number_nor_a_500(client, api_client, candidates, staff):
    """'²'.isdigit() is true but int('²') fails: the form, its prefill link and the picker say so plainly."""
    client.force_login(staff)
    for fields in ({"area": "²"}, {"area": "1²"}, {"site": "²"}):
        response = _open(client, **fields)
        assert response.status_code == 400, (fields, response.status_code)
    assert "No site has the number “²”." in _open(client, area="²").content.decode()
    assert client.get(reverse("stakeholders:list"), {"area": "²"}).status_code == 200
    api_client.force_authenticate(staff)
    found = api_client.get(reverse("consultation-sites"), {"q": "²"})
    assert found.status_code == 200 and found.json() == []
    assert not services.ConsultationWindow.objects.exists()
