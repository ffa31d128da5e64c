"""Multi-site applications (issue 16): the site team and staff add and remove sites in the application
phase only, each a protected area of the platform in no other open application; everyone who sees the
assessment sees them; one map names every site."""

import pytest
from django.urls import reverse

from assessments import sites
from assessments.models import AssessmentSite
from assessments.services import assessment_create
from assessments.workflow import transition
from audit.models import AuditEvent
from core.errors import Conflict, DomainError, NotAllowed
from eligibility.tests.factories import make_eligible
from protected_areas.tests.factories import ProtectedAreaFactory

STATEMENT = {"connection": "A river corridor joins them.", "shared_values": "Saola habitat; the same watershed."}


@pytest.fixture
def application(standard, area, site_manager):
    """A cycle-1 assessment of `area` still in its application phase."""
    return assessment_create(protected_area=area, user=site_manager, year=2026)


def _managed_by(user, area):
    """`area`, with `user` as one of its site managers too (a site team adds only areas it manages)."""
    from accounts.rules import forget_roles
    from accounts.services import role_grant
    from accounts.tests.factories import Role

    role_grant(user=user, role=Role.SITE_MANAGER, granted_by=None, protected_area=area)
    forget_roles(user)
    return area


@pytest.fixture
def second(db, site_manager):
    """A second area, which the application's site team manages too."""
    area = ProtectedAreaFactory(name="Bach Ma Test Park", governance_type="Federal or national ministry or agency")
    return _managed_by(site_manager, area)


@pytest.fixture
def unmanaged(db):
    """An area that another team manages."""
    from accounts.tests.factories import Role, make_user

    area = ProtectedAreaFactory(name="Cuc Phuong Test Park")
    make_user(Role.SITE_MANAGER, email="cuc-phuong@example.org", protected_area=area)
    return area


def _add(application, area, by, **statement):
    return sites.site_add(assessment=application, area=area, by=by, **{**STATEMENT, **statement})


# --- the service ---------------------------------------------------------------------------------


def test_the_site_team_adds_a_site_with_its_statement_and_it_is_audited(application, second, site_manager):
    # when
    site = _add(application, second, site_manager)
    # then
    assert site.connection == STATEMENT["connection"]
    assert sites.application_areas(application) == [application.protected_area, second]
    event = AuditEvent.objects.get(action="assessment.site_added")
    assert event.data["protected_area"] == second.pk


def test_staff_add_and_remove_a_site(application, second, staff):
    site = _add(application, second, staff)
    sites.site_remove(site=site, by=staff)
    assert not AssessmentSite.objects.exists()
    assert AuditEvent.objects.filter(action="assessment.site_removed").count() == 1


@pytest.mark.parametrize("who", ["outsider", "other_manager", "expert", "reviewer"])
def test_nobody_else_adds_a_site(request, who, application, second):
    with pytest.raises(NotAllowed) as refused:
        _add(application, second, request.getfixturevalue(who))
    assert refused.value.code == "application_sites_not_allowed"


def test_a_site_cannot_be_added_after_the_application_phase(application, second, site_manager, staff):
    # given the site accepted as a candidate
    make_eligible(application, staff=staff)
    transition(application, "candidate", by=staff)
    # then
    with pytest.raises(Conflict) as refused:
        _add(application, second, site_manager)
    assert refused.value.code == "application_sites_phase_closed"


def test_a_site_cannot_be_removed_after_the_application_phase(application, second, site_manager, staff):
    site = _add(application, second, site_manager)
    make_eligible(application, staff=staff)
    transition(application, "candidate", by=staff)
    with pytest.raises(Conflict) as refused:
        sites.site_remove(site=site, by=staff)
    assert refused.value.code == "application_sites_phase_closed"
    assert AssessmentSite.objects.filter(pk=site.pk).exists()


def test_the_statements_are_required_and_limited(application, second, site_manager):
    with pytest.raises(DomainError) as missing:
        _add(application, second, site_manager, connection="  ")
    assert (missing.value.code, missing.value.field) == ("application_site_statement_missing", "connection")
    with pytest.raises(DomainError) as long:
        _add(application, second, site_manager, shared_values="x" * 3001)
    assert (long.value.code, long.value.field) == ("field_too_long", "shared_values")


def test_the_main_site_and_a_site_already_added_are_refused(application, area, second, site_manager):
    with pytest.raises(DomainError) as main:
        _add(application, area, site_manager)
    assert main.value.code == "application_site_is_main"
    _add(application, second, site_manager)
    with pytest.raises(Conflict) as twice:
        _add(application, second, site_manager)
    assert twice.value.code == "application_site_already_added"


def test_an_area_in_another_open_application_is_refused(application, other_area, other_manager, second, site_manager):
    # given another open application, of other_area, that covers `second`
    other = assessment_create(protected_area=other_area, user=other_manager, year=2026)
    _add(other, _managed_by(other_manager, second), other_manager)
    # then neither other_area (its main site) nor `second` can join this one
    for area in (_managed_by(site_manager, other_area), second):
        with pytest.raises(Conflict) as refused:
            _add(application, area, site_manager)
        assert refused.value.code == "application_site_in_open_application"


def test_a_new_cycle_of_an_area_an_open_application_covers_is_refused(application, second, site_manager, staff):
    from accounts.tests.factories import Role, make_user

    _add(application, second, site_manager)
    its_manager = make_user(Role.SITE_MANAGER, email="bach-ma@example.org", protected_area=second)
    with pytest.raises(Conflict) as refused:
        assessment_create(protected_area=second, user=its_manager, year=2026)
    assert refused.value.code == "application_site_in_open_application"


def test_the_map_names_every_site(application, second, site_manager):
    point_only = _managed_by(
        site_manager, ProtectedAreaFactory(name="Point Site", geom=None, geom_display=None, point="POINT(106 16)")
    )
    _add(application, second, site_manager)
    _add(application, point_only, site_manager)
    features = sites.sites_map(application)["features"]
    assert [(f["properties"]["name"], f["properties"]["main"]) for f in features] == [
        (application.protected_area.name, True),
        ("Bach Ma Test Park", False),
        ("Point Site", False),
    ]
    assert features[2]["geometry"]["type"] == "Point"


def test_a_site_team_adds_only_an_area_it_manages(application, unmanaged, site_manager, staff):
    # when the site team names an area another team manages
    with pytest.raises(NotAllowed) as refused:
        _add(application, unmanaged, site_manager)
    # then it is refused, and told who can add it
    assert refused.value.code == "application_site_not_managed"
    assert "ask IUCN staff" in str(refused.value.message)
    assert not AssessmentSite.objects.exists()
    # and IUCN staff may add it
    assert _add(application, unmanaged, staff).protected_area == unmanaged


@pytest.mark.parametrize("who", ["site_manager", "staff"])
def test_sites_are_fixed_once_the_group_has_evaluated(request, jurisdiction, application, second, site_manager, who):
    from eligibility.services import evaluation_record

    # given a site added, then the group's evaluation of the application as it is
    site = _add(application, second, site_manager)
    third = _managed_by(site_manager, ProtectedAreaFactory(name="Third Test Park"))
    expert = request.getfixturevalue("expert")  # of `jurisdiction`, which covers the site's country
    evaluation_record(assessment=application, by=expert, eligible=True, reasons="Eligible.")
    # then nobody adds or removes a site any more
    by = request.getfixturevalue(who)
    with pytest.raises(Conflict) as refused:
        _add(application, third, by)
    assert refused.value.code == "application_sites_evaluated"
    with pytest.raises(Conflict) as refused:
        sites.site_remove(site=site, by=by)
    assert refused.value.code == "application_sites_evaluated"
    assert list(AssessmentSite.objects.values_list("protected_area", flat=True)) == [second.pk]


# --- the API -------------------------------------------------------------------------------------


def test_api_lists_adds_and_removes(api_client, application, second, site_manager):
    api_client.force_authenticate(site_manager)
    url = reverse("assessment-site-list", args=[application.pk])
    created = api_client.post(url, {"wdpa_id": second.wdpa_id, **STATEMENT}, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["name"] == "Bach Ma Test Park"
    listed = api_client.get(url).json()
    assert [s["protected_area"] for s in listed] == [second.pk]
    gone = api_client.delete(reverse("assessment-site-detail", args=[application.pk, listed[0]["id"]]))
    assert gone.status_code == 204
    assert api_client.get(url).json() == []


@pytest.mark.parametrize(
    "body, code",
    [
        ({"wdpa_id": 123456789, **STATEMENT}, "application_site_area_not_found"),
        ({"protected_area": 2**40, **STATEMENT}, "application_site_area_not_found"),
        ({**STATEMENT}, "application_site_area_not_found"),
        ({"protected_area": "x", **STATEMENT}, "invalid"),
        ({"wdpa_id": 1, "connection": "", "shared_values": "v"}, "invalid"),
    ],
)
def test_api_refuses_bad_bodies_with_a_code(api_client, application, site_manager, body, code):
    api_client.force_authenticate(site_manager)
    response = api_client.post(reverse("assessment-site-list", args=[application.pk]), body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["code"] in {code, "validation_error", "invalid_input"} or code == "invalid"
    assert not AssessmentSite.objects.exists()


def test_api_refuses_an_area_the_team_does_not_manage(api_client, application, unmanaged, site_manager):
    api_client.force_authenticate(site_manager)
    url = reverse("assessment-site-list", args=[application.pk])
    response = api_client.post(url, {"wdpa_id": unmanaged.wdpa_id, **STATEMENT}, format="json")
    assert (response.status_code, response.json()["code"]) == (403, "application_site_not_managed")
    assert not AssessmentSite.objects.exists()


def test_api_refusals(api_client, application, second, site_manager, other_manager, expert, staff):
    url = reverse("assessment-site-list", args=[application.pk])
    # a manager of another site does not know the application
    api_client.force_authenticate(other_manager)
    assert api_client.get(url).status_code == 404
    assert api_client.post(url, {"wdpa_id": second.wdpa_id, **STATEMENT}, format="json").status_code == 404
    # after the application phase: 409 with the code, nothing added
    make_eligible(application, staff=staff)
    transition(application, "candidate", by=staff)
    api_client.force_authenticate(site_manager)
    late = api_client.post(url, {"wdpa_id": second.wdpa_id, **STATEMENT}, format="json")
    assert (late.status_code, late.json()["code"]) == (409, "application_sites_phase_closed")
    # anonymous
    api_client.force_authenticate(None)
    assert api_client.get(url).status_code in (401, 403)


# --- the page ------------------------------------------------------------------------------------


def test_the_page_adds_a_site_by_wdpa_id(client, application, second, site_manager):
    client.force_login(site_manager)
    url = reverse("assessments:sites", args=[application.pk])
    response = client.post(url, {"wdpa_id": str(second.wdpa_id), **STATEMENT})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "Bach Ma Test Park" in page and "A river corridor joins them." in page
    assert 'id="sites-geojson"' in page and 'id="site-add-form"' in page
    detail = client.get(reverse("assessments:detail", args=[application.pk])).content.decode()
    assert "Bach Ma Test Park" in detail


def test_the_page_keeps_the_text_on_a_refusal(client, application, site_manager):
    client.force_login(site_manager)
    url = reverse("assessments:sites", args=[application.pk])
    response = client.post(url, {"wdpa_id": "99999999999999999999", **STATEMENT})
    assert response.status_code == 400
    assert "A river corridor joins them." in response.content.decode()
    assert not AssessmentSite.objects.exists()


@pytest.mark.parametrize("who, status", [("other_manager", 404), ("outsider", 404), ("expert", 404)])
def test_people_outside_get_404_on_the_page(request, client, application, second, site_manager, who, status):
    site = _add(application, second, site_manager)
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("assessments:sites", args=[application.pk])).status_code == status
    assert client.post(reverse("assessments:sites", args=[application.pk]), STATEMENT).status_code == status
    remove = reverse("assessments:site_remove", args=[application.pk, site.pk])
    assert client.post(remove).status_code == status
    assert AssessmentSite.objects.filter(pk=site.pk).exists()


@pytest.mark.parametrize("count", [1, 5])
def test_page_queries_do_not_grow_with_sites(client, application, site_manager, django_assert_max_num_queries, count):
    for n in range(count):
        _add(application, _managed_by(site_manager, ProtectedAreaFactory(name=f"Connected {n}")), site_manager)
    client.force_login(site_manager)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("assessments:sites", args=[application.pk])).status_code == 200
