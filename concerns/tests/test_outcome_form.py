"""The Panel's outcome form (UI review): the members with a conflict of interest on the site are
listed but cannot be chosen, each with why, instead of being refused once the form is sent; the
page reads every member's conflicts in the same number of queries however large the Panel is."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.services import role_grant
from accounts.tests.factories import Role
from certification.choices import PanelCoi
from certification.models import PanelSeat
from certification.tests.factories import make_panel_member
from concerns import error_codes, services
from core.errors import DomainError

from .factories import confirmed

AUTHORITY = "Forest Protection Department"


def _advised(area, staff, site_manager, expert):
    concern = confirmed(area)
    services.concern_triage(concern=concern, by=staff, admissible=True, reason="ok", advisers=[expert])
    services.concern_answer(concern=concern, by=site_manager, text="Answer.")
    return services.concern_advise(concern=concern, by=expert, text="Advice.")


def _checkbox(body: str, user) -> str:
    found = re.search(rf'<input type="checkbox" name="members" value="{user.pk}"[^>]*>', body)
    assert found, f"{user.email} is not listed"
    return found.group(0)


def _page(client, concern) -> str:
    return client.get(reverse("concerns:detail", args=[concern.pk])).content.decode()


@pytest.fixture
def concern(area, certificate, staff, site_manager, expert):
    type(area).objects.filter(pk=area.pk).update(management_authority=AUTHORITY)
    return _advised(area, staff, site_manager, expert)


def test_conflicted_members_are_listed_disabled_with_why(client, area, certificate, concern):
    # given the chair, a free member, one working for the site's managing authority, one on the
    # site's team, and one who declared a conflict on the Panel case that listed the site
    chair = make_panel_member(email="chair@example.org", chair=True)
    free = make_panel_member(email="free@example.org")
    same_org = make_panel_member(email="forester@example.org", organisation=AUTHORITY)
    teammate = make_panel_member(email="teammate@example.org")
    role_grant(user=teammate, role=Role.SITE_MANAGER, granted_by=None, protected_area=area)
    declared = PanelSeat.objects.filter(case__assessment=certificate.decision.assessment).first()
    PanelSeat.objects.filter(pk=declared.pk).update(coi_status=PanelCoi.CONFLICT)
    # when the chair opens the outcome form
    client.force_login(chair)
    body = _page(client, concern)
    # then the free member may be chosen, the conflicted ones are listed, disabled, each with why
    assert "disabled" not in _checkbox(body, free)
    for member in (same_org, teammate, declared.user):
        box = _checkbox(body, member)
        assert "disabled" in box and f'aria-describedby="member-{member.pk}-why"' in box
    assert re.search(rf'id="member-{same_org.pk}-why">[^<]*works for “{AUTHORITY}”', body)
    assert re.search(rf'id="member-{teammate.pk}-why">[^<]*is on the team of', body)
    assert re.search(rf'id="member-{declared.user.pk}-why">[^<]*declared a conflict of interest', body)
    assert f'id="member-{free.pk}-why"' not in body
    assert 'id="my-conflicts"' not in body
    # and the service still refuses a conflicted member sent anyway
    with pytest.raises(DomainError) as refused:
        services.concern_outcome_record(
            concern=concern, by=chair, members=[free, teammate], kind="no_action", reasons="r", public_summary="s"
        )
    assert refused.value.code == error_codes.CONCERN_PANEL_CONFLICT


def test_a_conflicted_chair_is_told_before_sending(client, concern):
    chair = make_panel_member(email="chair@example.org", chair=True, organisation=AUTHORITY)
    client.force_login(chair)
    body = _page(client, concern)
    assert re.search(r'id="my-conflicts">[^<]*cannot record the Panel', body)


def test_the_members_conflicts_cost_the_same_queries_however_many_members(client, area, concern):
    chair = make_panel_member(email="chair@example.org", chair=True)
    make_panel_member(email="p1@example.org")
    client.force_login(chair)
    _page(client, concern)  # warm up (sessions, content types)
    with CaptureQueriesContext(connection) as few:
        _page(client, concern)
    # given four more members, three of them conflicted in different ways
    make_panel_member(email="p2@example.org")
    make_panel_member(email="p3@example.org", organisation=AUTHORITY)
    for email in ("p4@example.org", "p5@example.org"):
        role_grant(user=make_panel_member(email=email), role=Role.SITE_MANAGER, granted_by=None, protected_area=area)
    with CaptureQueriesContext(connection) as many:
        body = _page(client, concern)
    assert body.count('name="members"') >= 5
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
