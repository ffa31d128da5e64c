"""Conditions on a listing (issue 16), as people meet them: the Panel's grant with condition rows
(page and API, bad rows refused field by field with nothing saved), the certificate's conditions
page, progress reports and the checker's moves, the Panel's list of open conditions (overdue
first, constant queries), and the API."""

import datetime

import pytest
from django.utils import timezone

from certification import conditions, panel
from certification.choices import ConditionChecker
from certification.models import Certificate, Decision, ListingCondition, PanelCase
from certification.tests.factories import make_panel_member


@pytest.fixture
def members(db):
    return [make_panel_member(email="chair@panel.test", chair=True), make_panel_member(email="member@panel.test")]


@pytest.fixture
def voted(recommended, staff, members):
    """An open case both members voted to grant with conditions on."""
    case = panel.panel_case_open(assessment=recommended, by=staff, members=members)
    for m in members:
        panel.panel_declare(case=case, by=m, has_conflict=False)
        panel.panel_vote(
            case=case, by=m, choice="grant_with_conditions", reasons="Met.", conditions=f"Patrol plan by {m.email}"
        )
    return case


def soon(days=90):
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


def rows(*items):
    return [{"text": t, "due_on": d, "checked_by": c} for t, d, c in items]


def test_the_panel_grants_with_structured_conditions_through_the_api(api_client, voted, members):
    chair = members[0]
    api_client.force_authenticate(chair)
    body = {
        "public_summary": "Well run.",
        "condition_items": rows(
            ("Publish the patrol plan.", soon(200), "expert_group"),
            ("Map the buffer zone.", soon(100), "secretariat"),
        ),
    }
    response = api_client.post(f"/api/v1/certification/panel-cases/{voted.pk}/close/", body, format="json")
    assert response.status_code == 200, response.json()
    decision = Decision.objects.get()
    items = list(conditions.conditions_for(decision.certificate))
    assert [c.text for c in items] == ["Map the buffer zone.", "Publish the patrol plan."]
    assert all(c.origin == "panel" and c.added_by == chair for c in items)
    # the decision keeps a readable summary of them
    assert "1. Publish the patrol plan." in decision.conditions and "2. Map the buffer zone." in decision.conditions


def test_bad_rows_are_refused_field_by_field_and_nothing_is_saved(api_client, voted, members):
    api_client.force_authenticate(members[0])
    body = {
        "condition_items": rows(
            ("Fine.", soon(), "expert_group"),
            ("", "2001-01-01", "the_mayor"),
            ("Too late.", soon(365 * 6), "secretariat"),
        )
    }
    response = api_client.post(f"/api/v1/certification/panel-cases/{voted.pk}/close/", body, format="json")
    assert response.status_code == 400
    answer = response.json()
    assert answer["code"] == "condition_items_invalid"
    per_row = answer["errors"]["condition_items"]
    assert per_row[0] == {}
    assert set(per_row[1]) == {"text", "due_on", "checked_by"}
    assert set(per_row[2]) == {"due_on"}
    assert not Decision.objects.exists() and not ListingCondition.objects.exists()
    assert PanelCase.objects.get().status == "open"


def test_a_grant_without_conditions_stays_possible(api_client, voted, members):
    api_client.force_authenticate(members[0])
    response = api_client.post(
        f"/api/v1/certification/panel-cases/{voted.pk}/close/", {"condition_items": []}, format="json"
    )
    assert response.status_code == 200
    assert Decision.objects.get().conditions == "" and not ListingCondition.objects.exists()


def test_the_close_page_offers_the_proposals_and_keeps_bad_rows_with_their_errors(client, voted, members):
    chair = members[0]
    client.force_login(chair)
    url = f"/certification/panel/{voted.pk}/"
    page = client.get(url).content.decode()
    assert "Patrol plan by chair@panel.test" in page and "Patrol plan by member@panel.test" in page
    post = {
        "public_summary": "Well run.",
        "cond-TOTAL_FORMS": "3",
        "cond-INITIAL_FORMS": "0",
        "cond-0-text": "Publish the plan.",
        "cond-0-due_on": "2001-01-01",
        "cond-0-checked_by": "expert_group",
        "cond-1-text": "Map the buffer.",
        "cond-1-due_on": soon(),
        "cond-1-checked_by": "secretariat",
        "cond-2-text": "",
        "cond-2-due_on": "",
        "cond-2-checked_by": "",
    }
    response = client.post(url + "close/", post)
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "The due date is in the past." in page and "Publish the plan." in page
    assert not Decision.objects.exists()
    post["cond-0-due_on"] = soon(30)
    client.post(url + "close/", post)
    certificate = Certificate.objects.get()
    assert [c.text for c in conditions.conditions_for(certificate)] == ["Publish the plan.", "Map the buffer."]


@pytest.fixture
def listed(certificate, staff):
    for i, checker in enumerate(ConditionChecker.values):
        conditions.condition_add(
            certificate=certificate,
            text=f"Condition {checker}",
            due_on=timezone.localdate() + datetime.timedelta(days=10 + i),
            checked_by=checker,
            by=staff,
        )
    return certificate


def test_the_conditions_page_reports_progress_and_records_the_checkers_move(client, listed, site_manager, staff):
    url = f"/certification/certificates/{listed.number}/conditions/"
    client.force_login(site_manager)
    page = client.get(url).content.decode()
    assert "Condition secretariat" in page and "Report progress" in page and "Mark fulfilled" not in page
    condition = ListingCondition.objects.get(checked_by="secretariat")
    response = client.post(f"/certification/conditions/{condition.pk}/progress/", {"text": "Half done."})
    assert response.status_code == 302
    assert (
        client.post(f"/certification/conditions/{condition.pk}/status/", {"to": "fulfilled", "note": "x"}).status_code
        == 403
    )
    client.force_login(staff)
    page = client.get(url).content.decode()
    assert "Half done." in page and "Mark fulfilled" in page and "Waive" in page
    client.post(f"/certification/conditions/{condition.pk}/status/", {"to": "fulfilled", "note": "Seen on site."})
    condition.refresh_from_db()
    assert condition.status == "fulfilled"
    # the certificate's page says how many are open (and overdue, once they are)
    page = client.get(f"/certification/certificates/{listed.number}/").content.decode()
    assert "2 open" in page and "overdue" not in page
    ListingCondition.objects.filter(status="open").update(due_on=timezone.localdate() - datetime.timedelta(days=1))
    page = client.get(f"/certification/certificates/{listed.number}/").content.decode()
    assert "2 overdue" in page


def test_staff_add_a_condition_on_the_page_and_bad_dates_are_named(client, listed, staff):
    client.force_login(staff)
    url = f"/certification/certificates/{listed.number}/conditions/"
    response = client.post(url, {"text": "Fence the core zone.", "due_on": "2001-01-01", "checked_by": "secretariat"})
    assert response.status_code == 400 and "The due date is in the past." in response.content.decode()
    response = client.post(url, {"text": "Fence the core zone.", "due_on": soon(), "checked_by": "secretariat"})
    assert response.status_code == 302
    assert ListingCondition.objects.filter(text="Fence the core zone.").exists()


def test_the_panel_sees_open_conditions_overdue_first_in_constant_queries(
    client, listed, staff, django_assert_max_num_queries
):
    member = make_panel_member()
    client.force_login(member)
    first = ListingCondition.objects.order_by("due_on").last()
    ListingCondition.objects.filter(pk=first.pk).update(due_on=timezone.localdate() - datetime.timedelta(days=3))
    with django_assert_max_num_queries(12) as small:
        page = client.get("/certification/conditions/").content.decode()
    queries = len(small.captured_queries)  # before the next request resets Django's query log
    assert page.index(first.text) < page.index("Condition expert_group")
    assert 'data-overdue="1"' in page
    # the Panel's cases page links the list with the count of overdue ones
    cases = client.get("/certification/panel/").content.decode()
    assert 'id="open-conditions-link"' in cases and 'data-overdue="1"' in cases
    for i in range(15):
        conditions.condition_add(
            certificate=listed,
            text=f"More {i}",
            due_on=datetime.date.fromisoformat(soon(20)),
            checked_by="secretariat",
            by=staff,
        )
    with django_assert_max_num_queries(queries):
        client.get("/certification/conditions/")


def test_the_conditions_page_costs_the_same_with_more_conditions(
    client, listed, site_manager, staff, django_assert_max_num_queries
):
    client.force_login(site_manager)
    url = f"/certification/certificates/{listed.number}/conditions/"
    with django_assert_max_num_queries(30) as small:
        client.get(url)
    for i in range(10):
        c = conditions.condition_add(
            certificate=listed,
            text=f"More {i}",
            due_on=datetime.date.fromisoformat(soon(20)),
            checked_by="secretariat",
            by=staff,
        )
        conditions.condition_report_progress(condition=c, by=site_manager, text="Started.")
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(url)


def test_the_certification_dashboard_links_the_open_conditions_for_staff(client, listed, staff):
    ListingCondition.objects.filter(checked_by="secretariat").update(
        due_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    client.force_login(staff)
    page = client.get("/certification/").content.decode()
    assert 'id="open-conditions-link"' in page and 'data-overdue="1"' in page


def test_outsiders_get_404_and_the_open_list_is_refused_to_others(client, listed, outsider, site_manager):
    client.force_login(outsider)
    assert client.get(f"/certification/certificates/{listed.number}/conditions/").status_code == 404
    assert client.get("/certification/conditions/").status_code == 403
    client.force_login(site_manager)
    assert client.get("/certification/conditions/").status_code == 403


def test_the_api_lists_adds_reports_and_moves(api_client, listed, staff, site_manager, outsider):
    api_client.force_authenticate(site_manager)
    listed_items = api_client.get("/api/v1/certification/conditions/").json()
    results = listed_items.get("results", listed_items)
    assert len(results) == 3 and results[0]["overdue"] is False
    pk = results[0]["id"]
    response = api_client.post(f"/api/v1/certification/conditions/{pk}/progress/", {"text": "Begun."}, format="json")
    assert response.status_code == 201 and response.json()["progress"][0]["text"] == "Begun."
    api_client.force_authenticate(staff)
    body = {"certificate": listed.number, "text": "New.", "due_on": "2001-01-01", "checked_by": "secretariat"}
    response = api_client.post("/api/v1/certification/conditions/", body, format="json")
    assert (response.status_code, response.json()["code"], response.json()["field"]) == (
        400,
        "condition_due_in_past",
        "due_on",
    )
    body["due_on"] = soon()
    assert api_client.post("/api/v1/certification/conditions/", body, format="json").status_code == 201
    secretariat = ListingCondition.objects.get(checked_by="secretariat", text__startswith="Condition")
    response = api_client.post(
        f"/api/v1/certification/conditions/{secretariat.pk}/transition/", {"to": "waived", "note": ""}, format="json"
    )
    assert response.status_code == 400
    response = api_client.post(
        f"/api/v1/certification/conditions/{secretariat.pk}/transition/",
        {"to": "waived", "note": "Overtaken."},
        format="json",
    )
    assert response.status_code == 200 and response.json()["status"] == "waived"
    assert len(api_client.get("/api/v1/certification/conditions/open/").json()) >= 1
    api_client.force_authenticate(outsider)
    assert api_client.get(f"/api/v1/certification/conditions/{pk}/").status_code == 404
    assert api_client.get("/api/v1/certification/conditions/open/").status_code == 403
    assert api_client.get("/api/v1/certification/conditions/abc/").status_code == 404


def test_the_api_list_costs_the_same_with_more_conditions(
    api_client, listed, site_manager, staff, django_assert_max_num_queries
):
    api_client.force_authenticate(site_manager)
    with django_assert_max_num_queries(30) as small:
        api_client.get("/api/v1/certification/conditions/")
    queries = len(small.captured_queries)
    for i in range(8):
        c = conditions.condition_add(
            certificate=listed,
            text=f"More {i}",
            due_on=datetime.date.fromisoformat(soon(20)),
            checked_by="secretariat",
            by=staff,
        )
        conditions.condition_report_progress(condition=c, by=site_manager, text="Started.")
    api_client.force_authenticate(site_manager)
    with django_assert_max_num_queries(queries):
        answer = api_client.get("/api/v1/certification/conditions/").json()
    assert len(answer.get("results", answer)) >= 11
