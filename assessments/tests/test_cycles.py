"""One open cycle per site: a new cycle starts only once the site's current one is decided (issue 15)."""

import pytest
from django.urls import reverse

from assessments.models import Assessment
from assessments.services import CycleStillOpen, assessment_create
from assessments.tests.helpers import close_cycle
from assessments.workflow import CLOSED_STATUSES, transition
from eligibility.tests.factories import make_eligible


def test_the_closed_phases_are_read_from_the_workflow():
    # "decided" is the only phase nothing leaves; every other phase is an open cycle.
    assert CLOSED_STATUSES == {"decided"}


@pytest.mark.django_db
@pytest.mark.parametrize("phase", ["application", "candidate", "submitted"])
def test_a_second_cycle_is_refused_while_the_first_is_open(standard, area, site_manager, staff, phase):
    # given cycle 1 of the site, open in `phase`
    first = assessment_create(protected_area=area, user=site_manager, year=2026)
    if phase != "application":
        make_eligible(first, staff=staff)
        transition(first, "candidate", by=staff)
    if phase == "submitted":
        from assessments.tests.helpers import fill_all

        fill_all(first, site_manager)
        transition(first, "submitted", by=site_manager)
    # when the team starts another cycle
    with pytest.raises(CycleStillOpen) as err:
        assessment_create(protected_area=area, user=site_manager, year=2027, previous=first)
    # then it is refused, naming the open cycle, and nothing is created
    assert err.value.code == "cycle_still_open" and err.value.http_status == 409
    assert err.value.field == "protected_area" and err.value.open_cycle == first
    assert f"Cycle 1 (2026) of {area.name} is still open" in err.value.message
    assert list(Assessment.objects.filter(protected_area=area)) == [first]


@pytest.mark.django_db
def test_another_sites_open_cycle_does_not_block(standard, area, other_area, site_manager, other_manager):
    assessment_create(protected_area=other_area, user=other_manager, year=2026)
    assert assessment_create(protected_area=area, user=site_manager, year=2026).cycle == 1


@pytest.mark.django_db
def test_a_new_cycle_starts_once_the_previous_is_decided(standard, area, jurisdiction, site_manager, staff):
    """The real path: reviewed, recommended, then decided by staff who did not review it."""
    from accounts.tests.factories import Role, make_user
    from certification.tests.factories import panel_decide_for_tests
    from certification.tests.helpers import make_recommended

    review_staff = make_user(Role.IUCN_STAFF, email="review-staff@example.org")
    first = make_recommended(area=area, site_manager=site_manager, reviewer=review_staff)
    # recommended is not decided: still open
    with pytest.raises(CycleStillOpen):
        assessment_create(protected_area=area, user=site_manager, year=2027)
    panel_decide_for_tests(assessment=first, user=staff, outcome="declined", reasons="Criterion 2.1 not met yet.")
    first.refresh_from_db()
    assert first.status == "decided"
    # when
    second = assessment_create(protected_area=area, user=site_manager, year=2027, previous=first)
    # then
    assert second.cycle == 2 and second.previous == first and second.status == "application"


@pytest.mark.django_db
def test_the_start_page_refuses_and_the_list_links_the_open_cycle(client, site_manager, assessment):
    client.force_login(site_manager)
    # the list offers the open cycle, not a start form for its site
    html = client.get(reverse("assessments:list")).content.decode()
    assert f'href="{assessment.get_absolute_url()}"' in html and "Continue cycle 1 (2026)" in html
    assert reverse("assessments:start") not in html
    # a start posted anyway (an old tab, a crafted form) is refused with the reason shown
    response = client.post(
        reverse("assessments:start"), {"protected_area": assessment.protected_area_id, "year": 2027}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("assessments:list")
    assert "Cycle 1 (2026) of" in response.content.decode() and "is still open" in response.content.decode()
    assert Assessment.objects.filter(protected_area=assessment.protected_area).count() == 1
    # once the cycle is closed, the start form is back and a new cycle starts
    close_cycle(assessment)
    assert reverse("assessments:start") in client.get(reverse("assessments:list")).content.decode()
    response = client.post(reverse("assessments:start"), {"protected_area": assessment.protected_area_id, "year": 2027})
    second = Assessment.objects.get(protected_area=assessment.protected_area, cycle=2)
    assert response.status_code == 302 and response["Location"] == second.get_absolute_url()


@pytest.mark.django_db
def test_the_api_answers_409_with_the_code_and_field(api_client, site_manager, other_manager, assessment):
    url = reverse("assessment-list")
    # an outsider is refused for their role before anything about the site's cycles is said
    api_client.force_authenticate(other_manager)
    outsider = api_client.post(url, {"protected_area": assessment.protected_area_id, "year": 2027}, format="json")
    assert outsider.status_code == 403 and outsider.json()["code"] == "not_site_team"
    assert "Cycle" not in outsider.json()["detail"]
    api_client.force_authenticate(site_manager)
    response = api_client.post(url, {"protected_area": assessment.protected_area_id, "year": 2027}, format="json")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "cycle_still_open" and body["field"] == "protected_area"
    assert "Cycle 1 (2026)" in body["detail"]
    assert Assessment.objects.filter(protected_area=assessment.protected_area).count() == 1
    close_cycle(assessment)
    created = api_client.post(url, {"protected_area": assessment.protected_area_id, "year": 2027}, format="json")
    assert created.status_code == 201 and created.json()["cycle"] == 2
