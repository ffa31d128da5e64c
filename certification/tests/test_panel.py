"""The IUCN Green List Panel decides (issue 16): cases, declarations, votes, the rule, the API,
the pages and the members' worklist. Refusals leave everything unchanged."""

import pytest

from accounts.tests.factories import Role, make_user
from audit.models import AuditEvent
from certification import error_codes, panel
from certification.models import Certificate, Decision, PanelCase
from certification.tests.factories import make_panel_member
from core.errors import DomainError
from core.models import OutgoingEmail


@pytest.fixture
def members(db):
    """Three members: a chair, a member, and one working for the site's managing organisation."""
    return [
        make_panel_member(email="chair@panel.test", chair=True, language="fr"),
        make_panel_member(email="member@panel.test"),
        make_panel_member(email="conflicted@panel.test"),
    ]


@pytest.fixture
def case(recommended, staff, members):
    area = recommended.protected_area
    type(area).objects.filter(pk=area.pk).update(management_authority="Forest Protection Department")
    type(members[2]).objects.filter(pk=members[2].pk).update(organisation="Forest Protection Department")
    members[2].refresh_from_db()
    return panel.panel_case_open(assessment=recommended, by=staff, members=members)


def refused(code, call, **kwargs):
    with pytest.raises(DomainError) as err:
        call(**kwargs)
    assert err.value.code == code, err.value.message
    return err.value


def test_opening_a_case_seats_members_excludes_the_conflicted_and_emails_them(case, members):
    seats = {s.user.email: s for s in case.seats.all()}
    assert seats["chair@panel.test"].is_chair and seats["chair@panel.test"].coi_status == "pending"
    # the experts' automatic warning (same organisation) excludes the third member at once
    conflicted = seats["conflicted@panel.test"]
    assert conflicted.coi_status == "conflict" and conflicted.warnings[0]["kind"] == "same_organisation"
    emails = {tuple(e.to): e for e in OutgoingEmail.objects.filter(kind="certification.panel_case")}
    assert set(emails) == {(m.email,) for m in members}
    assert "Panel" in emails[("chair@panel.test",)].subject and str(case.pk) in emails[("chair@panel.test",)].body
    site, cycle = case.assessment.protected_area.name, case.assessment.cycle_label
    # (the chair reads French: "a soumis <site>, cycle 1 (2026), au Panel")
    assert f" {site}, {cycle}, " in emails[("chair@panel.test",)].body
    assert AuditEvent.objects.filter(action="panel.case_opened").count() == 1


def test_nobody_who_reviewed_the_assessment_sits_and_a_non_member_is_refused(
    recommended, staff, review_staff, expert, outsider
):
    # review_staff ran the review; even holding the Panel role, they cannot sit
    from accounts.services import role_grant

    role_grant(user=review_staff, role=Role.PANEL_MEMBER, granted_by=staff)
    err = refused(
        error_codes.PANEL_MEMBER_REVIEWED,
        panel.panel_case_open,
        assessment=recommended,
        by=staff,
        members=[make_panel_member(), review_staff],
    )
    assert err.field == "members"
    refused(error_codes.PANEL_NOT_MEMBER, panel.panel_case_open, assessment=recommended, by=staff, members=[outsider])
    refused(error_codes.PANEL_NOT_STAFF, panel.panel_case_open, assessment=recommended, by=expert, members=[])
    assert not PanelCase.objects.exists()


def test_bad_votes_are_refused(case, members, outsider, staff):
    chair, member, conflicted = members
    # a conflicted member's vote
    err = refused(error_codes.PANEL_CONFLICTED, panel.panel_vote, case=case, by=conflicted, choice="grant", reasons="x")
    assert err.http_status == 403
    # a member who has not declared yet; a non-member
    refused(error_codes.PANEL_COI_PENDING, panel.panel_vote, case=case, by=member, choice="grant", reasons="x")
    refused(error_codes.PANEL_NOT_MEMBER, panel.panel_vote, case=case, by=outsider, choice="grant", reasons="x")
    refused(error_codes.PANEL_NOT_MEMBER, panel.panel_vote, case=case, by=staff, choice="grant", reasons="x")
    panel.panel_declare(case=case, by=member, has_conflict=False)
    refused(error_codes.PANEL_COI_DECLARED, panel.panel_declare, case=case, by=member, has_conflict=True, note="x")
    refused(error_codes.PANEL_VOTE_INVALID, panel.panel_vote, case=case, by=member, choice="maybe", reasons="x")
    refused(error_codes.REASONS_REQUIRED, panel.panel_vote, case=case, by=member, choice="grant", reasons=" ")
    refused(
        error_codes.REASONS_REQUIRED,
        panel.panel_vote,
        case=case,
        by=member,
        choice="grant_with_conditions",
        reasons="x",
    )
    refused(
        error_codes.PANEL_VOTE_INVALID,
        panel.panel_vote,
        case=case,
        by=member,
        choice="not_grant",
        reasons="x",
        conditions="only if",
    )
    assert not case.seats.filter(vote__isnull=False).exists()


def test_no_decision_without_quorum_or_majority(case, members, staff, settings):
    chair, member, _conflicted = members
    settings.GREENLIST_PANEL_QUORUM = 2
    for m in (chair, member):
        panel.panel_declare(case=case, by=m, has_conflict=False)
    panel.panel_vote(case=case, by=chair, choice="grant", reasons="Met.")
    # one vote of two needed
    err = refused(error_codes.PANEL_NO_QUORUM, panel.panel_case_close, case=case, by=chair)
    assert err.http_status == 409
    # a tie
    panel.panel_vote(case=case, by=member, choice="not_grant", reasons="3.4 not met.")
    refused(error_codes.PANEL_NO_MAJORITY, panel.panel_case_close, case=case, by=staff)
    # a plain member may not record the decision, even when the rule is met
    panel.panel_vote(case=case, by=member, choice="grant_with_conditions", reasons="Met.", conditions="Patrols.")
    refused(error_codes.PANEL_NOT_CLOSER, panel.panel_case_close, case=case, by=member)
    assert not Decision.objects.exists() and PanelCase.objects.get(pk=case.pk).status == "open"


def test_a_majority_to_defer_closes_the_case_without_a_decision(case, members, staff, recommended):
    chair, member, _conflicted = members
    for m in (chair, member):
        panel.panel_declare(case=case, by=m, has_conflict=False)
        panel.panel_vote(case=case, by=m, choice="defer", reasons="Wait for the site visit.")
    closed = panel.panel_case_close(case=case, by=chair)
    assert closed.status == "deferred" and not Decision.objects.exists()
    recommended.refresh_from_db()
    assert recommended.status == "recommended"
    # the secretariat may put it before the Panel again
    assert panel.panel_case_open(assessment=recommended, by=staff, members=[chair, member]).status == "open"


def test_the_panel_decides_through_the_api_and_conflicted_members_see_no_votes(
    api_client, recommended, staff, members, case
):
    chair, member, conflicted = members
    base = f"/api/v1/certification/panel-cases/{case.pk}/"
    # a second case on the same assessment is refused while this one is open
    api_client.force_authenticate(staff)
    body = {"assessment": recommended.pk, "members": [chair.pk, member.pk]}
    response = api_client.post("/api/v1/certification/panel-cases/", body, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "panel_case_already_open")
    for m in (chair, member):
        api_client.force_authenticate(m)
        assert api_client.post(base + "declare/", {"has_conflict": False}, format="json").status_code == 200
        body = {"choice": "grant_with_conditions", "reasons": "Met.", "conditions": f"Patrol plan ({m.email})."}
        assert api_client.post(base + "vote/", body, format="json").status_code == 200
    # the conflicted member cannot vote nor see the votes
    api_client.force_authenticate(conflicted)
    response = api_client.post(base + "vote/", {"choice": "grant", "reasons": "x"}, format="json")
    assert (response.status_code, response.json()["code"]) == (403, "panel_member_conflicted")
    seen = api_client.get(base).json()
    assert seen["seats"] is None and seen["tally"] is None and seen["my_seat"]["coi_status"] == "conflict"
    # the chair sees the tally and records the decision with the public summary
    api_client.force_authenticate(chair)
    assert api_client.get(base).json()["tally"]["outcome"] == "granted"
    response = api_client.post(base + "close/", {"public_summary": "A well-run reserve."}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "decided"
    decision = Decision.objects.get()
    assert decision.decided_by == chair and decision.outcome == "granted"
    assert "chair@panel.test" in decision.conditions and "member@panel.test" in decision.conditions
    assert Certificate.objects.get(decision=decision).status == "active"


def test_a_decided_case_page_shows_the_decision_and_no_form_to_record_it_again(
    client, case, members, staff, recommended
):
    chair, member, _conflicted = members
    url = f"/certification/panel/{case.pk}/"
    for m in (chair, member):
        panel.panel_declare(case=case, by=m, has_conflict=False)
        panel.panel_vote(case=case, by=m, choice="grant", reasons="All criteria met.")
    # while the case is open, its chair and the secretariat are offered the form
    for closer in (chair, staff):
        client.force_login(closer)
        assert 'id="close-title"' in client.get(url).content.decode()
    panel.panel_case_close(case=case, by=chair, public_summary="A well-run reserve.")
    # once decided, the page shows the decision to both, and no form
    for closer in (chair, staff):
        client.force_login(closer)
        page = client.get(url).content.decode()
        assert 'id="decision-title"' in page and 'id="close-title"' not in page and "decide-form" not in page


def test_pages_list_cases_and_let_members_declare_and_vote(client, case, members, staff, recommended):
    from greenlist.home import home_context

    chair, member, conflicted = members
    # the member's home lists the case awaiting their declaration
    assert [s.case_id for s in home_context(member)["panel_seats"]] == [case.pk]
    client.force_login(member)
    assert str(recommended.protected_area.name) in client.get("/certification/panel/").content.decode()
    url = f"/certification/panel/{case.pk}/"
    client.post(url + "declare/", {"has_conflict": "no"})
    client.post(url + "vote/", {"choice": "grant", "reasons": "All criteria met."})
    page = client.get(url).content.decode()
    assert "All criteria met." in page and 'id="tally"' in page
    assert home_context(member)["panel_seats"] == []
    # the conflicted member sees neither the votes nor the forms
    client.force_login(conflicted)
    page = client.get(url).content.decode()
    assert "All criteria met." not in page and 'id="tally"' not in page and "Cast my vote" not in page
    # the secretariat opens cases from a page (the form lists the Panel's members)
    client.force_login(staff)
    page = client.get(f"/certification/assessments/{recommended.pk}/panel/").content.decode()
    assert "chair@panel.test" in page or chair.full_name in page
    # someone outside the case gets 404, a site manager 403 on the list
    client.force_login(make_user(Role.PANEL_MEMBER))
    assert client.get(url).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("bad_id", ["null,null", "abc", "1.5"])
def test_a_case_id_that_is_no_number_is_a_404_never_a_500(api_client, staff, bad_id):
    # found by the API fuzzer: the id went to the database as text
    api_client.force_authenticate(staff)
    for action in ("", "declare/", "vote/", "close/"):
        method = api_client.get if not action else api_client.post
        assert method(f"/api/v1/certification/panel-cases/{bad_id}/{action}", {}).status_code == 404


@pytest.mark.django_db
def test_a_panel_case_id_that_is_a_superscript_digit_is_not_found(api_client):
    """'²'.isdigit() is true but int('²') fails: 404, not a 500."""
    api_client.force_authenticate(make_panel_member(email="superscript@panel.test"))
    assert api_client.get("/api/v1/certification/panel-cases/²/").status_code == 404
