"""Jurisdictions' onboarding record (issue 16): staff keep it, the jurisdiction's experts read it,
the expert group's size is shown with a warning below ten (standards/onboarding.py)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import Role, make_user
from audit.models import AuditEvent
from core.errors import DomainError, NotAllowed
from standards import onboarding
from standards.models import Jurisdiction

pytestmark = pytest.mark.django_db
DAY = datetime.date(2025, 3, 14)


def _experts(jurisdiction, n, start=0):
    for i in range(start, start + n):
        make_user(Role.EXPERT, email=f"x{i}-{jurisdiction.code}@example.org", jurisdiction=jurisdiction)


def test_staff_record_the_conditions_partner_and_reviewer_with_an_audit_event(staff, reviewer, jurisdiction):
    # given: three conditions found met, one not yet
    changes = {f"condition_{n}_label": f"Condition wording {n}" for n in (1, 2, 3, 4)}
    changes |= {f"condition_{n}_met_on": DAY for n in (1, 2, 3)}
    changes |= {"implementing_partner": " IUCN Viet Nam ", "reviewer": reviewer, "reviewer_appointed_on": DAY}
    # when
    record = onboarding.onboarding_update(jurisdiction=jurisdiction, by=staff, changes=changes)
    # then
    assert record.implementing_partner == "IUCN Viet Nam" and record.reviewer == reviewer
    assert record.conditions_met == 3
    event = AuditEvent.objects.get(action="jurisdiction.onboarding_updated", target_id=str(jurisdiction.pk))
    assert event.actor == staff and event.data["after"]["condition_1_met_on"] == "2025-03-14"
    # the fourth condition: the record is complete; a save changing nothing records nothing
    onboarding.onboarding_update(jurisdiction=jurisdiction, by=staff, changes={"condition_4_met_on": DAY})
    onboarding.onboarding_update(jurisdiction=jurisdiction, by=staff, changes={"condition_4_met_on": DAY})
    assert AuditEvent.objects.filter(action="jurisdiction.onboarding_updated").count() == 2
    j = onboarding.get_jurisdiction_for_onboarding(staff, jurisdiction.pk)
    assert onboarding.onboarding_state(j).complete


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"condition_2_met_on": DAY}, "onboarding_condition_unnamed"),
        ({"reviewer_name": "A. Person", "reviewer": "REVIEWER"}, "onboarding_reviewer_ambiguous"),
        ({"reviewer": "EXPERT"}, "onboarding_reviewer_not_accredited"),
        ({"joined_on": datetime.date(2999, 1, 1)}, "date_in_future"),
    ],
)
def test_refused_changes_say_why_and_change_nothing(staff, reviewer, expert, jurisdiction, changes, code):
    people = {"REVIEWER": reviewer, "EXPERT": expert}
    changes = {k: people.get(v, v) if isinstance(v, str) else v for k, v in changes.items()}
    with pytest.raises(DomainError) as refused:
        onboarding.onboarding_update(jurisdiction=jurisdiction, by=staff, changes=changes)
    assert refused.value.code == code
    assert not AuditEvent.objects.filter(action="jurisdiction.onboarding_updated").exists()


def test_only_staff_edit_and_only_staff_and_the_jurisdictions_experts_read(
    staff, expert, site_manager, reviewer, jurisdiction
):
    elsewhere = Jurisdiction.objects.create(code="zz", name="Elsewhere", countries=["ZZZ"])
    with pytest.raises(NotAllowed):
        onboarding.onboarding_update(jurisdiction=jurisdiction, by=expert, changes={"notes": "x"})
    assert onboarding.get_jurisdiction_for_onboarding(expert, jurisdiction.pk) == jurisdiction
    for person, pk in ((expert, elsewhere.pk), (site_manager, jurisdiction.pk), (reviewer, jurisdiction.pk)):
        with pytest.raises(NotAllowed):
            onboarding.get_jurisdiction_for_onboarding(person, pk)
    assert list(onboarding.jurisdictions_with_onboarding(expert)) == [jurisdiction]
    assert len(onboarding.jurisdictions_with_onboarding(staff)) == 2


def test_api_reads_counts_experts_and_staff_update(api_client, staff, expert, reviewer, jurisdiction):
    _experts(jurisdiction, 2)  # with `expert`: three accredited
    api_client.force_authenticate(expert)
    body = api_client.get(f"/api/v1/jurisdiction-onboarding/{jurisdiction.pk}/").json()
    assert body["accredited_experts"] == 3 and body["too_few_experts"] is True and body["minimum_experts"] == 10
    assert body["conditions"][0] == {"number": 1, "wording": "", "met_on": None}
    refused = api_client.patch(f"/api/v1/jurisdiction-onboarding/{jurisdiction.pk}/", {"notes": "x"}, format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "not_staff"
    api_client.force_authenticate(staff)
    path = f"/api/v1/jurisdiction-onboarding/{jurisdiction.pk}/"
    bad = api_client.patch(path, {"condition_1_met_on": "2025-01-02"}, format="json")
    assert bad.status_code == 400 and bad.json()["code"] == "onboarding_condition_unnamed"
    unknown = api_client.patch(path, {"colour": "green"}, format="json")
    assert unknown.status_code == 400
    ok = api_client.patch(
        path,
        {"condition_1_label": "Wording", "condition_1_met_on": "2025-01-02", "reviewer": reviewer.pk},
        format="json",
    )
    assert ok.status_code == 200, ok.json()
    assert ok.json()["conditions"][0]["met_on"] == "2025-01-02" and ok.json()["reviewer"]["id"] == reviewer.pk


def test_list_query_count_does_not_grow_with_jurisdictions_or_experts(api_client, client, staff, jurisdiction):
    api_client.force_authenticate(staff)
    client.force_login(staff)
    with CaptureQueriesContext(connection) as api_few, CaptureQueriesContext(connection):
        api_client.get("/api/v1/jurisdiction-onboarding/")
    with CaptureQueriesContext(connection) as page_few:
        client.get("/standard/jurisdictions/")
    for code in ("aa", "bb", "cc"):
        j = Jurisdiction.objects.create(code=code, name=code.upper(), countries=[])
        _experts(j, 2)
        onboarding.onboarding_update(jurisdiction=j, by=staff, changes={"implementing_partner": "P"})
    with CaptureQueriesContext(connection) as api_many:
        body = api_client.get("/api/v1/jurisdiction-onboarding/").json()
    with CaptureQueriesContext(connection) as page_many:
        client.get("/standard/jurisdictions/")
    assert len(body) == 4 and {row["accredited_experts"] for row in body} == {0, 2}
    assert len(api_many) == len(api_few) and len(page_many) == len(page_few)


def test_pages_warn_below_ten_accredited_experts_and_not_at_ten(client, staff, expert, jurisdiction):
    _experts(jurisdiction, 8)  # nine with `expert`
    client.force_login(expert)
    page = client.get(f"/standard/jurisdictions/{jurisdiction.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Only 9 accredited experts" in page and "No public source names them" in page
    assert "Save the onboarding record" not in page  # experts read, staff edit
    _experts(jurisdiction, 1, start=100)
    assert "accredited experts:" not in client.get(f"/standard/jurisdictions/{jurisdiction.pk}/").content.decode()
    # staff save through the page
    client.force_login(staff)
    response = client.post(
        f"/standard/jurisdictions/{jurisdiction.pk}/",
        {"condition_1_label": "Policy", "condition_1_met_on": "2025-01-02", "implementing_partner": "Partner"},
    )
    assert response.status_code == 302
    page = client.get("/standard/jurisdictions/").content.decode()
    assert "Partner" in page and "1 of 4" in page


def test_staff_home_lists_the_jurisdictions_below_ten_accredited_experts(client, staff, expert, jurisdiction):
    full = Jurisdiction.objects.create(code="full", name="Full Group", countries=[])
    _experts(full, 10)
    client.force_login(staff)
    page = client.get("/").content.decode()
    assert f'href="/standard/jurisdictions/{jurisdiction.pk}/"' in page and "1 accredited expert" in page
    assert f'href="/standard/jurisdictions/{full.pk}/"' not in page
