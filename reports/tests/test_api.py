"""The reports API: gap analysis and export jobs under the same rules as the reports pages; an export
started through the API is run by a real Celery worker and downloaded from the permission-checked view."""

import csv
import datetime
import io
import time

import pytest

from core.models import Job
from reports import selectors
from reviews import services as review_services
from scoring.tests.fixtures import group_find, into_review, numbers, rate

YESTERDAY = datetime.date.today() - datetime.timedelta(days=1)
NEXT_WEEK = datetime.date.today() + datetime.timedelta(days=7)


def gaps(api_client, user, assessment) -> dict:
    api_client.force_login(user)
    response = api_client.get(f"/api/v1/assessments/{assessment.pk}/gaps/")
    assert response.status_code == 200, response.content
    return response.json()


# --- gap analysis ------------------------------------------------------------------------------


def test_gaps_list_unmet_indicators_with_action_owner_due_date_and_overdue_flag(api_client, assessment, site_manager):
    # given
    rate(assessment, site_manager, {n: "meets" for n in numbers(assessment)})
    rate(assessment, site_manager, {"1.1.1": "does_not_meet"}, action_due=YESTERDAY)
    rate(assessment, site_manager, {"2.1.1": "partially_meets"}, action_due=NEXT_WEEK, action_owner="Ms Lan")
    rate(assessment, site_manager, {"3.1.1": "does_not_meet"}, action_text="", action_owner="", action_due=None)
    # when
    body = gaps(api_client, site_manager, assessment)
    # then: what the page shows (the same selector)
    page = selectors.gap_analysis(assessment, site_manager)
    assert [r["indicator_number"] for r in body["rows"]] == [r["indicator"].number for r in page["rows"]]
    rows = {r["indicator_number"]: r for r in body["rows"]}
    assert set(rows) == {"1.1.1", "2.1.1", "3.1.1"}
    assert rows["1.1.1"]["overdue"] is True and rows["1.1.1"]["late_days"] == 1
    assert rows["1.1.1"]["due"] == YESTERDAY.isoformat() and rows["1.1.1"]["rating"] == "does_not_meet"
    assert rows["1.1.1"]["action"] == "Close the gap on 1.1.1." and rows["1.1.1"]["owner"] == "Park ranger team"
    assert rows["1.1.1"]["indicator"] == "GLS-V1.1-1.1.1" and rows["1.1.1"]["criterion"] == "1.1"
    assert rows["2.1.1"]["due_soon"] is True and rows["2.1.1"]["overdue"] is False and rows["2.1.1"]["days"] == 7
    assert rows["2.1.1"]["owner"] == "Ms Lan" and rows["2.1.1"]["rating_label"] == "Partially meets"
    assert rows["3.1.1"]["missing_action"] is True and rows["3.1.1"]["due"] is None
    assert (body["overdue"], body["due_soon"], body["missing_action"]) == (1, 1, 1)
    assert body["today"] == datetime.date.today().isoformat() and body["assessment"] == assessment.pk


def test_gaps_from_group_findings_show_to_the_site_team_only_once_released(
    api_client, assessment, site_manager, staff, expert
):
    # given: the site says 1.1.2 meets; the group finds it does not
    into_review(assessment, site_manager=site_manager, staff=staff, expert=expert)
    group_find(assessment, expert, {"1.1.2": "does_not_meet"})
    # the group and staff see the gap the finding opens
    for who in (expert, staff):
        body = gaps(api_client, who, assessment)
        row = next(r for r in body["rows"] if r["indicator_number"] == "1.1.2")
        assert row["only_group"] is True and row["group_rating"] == "does_not_meet" and body["includes_group_findings"]
    # the site team does not, yet
    body = gaps(api_client, site_manager, assessment)
    assert "1.1.2" not in {r["indicator_number"] for r in body["rows"]}
    assert body["includes_group_findings"] is False
    assert all(r["group_rating"] == "" for r in body["rows"])
    # once released, it does
    review_services.findings_release(assessment=assessment, by=staff)
    body = gaps(api_client, site_manager, assessment)
    row = next(r for r in body["rows"] if r["indicator_number"] == "1.1.2")
    assert row["group_rating_label"] == "Does not meet" and row["rating"] == "meets"


@pytest.mark.parametrize("who", ["outsider", "other_manager", "expert"])
def test_people_who_may_not_see_the_assessment_get_404_on_gaps_and_exports(api_client, assessment, who, request):
    api_client.force_login(request.getfixturevalue(who))
    assert api_client.get(f"/api/v1/assessments/{assessment.pk}/gaps/").status_code == 404
    response = api_client.post(f"/api/v1/assessments/{assessment.pk}/exports/", {"format": "csv"}, format="json")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert not Job.objects.filter(kind="reports.export").exists()


def test_anonymous_is_refused(api_client, assessment):
    assert api_client.get(f"/api/v1/assessments/{assessment.pk}/gaps/").status_code == 403
    response = api_client.post(f"/api/v1/assessments/{assessment.pk}/exports/", {"format": "csv"}, format="json")
    assert response.status_code == 403
    assert not Job.objects.exists()


# --- exports -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [{"format": "docx"}, {"format": ""}, {}, {"format": ["csv"]}, {"format": 3}, {"format": None}, ["csv"]],
)
def test_an_unknown_format_is_400_with_a_stable_code(api_client, assessment, site_manager, body):
    api_client.force_login(site_manager)
    response = api_client.post(f"/api/v1/assessments/{assessment.pk}/exports/", body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "export_format_unknown" and response.json()["field"] == "format"
    assert not Job.objects.filter(kind="reports.export").exists()


def test_an_export_job_is_seen_by_its_owner_only(api_client, assessment, site_manager, staff, other_manager):
    # given: the site manager starts an export (form-encoded, as a browser would)
    api_client.force_login(site_manager)
    response = api_client.post(f"/api/v1/assessments/{assessment.pk}/exports/", {"format": "xlsx"})
    assert response.status_code == 202
    job = Job.objects.get(kind="reports.export", created_by=site_manager)
    assert response["Location"] == f"/api/v1/jobs/{job.pk}/"
    assert response.json() | {"created_at": None} == {
        "id": job.pk,
        "kind": "reports.export",
        "status": "queued",
        "progress": 0,
        "total": 4,
        "assessment": assessment.pk,
        "format": "xlsx",
        "error": "",
        "result": None,
        "created_at": None,
        "started_at": None,
        "finished_at": None,
        "url": f"/api/v1/jobs/{job.pk}/",
        "page_url": f"/reports/jobs/{job.pk}/",
        "download_url": None,
    }
    assert api_client.get(f"/api/v1/jobs/{job.pk}/").json()["status"] == "queued"
    # staff, who may see the assessment, do not see someone else's job (as on the job page)
    for who in (staff, other_manager):
        api_client.force_login(who)
        assert api_client.get(f"/api/v1/jobs/{job.pk}/").status_code == 404


def test_a_job_of_another_kind_is_not_an_export(api_client, staff):
    job = Job.objects.create(kind="protected_areas.import", created_by=staff)
    api_client.force_login(staff)
    assert api_client.get(f"/api/v1/jobs/{job.pk}/").status_code == 404
    assert api_client.get("/api/v1/jobs/999999999/").status_code == 404


@pytest.mark.parametrize("who", ["outsider", "site_manager", "expert"])
def test_an_import_job_is_refused_to_whoever_may_not_import(api_client, staff, who, request):
    # given an import of protected areas, done, by staff
    job = Job.objects.create(
        kind="protected_area_import", created_by=staff, status="done", result={"created": 1, "errors": []}
    )
    # staff see it, with its result
    api_client.force_login(staff)
    assert api_client.get(f"/api/v1/jobs/{job.pk}/").json()["result"] == {"created": 1, "errors": []}
    # anyone else is told it does not exist, and it has no file for anyone
    api_client.force_login(request.getfixturevalue(who))
    assert api_client.get(f"/api/v1/jobs/{job.pk}/").status_code == 404
    assert api_client.get(f"/api/v1/jobs/{job.pk}/download/").status_code == 404
    api_client.force_login(staff)
    assert api_client.get(f"/api/v1/jobs/{job.pk}/download/").status_code == 404


# --- a real worker -----------------------------------------------------------------------------


@pytest.fixture
def live_assessment(transactional_db, site_manager, staff, area):
    from assessments.services import assessment_create
    from assessments.workflow import transition
    from eligibility.tests.factories import make_eligible
    from standards.tests.factories import load_gls

    load_gls()
    a = assessment_create(protected_area=area, user=site_manager, year=2026)
    make_eligible(a, staff=staff)
    transition(a, "candidate", by=staff, note="eligible")
    return a


@pytest.mark.worker
def test_an_export_started_through_the_api_runs_in_the_worker_and_downloads(
    api_client, live_assessment, site_manager, other_manager, staff, celery_worker_process
):
    # given
    rate(live_assessment, site_manager, {"1.1.1": "does_not_meet"})
    api_client.force_login(site_manager)
    # when
    response = api_client.post(f"/api/v1/assessments/{live_assessment.pk}/exports/", {"format": "csv"}, format="json")
    assert response.status_code == 202, response.content
    poll = response["Location"]
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        job = api_client.get(poll).json()
        if job["status"] in ("done", "failed"):
            break
        time.sleep(0.5)
    # then: the worker ran it to the end, and the download URL serves the file to its owner
    assert job["status"] == "done", celery_worker_process.log_path.read_text()[-3000:]
    assert job["progress"] == job["total"] == 4 and job["finished_at"]
    assert job["download_url"] == f"/api/v1/jobs/{job['id']}/download/"
    download = api_client.get(job["download_url"])
    assert download.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(download.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 51
    assert {r[3]: r[5] for r in rows[1:]}["1.1.1"] == "does_not_meet"
    # nobody else sees the job or its file
    for who in (other_manager, staff):
        api_client.force_login(who)
        assert api_client.get(poll).status_code == 404
        assert api_client.get(job["download_url"]).status_code == 404
