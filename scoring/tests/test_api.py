"""GET /api/v1/assessments/{id}/scores/: the snapshots the real services compute, under the reports
page's rules (expert scores for site teams only once findings are released; 404 for outsiders)."""

import pytest

from reviews import services as review_services
from scoring import selectors, services
from scoring.choices import ScoreKind
from scoring.models import ScoreSnapshot

from .fixtures import group_find, into_review, numbers, rate


def url(assessment) -> str:
    return f"/api/v1/assessments/{assessment.pk}/scores/"


def get_scores(api_client, user, assessment) -> dict:
    api_client.force_login(user)
    response = api_client.get(url(assessment))
    assert response.status_code == 200, response.content
    return response.json()


def assert_is_snapshot(body: dict, snap: ScoreSnapshot) -> None:
    """The API's snapshot is the stored one, field for field."""
    assert body["id"] == snap.pk and body["kind"] == snap.kind
    assert body["inputs_hash"] == snap.inputs_hash
    assert body["inputs"] == snap.inputs
    assert body["overall"] == snap.results["overall"]
    assert body["components"] == snap.results["components"]


def test_scores_are_the_snapshot_the_scoring_service_computed(api_client, assessment, site_manager):
    # given: 48 met, 1.1.1 not met, 4.3.2 not applicable, scored by the real service
    ratings = {n: "meets" for n in numbers(assessment)} | {"1.1.1": "does_not_meet", "4.3.2": "not_applicable"}
    rate(assessment, site_manager, ratings)
    [snap] = services.rescore(assessment)
    # when
    body = get_scores(api_client, site_manager, assessment)
    # then: the same snapshot (nothing recomputed), with its overall, per-component and per-criterion results
    assert body["assessment"] == assessment.pk
    assert_is_snapshot(body["self"], snap)
    assert ScoreSnapshot.objects.filter(assessment=assessment).count() == 1
    overall = body["self"]["overall"]
    assert overall["percent"] == round(100 * 48 / 49, 2) and overall["met"] is False
    assert (overall["criteria_met"], overall["criteria_total"]) == (16, 17)
    component1 = body["self"]["components"][0]
    assert component1["number"] == "1" and component1["met"] is False
    criterion = component1["criteria"][0]
    assert criterion["number"] == "1.1" and criterion["met"] is False
    assert criterion["indicators"][0] == {
        "code": "GLS-V1.1-1.1.1",
        "number": "1.1.1",
        "rating": "does_not_meet",
        "met": False,
        "score": 0.0,
    }
    # what it was computed from
    assert body["self"]["inputs"]["ratings"]["GLS-V1.1-4.3.2"] == "not_applicable"
    assert body["self"]["inputs"]["standard"]["code"] == assessment.standard.code
    assert body["self"]["computed_at"]
    # no finding yet: nothing to show, and the site team is not told whether there would be
    assert body["expert"] is None and body["expert_status"] == "not_released"


def test_changed_answers_are_scored_on_read_as_on_the_page(api_client, assessment, site_manager):
    rate(assessment, site_manager, {"1.1.1": "meets"})
    [first] = services.rescore(assessment)
    # when the site changes a rating and asks again
    rate(assessment, site_manager, {"1.1.1": "does_not_meet"})
    body = get_scores(api_client, site_manager, assessment)
    # then a new snapshot was stored and that is the one answered
    latest = selectors.latest_snapshot(assessment)
    assert latest.pk != first.pk
    assert_is_snapshot(body["self"], latest)
    assert body["self"]["inputs"]["ratings"]["GLS-V1.1-1.1.1"] == "does_not_meet"


def test_site_team_sees_expert_scores_only_once_findings_are_released(
    api_client, assessment, site_manager, staff, expert
):
    # given: the group disagrees with the site on 2.1.1
    into_review(assessment, site_manager=site_manager, staff=staff, expert=expert)
    group_find(assessment, expert, {"1.1.2": "meets", "2.1.1": "does_not_meet"})
    services.rescore(assessment)
    expert_snap = selectors.latest_snapshot(assessment, ScoreKind.EXPERT)
    assert expert_snap is not None
    # the expert and staff see the group's scores, the ones the service stored
    for who in (expert, staff):
        body = get_scores(api_client, who, assessment)
        assert body["expert_status"] == "available"
        assert_is_snapshot(body["expert"], expert_snap)
        assert body["expert"]["inputs"]["ratings"] == {"GLS-V1.1-1.1.2": "meets", "GLS-V1.1-2.1.1": "does_not_meet"}
    # the site team does not, and nothing of the findings shows in its answer
    body = get_scores(api_client, site_manager, assessment)
    assert body["expert"] is None and body["expert_status"] == "not_released"
    assert expert_snap.inputs_hash not in str(body)
    assert body["self"]["kind"] == ScoreKind.SELF
    # when staff release the findings
    review_services.findings_release(assessment=assessment, by=staff)
    body = get_scores(api_client, site_manager, assessment)
    # then the site team sees them too
    assert body["expert_status"] == "available"
    assert_is_snapshot(body["expert"], expert_snap)
    assert body["expert"]["overall"]["percent"] == expert_snap.percent


def test_staff_are_told_when_the_group_has_no_finding_yet(api_client, assessment, site_manager, staff, expert):
    into_review(assessment, site_manager=site_manager, staff=staff, expert=expert)
    body = get_scores(api_client, staff, assessment)
    assert body["expert"] is None and body["expert_status"] == "none_yet"


@pytest.mark.parametrize("who", ["outsider", "other_manager", "expert"])
def test_people_who_may_not_see_the_assessment_get_404(api_client, assessment, site_manager, who, request):
    # `expert` is of the right group but not assigned to this assessment
    rate(assessment, site_manager, {"1.1.1": "meets"})
    api_client.force_login(request.getfixturevalue(who))
    response = api_client.get(url(assessment))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert "GLS-V1.1" not in response.content.decode()


def test_conflicted_expert_gets_404(api_client, assessment, site_manager, staff, expert, jurisdiction):
    from accounts.tests.factories import Role, make_user

    assignment = into_review(assessment, site_manager=site_manager, staff=staff, expert=expert)
    conflicted = make_user(Role.EXPERT, email="conflicted@example.org", jurisdiction=jurisdiction)
    seat = review_services.assignment_create(
        assessment=assessment, assignee=conflicted, role="expert", due_date=assignment.due_date, by=staff
    )
    review_services.conflict_declare(assignment=seat, by=conflicted, has_conflict=True, note="I advise them.")
    api_client.force_login(conflicted)
    assert api_client.get(url(assessment)).status_code == 404


def test_anonymous_is_refused_and_a_missing_assessment_is_404(api_client, assessment, staff):
    assert api_client.get(url(assessment)).status_code == 403
    api_client.force_login(staff)
    assert api_client.get("/api/v1/assessments/999999999/scores/").status_code == 404
