"""Eligibility of a multi-site application (issue 16): each added site's WDPA pre-check is shown on the
eligibility page and in the API, a failing one keeps the gate closed (staff's override still opens it),
and the connection statements are there for the expert group and the independent reviewer."""

import pytest
from django.urls import reverse

from accounts.tests.factories import Role, make_user
from assessments import sites
from assessments.services import assessment_create
from assessments.workflow import transition
from core.errors import Conflict
from eligibility import services
from eligibility.selectors import gate_state
from eligibility.tests.factories import make_eligible
from protected_areas.tests.factories import ProtectedAreaFactory
from standards.tests.factories import load_gls

STATEMENT = {"connection": "zqCORRIDORzq along the river.", "shared_values": "Saola habitat."}


@pytest.fixture
def applicant(db, area, jurisdiction, site_manager):
    load_gls()
    return assessment_create(protected_area=area, user=site_manager, year=2026)


def _managed_by(user, area):
    """`area`, with `user` as one of its site managers too (a site team adds only areas it manages)."""
    from accounts.rules import forget_roles
    from accounts.services import role_grant

    role_grant(user=user, role=Role.SITE_MANAGER, granted_by=None, protected_area=area)
    forget_roles(user)
    return area


@pytest.fixture
def good_site(db, site_manager):
    area = ProtectedAreaFactory(name="Bach Ma Test Park", governance_type="Federal or national ministry or agency")
    return _managed_by(site_manager, area)


@pytest.fixture
def bare_site(db, site_manager):
    return _managed_by(
        site_manager, ProtectedAreaFactory(name="Bare Test Site", wdpa_id=None, iucn_category="Not Reported")
    )


def test_a_failing_precheck_on_an_added_site_keeps_the_gate_closed(applicant, good_site, bare_site, site_manager):
    # given two added sites, one whose WDPA record fails, then a positive evaluation and check
    sites.site_add(assessment=applicant, area=good_site, by=site_manager, **STATEMENT)
    sites.site_add(assessment=applicant, area=bare_site, by=site_manager, **STATEMENT)
    make_eligible(applicant)
    # when
    state = gate_state(applicant)
    # then: each site has its own pre-check, and the failing one is missing information
    assert [(e.site.protected_area.name, e.passed) for e in state.sites] == [
        ("Bach Ma Test Park", True),
        ("Bare Test Site", False),
    ]
    assert [m.code for m in state.missing] == ["site_precheck_failed"]
    assert "Bare Test Site" in str(state.missing[0].text)
    staff = make_user(Role.IUCN_STAFF)
    with pytest.raises(Conflict) as refused:
        transition(applicant, "candidate", by=staff)
    assert refused.value.data["missing"] == ["site_precheck_failed"]


def test_staff_override_still_opens_the_gate(applicant, bare_site, site_manager):
    sites.site_add(assessment=applicant, area=bare_site, by=site_manager, **STATEMENT)
    staff = make_user(Role.IUCN_STAFF)
    services.override_record(assessment=applicant, by=staff, reasons="Record being corrected by UNEP-WCMC.")
    transition(applicant, "candidate", by=staff)
    assert applicant.status == "candidate"


@pytest.mark.parametrize("who", ["site_manager", "expert", "reviewer"])
def test_the_page_and_api_show_each_site_and_its_statement(request, client, api_client, applicant, bare_site, who):
    sites.site_add(assessment=applicant, area=bare_site, by=request.getfixturevalue("site_manager"), **STATEMENT)
    user = request.getfixturevalue(who)
    client.force_login(user)
    page = client.get(reverse("eligibility:page", args=[applicant.pk])).content.decode()
    assert 'id="sites-precheck"' in page and "Bare Test Site" in page and "zqCORRIDORzq" in page
    api_client.force_authenticate(user)
    body = api_client.get(f"/api/v1/assessments/{applicant.pk}/eligibility/").json()
    assert body["sites"][0]["name"] == "Bare Test Site"
    assert {i["code"]: i["passed"] for i in body["sites"][0]["precheck"]}["registered"] is False
    assert "site_precheck_failed" in [m["code"] for m in body["missing"]]


def test_an_outsider_sees_no_statement(client, applicant, bare_site, site_manager, other_manager):
    sites.site_add(assessment=applicant, area=bare_site, by=site_manager, **STATEMENT)
    client.force_login(other_manager)
    assert client.get(reverse("eligibility:page", args=[applicant.pk])).status_code == 404
