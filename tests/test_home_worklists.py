"""The home page as each role's worklist: what to do next, with a link that goes there (issue 15)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import DEFAULT_PASSWORD, Role, make_user
from assessments import services as assessment_services
from assessments.models import Answer
from assessments.workflow import transition
from eligibility.tests.factories import make_eligible
from evidence.choices import ProcessingStatus
from evidence.models import EvidenceItem
from protected_areas.tests.factories import ProtectedAreaFactory
from reviews import services as review_services
from reviews.tests.factories import make_standard, submitted_assessment

pytestmark = pytest.mark.django_db


def _home(client, user) -> str:
    client.login(username=user.email, password=DEFAULT_PASSWORD)
    return client.get("/").content.decode()


def _candidate(area, manager, staff, answered: int):
    assessment = assessment_services.assessment_create(protected_area=area, user=manager, year=2026)
    make_eligible(assessment, staff=staff)
    transition(assessment, "candidate", by=staff)
    for answer in Answer.objects.filter(assessment=assessment).order_by("indicator__position")[:answered]:
        assessment_services.answer_save(
            answer=answer,
            user=manager,
            expected_version=answer.version,
            changes={"rating": "meets", "justification": "Shown by the plan."},
        )
    return assessment


def test_a_site_manager_is_told_how_many_indicators_are_left_and_taken_to_the_next(client, area, site_manager, staff):
    make_standard(5)
    assessment = _candidate(area, site_manager, staff, answered=2)
    page = _home(client, site_manager)
    assert f"Continue {area.name}: 3 indicators left" in page
    assert f'href="/assessments/{assessment.pk}/#next-unanswered"' in page


def test_reviewers_questions_reach_the_site_team_home_and_nobody_elses(
    client, area, site_manager, other_manager, staff, jurisdiction
):
    assessment = submitted_assessment(area=area, manager=site_manager, staff=staff)
    review_services.review_start(assessment=assessment, by=staff)
    answer = Answer.objects.filter(assessment=assessment).order_by("indicator__position").first()
    req = review_services.information_request_create(
        assessment=assessment, answer=answer, by=staff, question="Please send the minutes of the 2025 board meeting."
    )
    page = _home(client, site_manager)
    assert "1 question from reviewers" in page
    assert "Please send the minutes of the 2025 board meeting." in page
    assert f'href="/reviews/assessments/{assessment.pk}/indicators/{answer.pk}/#request-{req.pk}"' in page
    client.logout()
    assert "minutes of the 2025 board" not in _home(client, other_manager)
    # once closed, it leaves the worklist
    review_services.information_request_close(request=req, by=staff)
    client.logout()
    assert "0 questions from reviewers" in _home(client, site_manager)


def test_staff_see_groups_to_form_decisions_due_and_failed_evidence(client, area, site_manager, staff):
    assessment = submitted_assessment(area=area, manager=site_manager, staff=staff)
    item = EvidenceItem.objects.filter(assessment=assessment).first()
    EvidenceItem.objects.filter(pk=item.pk).update(processing_status=ProcessingStatus.FAILED)
    page = _home(client, staff)
    assert "1 review group to form" in page
    assert f'href="/reviews/assessments/{assessment.pk}/manage/"' in page
    assert "1 evidence file could not be processed" in page and item.title in page
    assert "0 decisions due" in page


def test_a_keeper_sees_the_drafts_of_the_standard_and_others_do_not(client, staff):
    from standards import content
    from standards.models import Standard

    source = make_standard(2)
    draft = content.create_version(
        {**content.content_of(source), "standard": {**content.content_of(source)["standard"], "version": "9-draft"}},
        status=Standard.Status.DRAFT,
    )
    keeper = make_user(Role.STANDARD_COMMITTEE, email="keeper@example.org")
    assert f'href="/standard/versions/{draft.pk}/"' in _home(client, keeper)
    client.logout()
    assert f"/standard/versions/{draft.pk}/" not in _home(client, staff)


def test_the_site_managers_home_costs_the_same_queries_for_one_site_or_four(client, area, site_manager, staff):
    make_standard(4)
    _candidate(area, site_manager, staff, answered=1)
    client.login(username=site_manager.email, password=DEFAULT_PASSWORD)
    with CaptureQueriesContext(connection) as one:
        client.get("/")
    for _ in range(3):
        more = ProtectedAreaFactory()
        from accounts.services import role_grant

        role_grant(user=site_manager, role=Role.SITE_MANAGER, granted_by=None, protected_area=more)
        _candidate(more, site_manager, staff, answered=1)
    with CaptureQueriesContext(connection) as four:
        client.get("/")
    assert len(four) == len(one)


def test_the_assessment_page_shows_open_questions_beside_their_indicator_to_the_site_team(
    client, area, site_manager, other_manager, staff, jurisdiction
):
    assessment = submitted_assessment(area=area, manager=site_manager, staff=staff)
    review_services.review_start(assessment=assessment, by=staff)
    answer = Answer.objects.filter(assessment=assessment).order_by("indicator__position").last()
    req = review_services.information_request_create(
        assessment=assessment, answer=answer, by=staff, question="Which year is the visitor survey from?"
    )
    client.login(username=site_manager.email, password=DEFAULT_PASSWORD)
    page = client.get(f"/assessments/{assessment.pk}/").content.decode()
    assert "1 question from reviewers is waiting for an answer:" in page
    assert f'href="#answer-{answer.pk}"' in page
    # beside the indicator: the question and the way to answer it
    block = page[page.index(f'id="answer-{answer.pk}"') :]
    assert "Which year is the visitor survey from?" in block[: block.index('<div class="answer">')]
    assert f"/reviews/assessments/{assessment.pk}/indicators/{answer.pk}/#request-{req.pk}" in block
    # answered questions leave the page's list
    review_services.information_reply_create(request=req, by=site_manager, text="2025.")
    assert "Which year is the visitor survey" not in client.get(f"/assessments/{assessment.pk}/").content.decode()


# --- issue 16: the eligibility gate and the Panel on people's homes ---------------------------------


def _application():
    """An application (the assessment's first phase) of a new site in Viet Nam, with its manager."""
    from standards.tests.factories import load_gls

    load_gls()
    area = ProtectedAreaFactory()
    manager = make_user(Role.SITE_MANAGER, protected_area=area)
    return assessment_services.assessment_create(protected_area=area, user=manager, year=2026)


def _queries(client, user) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/").status_code == 200
    return len(captured)


def test_the_gate_reaches_the_group_then_the_reviewer_then_staff(client, jurisdiction, expert, reviewer, staff):
    from eligibility import services as eligibility
    from standards.models import Jurisdiction

    # given an application in the group's jurisdiction, and an expert of another group
    applicant = _application()
    outsider = make_user(
        Role.EXPERT, jurisdiction=Jurisdiction.objects.create(code="la", name="Lao", countries=["LAO"])
    )
    gate = f'href="/assessments/{applicant.pk}/eligibility/"'
    # then the group's expert is asked to evaluate it; the other group's expert, the reviewer and staff not yet
    page = _home(client, expert)
    assert "1 application awaiting your eligibility evaluation" in page and gate in page
    for person, heading in ((outsider, "0 applications awaiting"), (reviewer, "0 eligibility evaluations awaiting")):
        client.logout()
        page = _home(client, person)
        assert heading in page and gate not in page
    client.logout()
    assert "0 applications with eligibility established" in _home(client, staff)
    # when the group evaluates, the reviewer is asked to check it, and it leaves the group's list
    eligibility.evaluation_record(assessment=applicant, by=expert, eligible=True, reasons="Category IV.")
    client.logout()
    page = _home(client, reviewer)
    assert "1 eligibility evaluation awaiting your check" in page and gate in page
    client.logout()
    assert gate not in _home(client, expert)
    # when the reviewer confirms, staff see it ready to move, and it leaves the reviewer's list
    eligibility.check_record(assessment=applicant, by=reviewer, confirmed=True, reasons="Process followed.")
    client.logout()
    assert gate not in _home(client, reviewer)
    client.logout()
    page = _home(client, staff)
    assert "1 application with eligibility established, ready to move to candidate" in page and gate in page
    # and once a candidate, it is on nobody's list
    transition(applicant, "candidate", by=staff)
    for person in (expert, reviewer, staff):
        client.logout()
        assert gate not in _home(client, person)


def test_a_check_waits_for_the_appointed_reviewer_and_never_for_the_evaluator(client, jurisdiction, expert, reviewer):
    from accounts.services import role_grant
    from eligibility import services as eligibility
    from standards.models import JurisdictionOnboarding

    both = make_user(Role.EXPERT, jurisdiction=jurisdiction)
    role_grant(user=both, role=Role.INDEPENDENT_REVIEWER, granted_by=None)
    applicant = _application()
    eligibility.evaluation_record(assessment=applicant, by=both, eligible=True, reasons="Category IV.")
    gate = f'href="/assessments/{applicant.pk}/eligibility/"'
    # the evaluator may not check their own evaluation: it is not on their list
    assert gate not in _home(client, both)
    client.logout()
    assert gate in _home(client, reviewer)
    # once the jurisdiction appoints another reviewer, it waits for them alone
    appointed = make_user(Role.INDEPENDENT_REVIEWER)
    JurisdictionOnboarding.objects.update_or_create(jurisdiction=jurisdiction, defaults={"reviewer": appointed})
    client.logout()
    assert gate not in _home(client, reviewer)
    client.logout()
    assert gate in _home(client, appointed)


def test_the_gates_worklists_cost_the_same_queries_for_one_application_or_four(
    client, jurisdiction, expert, reviewer, staff
):
    from eligibility import services as eligibility

    def world(n):
        for _ in range(n):
            _waiting, evaluated, established = _application(), _application(), _application()
            for assessment in (evaluated, established):
                eligibility.evaluation_record(assessment=assessment, by=expert, eligible=True, reasons="Fine.")
            eligibility.check_record(assessment=established, by=reviewer, confirmed=True, reasons="Fine.")

    world(1)
    small = {person.email: _queries(client, person) for person in (expert, reviewer, staff)}
    world(3)
    bigger = {person.email: _queries(client, person) for person in (expert, reviewer, staff)}
    assert bigger == small
    page = _home(client, staff)
    assert "4 applications with eligibility established" in page


def test_a_panel_members_home_says_what_each_case_waits_for_in_the_same_queries(client, staff, jurisdiction):
    from certification import panel
    from certification.tests.factories import make_panel_member
    from certification.tests.helpers import make_recommended
    from reviews.tests.factories import make_standard as standard

    standard(3)
    member, other = make_panel_member(email="member@panel.test"), make_panel_member()
    review_staff = make_user(Role.IUCN_STAFF)

    def case():
        area = ProtectedAreaFactory()
        manager = make_user(Role.SITE_MANAGER, protected_area=area)
        assessment = make_recommended(area=area, site_manager=manager, reviewer=review_staff)
        return panel.panel_case_open(assessment=assessment, by=staff, members=[member, other])

    first = case()
    page = _home(client, member)
    assert "1 Panel case awaiting your conflict declaration" in page and "0 Panel cases awaiting your vote" in page
    assert f'href="/certification/panel/{first.pk}/"' in page
    before = _queries(client, member)
    # when the member declares no conflict on it, it waits for their vote; two more cases wait for a declaration
    panel.panel_declare(case=first, by=member, has_conflict=False)
    case(), case()
    page = _home(client, member)
    assert "2 Panel cases awaiting your conflict declaration" in page and "1 Panel case awaiting your vote" in page
    assert _queries(client, member) == before


def test_staff_see_a_multi_site_application_ready_only_when_every_added_site_passes_its_precheck(
    client, jurisdiction, expert, reviewer, staff
):
    from assessments.sites import site_add
    from eligibility import services as eligibility

    # given an application whose added site has no WDPA record, found eligible and confirmed
    applicant = _application()
    unregistered = ProtectedAreaFactory(name="Unregistered Corridor", wdpa_id=None)
    site_add(
        assessment=applicant, area=unregistered, by=staff, connection="A forest corridor.", shared_values="Gibbons."
    )
    eligibility.evaluation_record(assessment=applicant, by=expert, eligible=True, reasons="Category IV.")
    eligibility.check_record(assessment=applicant, by=reviewer, confirmed=True, reasons="Process followed.")
    gate = f'href="/assessments/{applicant.pk}/eligibility/"'
    # then it is not ready for staff: the move would be refused (eligibility.selectors.gate_state)
    assert gate not in _home(client, staff)
    # until staff record an override with its reason
    eligibility.override_record(assessment=applicant, by=staff, reasons="The corridor's WDPA record is pending.")
    assert gate in client.get("/").content.decode()
