"""The one transition engine (core.workflow) behind assessments and certificates.

Both lifecycles answer an impossible move the same way: 409 with their stable code, on pages and
API alike, and nothing changes (no status, no log row, no audit event).
"""

import pytest
from django.urls import reverse

from assessments import workflow as assessment_workflow
from assessments.choices import Status
from assessments.models import Assessment, AssessmentTransition
from audit.models import AuditEvent
from certification import lifecycle
from certification.models import Certificate, CertificateTransition
from core.workflow import Codes, ImpossibleMove, Move, StateMachine
from eligibility.tests.factories import make_eligible

CODES = Codes(impossible="x_impossible", role="x_role", note_too_long="x_long", note_required="x_required")


def _machine(moves):
    return StateMachine(
        name="test",
        model=Assessment,
        statuses=Status,
        log_model=AssessmentTransition,
        log_subject="assessment",
        moves=moves,
        codes=CODES,
        noun="thing",
    )


def _anyone(user, obj):
    return True


def test_a_table_with_two_moves_on_one_edge_is_refused_at_import():
    with pytest.raises(ValueError, match="same edge"):
        _machine((Move("application", "candidate", _anyone), Move("application", "candidate", _anyone)))


def test_a_table_naming_an_unknown_status_is_refused_at_import():
    with pytest.raises(ValueError, match="unknown statuses"):
        _machine((Move("application", "approved-by-magic", _anyone),))


def test_both_lifecycles_run_on_the_engine():
    assert isinstance(assessment_workflow.MACHINE, StateMachine)
    assert isinstance(lifecycle.MACHINE, StateMachine)
    assert all(isinstance(m, Move) for m in assessment_workflow.TRANSITIONS + lifecycle.TRANSITIONS)


# --- an impossible move: 409, the same on pages and API, nothing written --------------------------


@pytest.fixture
def candidate(db, site_manager, staff, area):
    from assessments.services import assessment_create
    from standards.tests.factories import load_gls

    load_gls()
    assessment = assessment_create(protected_area=area, user=site_manager, year=2026)
    make_eligible(assessment, staff=staff)
    assessment_workflow.transition(assessment, "candidate", by=staff, note="eligible")
    return assessment


def _nothing_written(assessment, before_log, before_audit):
    assessment.refresh_from_db()
    assert assessment.status == "candidate"
    assert AssessmentTransition.objects.filter(assessment=assessment).count() == before_log
    assert AuditEvent.objects.count() == before_audit


def test_impossible_assessment_move_in_the_service(candidate, staff):
    with pytest.raises(ImpossibleMove) as err:
        assessment_workflow.transition(candidate, "decided", by=staff)
    assert err.value.http_status == 409
    assert err.value.code == "transition_not_allowed"
    assert "cannot move from" in err.value.message


def test_impossible_assessment_move_is_409_on_the_api(candidate, staff, api_client):
    before = (AssessmentTransition.objects.filter(assessment=candidate).count(), AuditEvent.objects.count())
    api_client.force_authenticate(staff)
    response = api_client.post(f"/api/v1/assessments/{candidate.pk}/transitions/", {"to": "decided"}, format="json")
    assert response.status_code == 409, response.content
    assert response.json()["code"] == "transition_not_allowed"
    _nothing_written(candidate, *before)


def test_impossible_assessment_move_is_409_on_the_page(candidate, staff, client):
    before = (AssessmentTransition.objects.filter(assessment=candidate).count(), AuditEvent.objects.count())
    client.force_login(staff)
    response = client.post(reverse("assessments:transition", args=[candidate.pk]), {"to": "decided"})
    assert response.status_code == 409
    assert "cannot move from" in response.content.decode()
    _nothing_written(candidate, *before)


def test_a_refused_role_is_still_403_not_409(candidate, other_manager, client, api_client):
    """The rule is checked for moves that exist; an outsider never learns more than 404/403."""
    client.force_login(other_manager)
    assert client.post(reverse("assessments:transition", args=[candidate.pk]), {"to": "submitted"}).status_code == 404


@pytest.fixture
def withdrawn(db, area, site_manager, staff, jurisdiction):
    from accounts.tests.factories import Role, make_user
    from certification.services import certificate_transition
    from certification.tests.factories import panel_decide_for_tests
    from certification.tests.helpers import make_recommended
    from standards.tests.factories import load_gls

    load_gls()
    review_staff = make_user(Role.IUCN_STAFF, email="review-staff@example.org")
    recommended = make_recommended(area=area, site_manager=site_manager, reviewer=review_staff)
    certificate = panel_decide_for_tests(
        assessment=recommended, user=staff, outcome="granted", reasons="ok"
    ).certificate
    certificate_transition(certificate=certificate, user=staff, to="withdrawn", reason="Boundary degazetted")
    return certificate


def test_impossible_certificate_move_is_409_on_the_api(withdrawn, staff, api_client):
    before = CertificateTransition.objects.filter(certificate=withdrawn).count()
    api_client.force_authenticate(staff)
    response = api_client.post(
        f"/api/v1/certification/certificates/{withdrawn.number}/transition/",
        {"to": "active", "reason": "changed our mind"},
        format="json",
    )
    assert response.status_code == 409, response.content
    assert response.json()["code"] == "certificate_transition_not_allowed"
    assert CertificateTransition.objects.filter(certificate=withdrawn).count() == before
    assert Certificate.objects.get(pk=withdrawn.pk).status == "withdrawn"


def test_impossible_certificate_move_is_409_on_the_page(withdrawn, staff, client):
    client.force_login(staff)
    response = client.post(
        reverse("certification:certificate-status", args=[withdrawn.number]),
        {"to": "active", "reason": "changed our mind"},
    )
    assert response.status_code == 409
    assert "cannot move from" in response.content.decode()
    assert Certificate.objects.get(pk=withdrawn.pk).status == "withdrawn"


def test_a_move_whose_provided_guard_is_missing_refuses_to_run(candidate, staff):
    """A guard owned by an app above (reviews) is never silently skipped."""
    from django.core.exceptions import ImproperlyConfigured

    machine = _machine((Move("candidate", "submitted", _anyone, provided_guards=("owned_elsewhere",)),))
    with pytest.raises(ImproperlyConfigured, match="owned_elsewhere"):
        machine.transition(candidate, "submitted", by=staff)
    candidate.refresh_from_db()
    assert candidate.status == "candidate"
    machine.provide_guard("owned_elsewhere", lambda obj, target: None)
    machine.transition(candidate, "submitted", by=staff)
    assert Assessment.objects.get(pk=candidate.pk).status == "submitted"


def test_a_moves_provided_effect_runs_in_its_transaction_and_a_missing_one_refuses(candidate, staff):
    """An effect owned by an app above (eligibility's e-mail) runs once the move is made, or the move is undone."""
    from django.core.exceptions import ImproperlyConfigured

    machine = _machine((Move("candidate", "submitted", _anyone, provided_effects=("told_elsewhere",)),))
    with pytest.raises(ImproperlyConfigured, match="told_elsewhere"):
        machine.transition(candidate, "submitted", by=staff)
    assert Assessment.objects.get(pk=candidate.pk).status == "candidate"
    with pytest.raises(ImproperlyConfigured):
        machine.provide_effect("nobody_has_it", lambda obj, by: None)
    seen = []
    machine.provide_effect("told_elsewhere", lambda obj, by: seen.append((obj.status, by)))
    machine.transition(candidate, "submitted", by=staff)
    assert seen == [("submitted", staff)]


def test_the_review_app_provides_the_conclusion_guard():
    from reviews.guards import guard_review_confirmed

    assert assessment_workflow.MACHINE._provided_guard(assessment_workflow.REVIEW_CONFIRMED) is guard_review_confirmed


def test_the_409_page_says_it_in_the_persons_language(candidate, staff, client):
    client.force_login(staff)
    response = client.post(
        reverse("assessments:transition", args=[candidate.pk]), {"to": "decided"}, HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert "L’évaluation ne peut pas passer de" in body and "Impossible pour l’instant" in body
