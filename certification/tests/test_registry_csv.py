"""/green-list.csv: the Green List as Protected Planet reads it (certification/registry.py)."""

import csv
import io

import pytest
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments.models import Assessment
from assessments.services import assessment_create
from certification import registry, services
from protected_areas.tests.factories import ProtectedAreaFactory

pytestmark = pytest.mark.django_db


def _candidate(area, review_staff):
    """A site in the candidate phase. The phase is set directly: how a site becomes a candidate
    (the eligibility gate, issue 16) is not what this file tests, only what the registry reads.
    With no move into `candidate` logged, its window counts from the assessment's creation (today)."""
    from accounts.choices import Role
    from accounts.tests.factories import make_user

    manager = make_user(Role.SITE_MANAGER, protected_area=area)
    assessment = assessment_create(protected_area=area, user=manager, year=2026)
    Assessment.objects.filter(pk=assessment.pk).update(status="candidate")
    return assessment


def _rows(client):
    response = client.get("/green-list.csv")
    assert response.status_code == 200
    return response, list(csv.reader(io.StringIO(response.content.decode())))


def test_lists_the_listed_site_and_the_candidate_and_leaves_out_a_site_without_wdpa_id(
    client, certificate, other_area, review_staff, jurisdiction
):
    # given: a listed site (its certificate), a candidate, and a candidate without a WDPA id
    _candidate(other_area, review_staff)
    unregistered = ProtectedAreaFactory(name="Not In WDPA", wdpa_id=None, wdpa_pid="", key="local:1")
    _candidate(unregistered, review_staff)
    listed = certificate.protected_area
    # when
    response, rows = _rows(client)
    # then: the exact header, one row each, by WDPA id, the unregistered site absent
    assert response.content.decode().splitlines()[0] == "site_id,status,expiry_date,url"
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert rows[1:] == sorted(
        [
            [
                str(listed.wdpa_id),
                "Green Listed",
                certificate.expires_on.isoformat(),
                f"{settings.SITE_URL}/green-list/{listed.pk}/phong-dien-test-reserve/",
            ],
            [
                str(other_area.wdpa_id),
                "Green List Candidate",
                (timezone.localdate() + relativedelta(years=5)).isoformat(),
                f"{settings.SITE_URL}/areas/{other_area.pk}/",
            ],
        ]
    )
    assert "Not In WDPA" not in response.content.decode() and f"/areas/{unregistered.pk}/" not in str(rows)


def test_a_suspended_site_is_left_out_and_comes_back_when_reinstated(client, certificate, staff):
    services.certificate_transition(certificate=certificate, user=staff, to="suspended", reason="Under inquiry")
    assert _rows(client)[1] == [["site_id", "status", "expiry_date", "url"]]
    services.certificate_transition(certificate=certificate, user=staff, to="active", reason="Cleared")
    assert [r[1] for r in _rows(client)[1][1:]] == ["Green Listed"]


def test_public_cacheable_and_unchanged_costs_no_download(client, certificate, site_manager):
    response = client.get("/green-list.csv")
    assert response["Cache-Control"] == "public, max-age=3600"
    assert client.get("/green-list.csv", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    # signed in, the same file for everyone: still public (the private-cache middleware keeps it)
    client.force_login(site_manager)
    assert client.get("/green-list.csv")["Cache-Control"] == "public, max-age=3600"


def test_query_count_does_not_grow_with_sites(client, certificate, other_area, review_staff, jurisdiction):
    _candidate(other_area, review_staff)
    with CaptureQueriesContext(connection) as few:
        _rows(client)
    for n in range(3):
        _candidate(ProtectedAreaFactory(name=f"More {n}", iso3=["VNM"]), review_staff)
    with CaptureQueriesContext(connection) as many:
        response, rows = _rows(client)
    assert len(rows) == 6 and len(many) == len(few) <= 3


@pytest.mark.parametrize("value", ['=HYPERLINK("http://x")', "+1", "-2+3", "@SUM(A1)", "\tcmd"])
def test_a_cell_that_looks_like_a_formula_is_made_text(value):
    assert registry.csv_cell(value) == "'" + value
    line = registry.protected_planet_csv([registry.RegistryRow(1, value, timezone.localdate(), "u,v")])
    assert list(csv.reader(io.StringIO(line)))[1] == ["1", "'" + value, timezone.localdate().isoformat(), "u,v"]


def test_a_site_awaiting_the_decision_is_still_a_candidate_its_window_from_the_day_it_became_one(
    client, standard, review_staff, jurisdiction
):
    from accounts.choices import Role
    from accounts.tests.factories import make_user
    from certification.tests.helpers import make_recommended

    # given: the group did not recommend; the decision is not taken yet
    other_area = ProtectedAreaFactory(name="Awaiting Reserve")
    manager = make_user(Role.SITE_MANAGER, protected_area=other_area)
    make_recommended(area=other_area, site_manager=manager, reviewer=review_staff, outcome="not_recommended")
    # then
    window_end = (timezone.localdate() + relativedelta(years=5)).isoformat()
    assert _rows(client)[1][1:] == [
        [str(other_area.wdpa_id), "Green List Candidate", window_end, f"{settings.SITE_URL}/areas/{other_area.pk}/"]
    ]
