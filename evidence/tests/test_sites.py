"""Evidence per site of a multi-site application (issue 16): an item may say which of the application's
sites it is about (optional: the whole application otherwise), through the service, the upload form and
the API; a site outside the application is refused; the evidence list and the review page show it."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments.services import assessment_create
from assessments.sites import site_add
from core.errors import DomainError
from evidence.models import EvidenceItem
from evidence.services import evidence_upload
from protected_areas.tests.factories import ProtectedAreaFactory


def _managed_by(user, area):
    """`user` as one of `area`'s site managers too (a site team adds only areas it manages)."""
    from accounts.rules import forget_roles
    from accounts.services import role_grant
    from accounts.tests.factories import Role

    role_grant(user=user, role=Role.SITE_MANAGER, granted_by=None, protected_area=area)
    forget_roles(user)


@pytest.fixture
def application(db, area, site_manager):
    from standards.tests.factories import load_gls

    load_gls()
    return assessment_create(protected_area=area, user=site_manager, year=2026)


@pytest.fixture
def connected(application, site_manager):
    area = ProtectedAreaFactory(name="Bach Ma Test Park")
    _managed_by(site_manager, area)
    site_add(assessment=application, area=area, by=site_manager, connection="River.", shared_values="Saola.")
    return area


def _file(name="plan.txt"):
    return SimpleUploadedFile(name, b"management plan")


def test_an_item_names_a_site_of_the_application_or_none(application, connected, site_manager):
    about = evidence_upload(assessment=application, user=site_manager, file=_file(), site=connected.pk)
    whole = evidence_upload(assessment=application, user=site_manager, file=_file())
    main = evidence_upload(assessment=application, user=site_manager, file=_file(), site=application.protected_area)
    assert (about.site, whole.site, main.site) == (connected, None, application.protected_area)


def test_a_site_outside_the_application_is_refused_and_nothing_is_kept(application, other_area, site_manager):
    with pytest.raises(DomainError) as refused:
        evidence_upload(assessment=application, user=site_manager, file=_file(), site=other_area.pk)
    assert (refused.value.code, refused.value.field) == ("evidence_site_not_in_application", "site")
    assert not EvidenceItem.objects.exists()


def test_api_and_form_accept_the_site_and_the_list_shows_it(client, api_client, application, connected, site_manager):
    api_client.force_authenticate(site_manager)
    url = reverse("assessment-evidence-list", args=[application.pk])
    created = api_client.post(url, {"file": _file(), "site": connected.pk}, format="multipart")
    assert created.status_code == 201, created.content
    assert created.json()["site"] == connected.pk
    refused = api_client.post(url, {"file": _file(), "site": 2**31 - 1}, format="multipart")
    assert (refused.status_code, refused.json()["code"]) == (400, "evidence_site_not_in_application")
    client.force_login(site_manager)
    client.post(
        reverse("evidence:upload", args=[application.pk]),
        {"file": _file("b.txt"), "site": str(connected.pk), "sensitivity": "reviewers"},
    )
    assert EvidenceItem.objects.filter(site=connected).count() == 2
    page = client.get(reverse("assessments:detail", args=[application.pk])).content.decode()
    assert page.count('class="muted small evidence-site"') == 2 and 'name="site"' in page


def test_a_located_item_is_checked_against_the_site_it_is_about(make_assessment, area, site_manager, upload, processed):
    # given a point inside the added site (a 0.1° square from 110°E 20°N), far from the main site
    from protected_areas.tests.factories import square

    application = make_assessment(area, site_manager, year=2026)
    added = ProtectedAreaFactory(name="Far Test Park", geom=square(110.0, 20.0), geom_display=square(110.0, 20.0))
    _managed_by(site_manager, added)
    site_add(assessment=application, area=added, by=site_manager, connection="River.", shared_values="Saola.")
    point = (
        b'{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},'
        b'"geometry":{"type":"Point","coordinates":[110.05,20.05]}}]}'
    )
    # when the same point is uploaded once about that site and once about the whole application
    about = processed(upload(application, site_manager, point, name="a.geojson", site=added.pk))
    whole = processed(upload(application, site_manager, point, name="b.geojson"))
    # then it is inside the site it is about, and outside the main site
    assert about.facts.location_check == "inside", about.status_reason
    assert whole.facts.location_check == "outside"
