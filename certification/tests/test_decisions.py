"""Decisions: the Green List Panel decides (certification.panel), on what, and what a decision records."""

import pytest

from assessments.models import Assessment, AssessmentTransition
from audit.models import AuditEvent
from certification import error_codes, services
from certification.models import Certificate, CertificateTransition, Decision
from certification.numbers import normalise
from certification.tests.factories import panel_decide_for_tests
from core.errors import DomainError


def nothing_changed(assessment, status):
    assessment.refresh_from_db()
    return (
        assessment.status == status
        and not Decision.objects.exists()
        and not Certificate.objects.exists()
        and not AssessmentTransition.objects.filter(assessment=assessment, to_status="decided").exists()
    )


def test_a_grant_decides_the_assessment_and_issues_an_active_certificate(
    recommended, staff, django_capture_on_commit_callbacks, settings
):
    settings.CERTIFICATE_VALID_YEARS = 5
    # when the Panel grants status with conditions, recorded by IUCN staff (not among the reviewers)
    with django_capture_on_commit_callbacks() as callbacks:
        decision = panel_decide_for_tests(
            assessment=recommended,
            user=staff,
            outcome="granted",
            reasons="All criteria met.",
            conditions="Report on the ranger patrol plan within a year.",
        )

    # then the assessment is decided through the workflow
    recommended.refresh_from_db()
    assert recommended.status == "decided"
    last = AssessmentTransition.objects.filter(assessment=recommended).last()
    assert (last.from_status, last.to_status, last.by) == ("recommended", "decided", staff)
    # the decision records who and what it was decided on
    assert decision.decided_by == staff and decision.recommendation == "recommended"
    assert len(decision.snapshot["answers"]) == recommended.answers.count() > 0
    assert decision.snapshot["scores"] == {"meets": recommended.answers.count()}
    assert decision.snapshot["answers"][0]["justification"]
    # a certificate: valid number, the Standard version, 5 years
    cert = decision.certificate
    assert normalise(cert.number) == cert.number
    assert cert.status == "active" and cert.protected_area == recommended.protected_area
    assert cert.standard_version == str(recommended.standard)
    assert cert.expires_on == cert.granted_on.replace(year=cert.granted_on.year + 5)
    assert CertificateTransition.objects.get(certificate=cert).to_status == "active"
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"certification.decision", "certificate.issued", "assessment.transition", "panel.case_decided"} <= actions
    # the Panel is the decider, and its votes are kept with what was decided on
    assert decision.panel_case.status == "decided"
    assert decision.snapshot["panel"]["votes"]["grant_with_conditions"] == 2
    # and the PDF is queued only once the transaction commits (beside the e-mails to the members)
    assert [c.__qualname__ for c in callbacks].count("decision_record.<locals>.<lambda>") == 1


def test_the_validity_comes_from_settings(recommended, staff, settings):
    settings.CERTIFICATE_VALID_YEARS = 3
    cert = panel_decide_for_tests(assessment=recommended, user=staff, outcome="granted", reasons="ok").certificate
    assert cert.expires_on.year - cert.granted_on.year == 3


def test_a_decline_issues_no_certificate(recommended, staff):
    decision = panel_decide_for_tests(assessment=recommended, user=staff, outcome="declined", reasons="Gaps in 3.4.")
    recommended.refresh_from_db()
    assert recommended.status == "decided" and decision.outcome == "declined"
    assert not Certificate.objects.exists()


def test_a_not_recommended_assessment_can_be_decided(area, site_manager, review_staff, staff, standard, jurisdiction):
    from certification.tests.helpers import make_recommended

    assessment = make_recommended(
        area=area, site_manager=site_manager, reviewer=review_staff, outcome="not_recommended"
    )
    decision = panel_decide_for_tests(assessment=assessment, user=staff, outcome="declined", reasons="As advised.")
    assert decision.recommendation == "not_recommended"


def test_staff_who_reviewed_the_assessment_may_not_record_the_panels_decision(recommended, review_staff):
    with pytest.raises(DomainError) as err:
        panel_decide_for_tests(assessment=recommended, user=review_staff, outcome="granted", reasons="Mine.")
    assert err.value.code == error_codes.DECIDER_REVIEWED and err.value.http_status == 403
    assert nothing_changed(recommended, "recommended")


def test_an_assessment_that_is_not_recommended_cannot_be_decided(standard, area, site_manager, staff):
    from assessments.services import assessment_create

    assessment = assessment_create(protected_area=area, user=site_manager, year=2026)
    with pytest.raises(DomainError) as err:
        panel_decide_for_tests(assessment=assessment, user=staff, outcome="granted", reasons="Too early.")
    assert err.value.code == error_codes.ASSESSMENT_NOT_RECOMMENDED and err.value.http_status == 409
    assert nothing_changed(assessment, "application")


def test_a_second_decision_is_refused(recommended, staff, admin_user):
    panel_decide_for_tests(assessment=recommended, user=staff, outcome="granted", reasons="ok")
    with pytest.raises(DomainError) as err:
        panel_decide_for_tests(assessment=recommended, user=admin_user, outcome="declined", reasons="no")
    assert err.value.code == error_codes.ASSESSMENT_NOT_RECOMMENDED
    assert Decision.objects.count() == 1 and Certificate.objects.count() == 1


@pytest.mark.parametrize("who", ["staff", "admin_user", "site_manager", "expert", "reviewer", "outsider"])
def test_nobody_decides_alone(recommended, who, request):
    """decision_record without a Panel case: refused to everyone, IUCN staff first (issue 16)."""
    user = request.getfixturevalue(who)
    with pytest.raises(DomainError) as err:
        services.decision_record(assessment=recommended, user=user, outcome="granted", reasons="ok")
    assert err.value.code == error_codes.PANEL_DECIDES and err.value.http_status == 403
    assert nothing_changed(recommended, "recommended")


def test_the_workflow_itself_refuses_a_reviewer(recommended, review_staff):
    """The assessment workflow asks the same rule, so no other path lets a reviewer decide."""
    from assessments.workflow import available_moves, transition

    assert available_moves(recommended, review_staff) == []
    with pytest.raises(DomainError):
        transition(recommended, "decided", by=review_staff)
    assert Assessment.objects.get(pk=recommended.pk).status == "recommended"


def test_the_workflow_refuses_staff_without_the_panels_decision(recommended, staff):
    """The generic phase page and API cannot decide either: the move needs a Panel case whose
    rule is met (the `panel_decided` guard), and is not offered."""
    from assessments.workflow import available_moves, transition

    assert "decided" not in [m.target for m in available_moves(recommended, staff)]
    with pytest.raises(DomainError) as err:
        transition(recommended, "decided", by=staff)
    assert err.value.code == error_codes.PANEL_DECIDES
    assert nothing_changed(recommended, "recommended")
