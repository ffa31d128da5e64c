"""The eligibility gate (application → candidate, issue 16): the WDPA pre-check, the group's
evaluation, the independent reviewer's check, staff's override, and the workflow's guard that all
paths (services, pages, API) obey."""

import pytest
from django.contrib.gis.geos import Point
from django.urls import reverse

from accounts.tests.factories import Role, make_user
from assessments.services import answer_save, assessment_create
from assessments.workflow import transition
from audit.models import AuditEvent
from core.errors import Conflict, DomainError, NotAllowed
from eligibility import services
from eligibility.models import EligibilityRecord
from eligibility.selectors import gate_state, precheck
from protected_areas.tests.factories import ProtectedAreaFactory
from standards.models import Jurisdiction
from standards.tests.factories import load_gls


@pytest.fixture
def applicant(db, area, jurisdiction, site_manager):
    """An assessment of `area` (in the Viet Nam jurisdiction) in the application phase."""
    load_gls()
    return assessment_create(protected_area=area, user=site_manager, year=2026)


def _refusal(assessment, staff) -> Conflict:
    with pytest.raises(Conflict) as err:
        transition(assessment, "candidate", by=staff)
    assessment.refresh_from_db()
    assert assessment.status == "application"
    return err.value


def test_precheck_reads_the_wdpa_record(db):
    # given a site with no WDPA id, no category, no governance type and only a point
    bare = ProtectedAreaFactory(
        wdpa_id=None,
        iucn_category="Not Reported",
        governance_type="Not Reported",
        geom=None,
        geom_display=None,
        point=Point(105.0, 15.0),
    )
    # and a registered OECM with a governance type and a boundary
    oecm = ProtectedAreaFactory(site_type="OECM", iucn_category="Not Applicable", governance_type="Local communities")
    # then every line of the first fails, with its reason, and every line of the second passes
    lines = {i.code: i for i in precheck(bare)}
    assert [code for code, i in lines.items() if i.passed] == []
    assert "no WDPA id" in str(lines["registered"].reason)
    assert "not an OECM" in str(lines["category"].reason)
    assert "No governance type" in str(lines["governance"].reason)
    assert "no boundary" in str(lines["boundary"].reason)
    assert all(i.passed for i in precheck(oecm))
    assert "OECM" in str({i.code: i for i in precheck(oecm)}["category"].reason)


def test_precheck_names_a_wdpa_governance_type_in_the_readers_language(db):
    # given a WDPA governance type (spelt as one WDPA copy spells it) and a national file's own words
    from django.utils import translation

    from tests.catalogue import translated

    wdpa = ProtectedAreaFactory(governance_type="Federal or national ministry or agency ")
    national = ProtectedAreaFactory(governance_type="Conseil départemental")
    french = {"Federal or national ministry or agency": "Ministère ou agence fédéral ou national"}
    # when the pre-check is read in French
    with translated("fr", french), translation.override("fr"):
        reasons = [str({i.code: i for i in precheck(a)}["governance"].reason) for a in (wdpa, national)]
    # then the WDPA value is named in French, and the national words are shown as they are
    assert "Ministère ou agence fédéral ou national" in reasons[0] and "ministry" not in reasons[0]
    assert "Conseil départemental" in reasons[1]


def test_staff_move_to_candidate_only_once_the_group_and_the_reviewer_agree(applicant, expert, reviewer, staff):
    # given nothing recorded: the move is refused, naming both steps
    refused = _refusal(applicant, staff)
    assert refused.code == "eligibility_not_established"
    assert refused.data["missing"] == ["evaluation_missing", "check_missing"]
    assert "expert group has not evaluated" in refused.message and "override" in refused.message
    # when the group finds the site eligible, the reviewer's check is still missing
    services.evaluation_record(assessment=applicant, by=expert, eligible=True, reasons="Category IV, in the WDPA.")
    assert _refusal(applicant, staff).data["missing"] == ["check_missing"]
    # when the reviewer does not confirm, that is what is missing
    services.check_record(assessment=applicant, by=reviewer, confirmed=False, reasons="No governance type.")
    assert _refusal(applicant, staff).data["missing"] == ["check_negative"]
    # and a new evaluation makes the older check void: it checked another evaluation
    services.evaluation_record(assessment=applicant, by=expert, eligible=True, reasons="Governance type now known.")
    assert _refusal(applicant, staff).data["missing"] == ["check_missing"]
    # when the reviewer confirms the evaluation in effect, staff move it
    services.check_record(assessment=applicant, by=reviewer, confirmed=True, reasons="Process followed.")
    transition(applicant, "candidate", by=staff)
    applicant.refresh_from_db()
    assert applicant.status == "candidate"
    # then the history is kept, every record audited with who and the reasons
    assert EligibilityRecord.objects.filter(assessment=applicant).count() == 4
    events = AuditEvent.objects.filter(action__startswith="eligibility.").order_by("id")
    assert [(e.action, e.actor_id, e.data["positive"]) for e in events] == [
        ("eligibility.evaluation", expert.pk, True),
        ("eligibility.check", reviewer.pk, False),
        ("eligibility.evaluation", expert.pk, True),
        ("eligibility.check", reviewer.pk, True),
    ]
    # and nothing more is recorded once the application phase is over
    with pytest.raises(Conflict) as err:
        services.evaluation_record(assessment=applicant, by=expert, eligible=False, reasons="Too late.")
    assert err.value.code == "eligibility_phase_closed"


def test_a_negative_evaluation_blocks_until_staff_override_with_a_reason(applicant, expert, reviewer, staff):
    services.evaluation_record(assessment=applicant, by=expert, eligible=False, reasons="Only a point is recorded.")
    services.check_record(assessment=applicant, by=reviewer, confirmed=True, reasons="Agreed.")
    assert _refusal(applicant, staff).data["missing"] == ["evaluation_negative"]
    # an override needs its reason
    with pytest.raises(DomainError) as err:
        services.override_record(assessment=applicant, by=staff, reasons="  ")
    assert err.value.code == "reasons_required"
    services.override_record(assessment=applicant, by=staff, reasons="Boundary filed with the ministry; see letter.")
    assert gate_state(applicant).established
    transition(applicant, "candidate", by=staff)
    assert AuditEvent.objects.filter(action="eligibility.override", actor=staff).exists()


def test_who_may_record(applicant, jurisdiction, site_manager, expert, reviewer, staff):
    other_group = Jurisdiction.objects.create(code="la", name="Lao PDR", countries=["LAO"])
    outsider_expert = make_user(Role.EXPERT, jurisdiction=other_group)
    expert_and_reviewer = make_user(Role.EXPERT, jurisdiction=jurisdiction)
    for person in (site_manager, outsider_expert, reviewer, staff):
        with pytest.raises(NotAllowed):
            services.evaluation_record(assessment=applicant, by=person, eligible=True, reasons="r")
    # nothing to check before the group evaluated
    with pytest.raises(Conflict) as err:
        services.check_record(assessment=applicant, by=reviewer, confirmed=True, reasons="r")
    assert err.value.code == "eligibility_no_evaluation"
    # the independent check is not made by whoever evaluated
    from accounts.services import role_grant

    role_grant(user=expert_and_reviewer, role=Role.INDEPENDENT_REVIEWER, granted_by=None)
    services.evaluation_record(assessment=applicant, by=expert_and_reviewer, eligible=True, reasons="r")
    with pytest.raises(NotAllowed):
        services.check_record(assessment=applicant, by=expert_and_reviewer, confirmed=True, reasons="r")
    for person in (site_manager, expert, staff):
        with pytest.raises(NotAllowed):
            services.check_record(assessment=applicant, by=person, confirmed=True, reasons="r")
    for person in (site_manager, expert, reviewer):
        with pytest.raises(NotAllowed):
            services.override_record(assessment=applicant, by=person, reasons="r")
    assert EligibilityRecord.objects.filter(assessment=applicant).count() == 1


def test_where_the_jurisdiction_appoints_a_reviewer_only_that_reviewer_checks(
    applicant, api_client, client, jurisdiction, expert, reviewer
):
    from eligibility.rules import can_record_check, reviewer_may_check
    from eligibility.worklists import gate_work
    from standards.models import JurisdictionOnboarding

    # given the group's evaluation, and the jurisdiction's onboarding appointing another reviewer
    services.evaluation_record(assessment=applicant, by=expert, eligible=True, reasons="Category II.")
    appointed = make_user(Role.INDEPENDENT_REVIEWER)
    JurisdictionOnboarding.objects.update_or_create(jurisdiction=jurisdiction, defaults={"reviewer": appointed})
    # then the other independent reviewer may not check: the rule, the service, the API, the page, the list
    assert not reviewer_may_check(reviewer, applicant) and not can_record_check(reviewer, applicant)
    with pytest.raises(NotAllowed) as refused:
        services.check_record(assessment=applicant, by=reviewer, confirmed=True, reasons="Process followed.")
    assert refused.value.code == "eligibility_not_allowed"
    api_client.force_authenticate(reviewer)
    response = api_client.post(
        reverse("eligibility-check", args=[applicant.pk]), {"confirmed": True, "reasons": "r"}, format="json"
    )
    assert (response.status_code, response.json()["code"]) == (403, "eligibility_not_allowed")
    client.force_login(reviewer)
    assert 'id="check-form"' not in client.get(reverse("eligibility:page", args=[applicant.pk])).content.decode()
    assert gate_work(reviewer).to_check == []
    assert not EligibilityRecord.objects.filter(step="check").exists()
    # and the appointed one does
    assert [a.pk for a in gate_work(appointed).to_check] == [applicant.pk]
    services.check_record(assessment=applicant, by=appointed, confirmed=True, reasons="Process followed.")
    # once the appointed reviewer no longer holds the role on the platform, any reviewer checks again
    from accounts.models import RoleAssignment

    RoleAssignment.objects.filter(user=appointed).delete()
    assert reviewer_may_check(reviewer, applicant)


def test_the_api_and_the_pages_obey_the_gate(applicant, api_client, client, site_manager, expert, reviewer, staff):
    state_url = reverse("eligibility-state", args=[applicant.pk])
    # given the site's own answer to 2.1.1
    answer = applicant.answers.get(indicator__number="2.1.1")
    answer_save(
        answer=answer,
        user=site_manager,
        expected_version=answer.version,
        changes={"rating": "meets", "justification": "Gazetted in 2002 as a nature reserve."},
    )
    # staff's move through the API is refused with the stable code and what is missing
    api_client.force_authenticate(staff)
    moved = api_client.post(
        reverse("assessment-transition-list", args=[applicant.pk]), {"to": "candidate"}, format="json"
    )
    assert moved.status_code == 409
    assert moved.json()["code"] == "eligibility_not_established"
    assert moved.json()["missing"] == ["evaluation_missing", "check_missing"]
    # the site team reads the gate: the pre-check, its answers to 2.1.1/2.1.2, what is missing
    api_client.force_authenticate(site_manager)
    body = api_client.get(state_url).json()
    assert [i["code"] for i in body["precheck"]] == ["registered", "category", "governance", "boundary"]
    assert [(a["number"], a["rating"]) for a in body["answers"]] == [("2.1.1", "meets"), ("2.1.2", "")]
    assert body["established"] is False and [m["code"] for m in body["missing"]] == [
        "evaluation_missing",
        "check_missing",
    ]
    # reasons are required on the API too
    api_client.force_authenticate(expert)
    blank = api_client.post(state_url + "evaluation/", {"eligible": True, "reasons": ""}, format="json")
    assert blank.status_code == 400 and blank.json()["code"] == "reasons_required"
    assert (
        api_client.post(state_url + "evaluation/", {"eligible": True, "reasons": "ok"}, format="json").status_code
        == 201
    )
    api_client.force_authenticate(reviewer)
    checked = api_client.post(state_url + "check/", {"confirmed": True, "reasons": "fine"}, format="json")
    assert checked.status_code == 201 and checked.json()["verdict"] == "Confirmed"
    # the site team's assessment page said what was missing; now it says the gate is established
    client.force_login(site_manager)
    page = client.get(reverse("assessments:detail", args=[applicant.pk])).content.decode()
    assert 'id="eligibility-notice"' in page and "Eligibility established" in page
    # staff's button on the phase page moves it
    client.force_login(staff)
    client.post(reverse("assessments:transition", args=[applicant.pk]), {"to": "candidate"})
    applicant.refresh_from_db()
    assert applicant.status == "candidate"


def test_the_page_says_staff_may_accept_only_while_they_still_can(
    applicant, client, site_manager, expert, reviewer, staff
):
    # given eligibility established in the application phase: the page says staff may accept the site
    services.evaluation_record(assessment=applicant, by=expert, eligible=True, reasons="Category IV, in the WDPA.")
    services.check_record(assessment=applicant, by=reviewer, confirmed=True, reasons="Process followed.")
    url = reverse("eligibility:page", args=[applicant.pk])
    client.force_login(site_manager)
    page = client.get(url).content.decode()
    assert 'id="gate-established"' in page and "IUCN staff may accept the site as a candidate" in page
    # when staff have accepted it, the site is a candidate: the page no longer offers what is done
    transition(applicant, "candidate", by=staff)
    for person in (site_manager, staff):
        client.force_login(person)
        page = client.get(url).content.decode()
        assert 'id="gate-established"' not in page
        assert "may accept the site as a candidate" not in page
        assert "The application phase is over" in page
        assert 'value="candidate"' not in page
