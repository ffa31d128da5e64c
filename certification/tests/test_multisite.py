"""One decision, one certificate naming every site of a multi-site application (issue 16): the
certificate page, its PDF, the verification and Green List pages, the JSON feed, Protected Planet's CSV
(one row per WDPA site) and the added sites' own public pages."""

import csv
import io
import subprocess

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.models import AssessmentSite
from certification import services
from protected_areas.tests.factories import ProtectedAreaFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def connected(db):
    return ProtectedAreaFactory(name="Bach Ma Test Park", governance_type="Federal or national ministry or agency")


@pytest.fixture
def recommended(recommended, connected, site_manager):
    """The recommended assessment, with a second site added in its application phase (set directly:
    how sites are added, and when, is tested in assessments/tests/test_sites.py)."""
    AssessmentSite.objects.create(
        assessment=recommended,
        protected_area=connected,
        connection="River.",
        shared_values="Saola.",
        added_by=site_manager,
    )
    return recommended


def _csv(client):
    return list(csv.reader(io.StringIO(client.get("/green-list.csv").content.decode())))


def test_the_csv_has_one_row_per_site_with_the_application_status(client, certificate, connected):
    rows = _csv(client)[1:]
    by_site = {r[0]: r for r in rows}
    main = certificate.protected_area
    assert set(by_site) == {str(main.wdpa_id), str(connected.wdpa_id)}
    assert by_site[str(connected.wdpa_id)] == [
        str(connected.wdpa_id),
        "Green Listed",
        certificate.expires_on.isoformat(),
        f"{settings.SITE_URL}/areas/{connected.pk}/",
    ]


def test_a_suspended_certificate_takes_every_site_out_of_the_csv(client, certificate, staff):
    services.certificate_transition(certificate=certificate, user=staff, to="suspended", reason="Under inquiry")
    assert _csv(client)[1:] == []


def test_the_csv_names_a_candidate_applications_sites_in_constant_queries(client, recommended, connected):
    # the recommended application is a candidate awaiting the decision: both its sites are candidates
    with CaptureQueriesContext(connection) as few:
        rows = _csv(client)[1:]
    assert {r[0] for r in rows if r[1] == "Green List Candidate"} == {
        str(recommended.protected_area.wdpa_id),
        str(connected.wdpa_id),
    }
    for n in range(4):
        AssessmentSite.objects.create(
            assessment=recommended,
            protected_area=ProtectedAreaFactory(name=f"More {n}"),
            connection="c",
            shared_values="v",
            added_by=recommended.created_by,
        )
    with CaptureQueriesContext(connection) as many:
        assert len(_csv(client)) == 1 + 6
    assert len(many) == len(few) <= 3


def test_the_certificate_pages_and_feed_name_every_site(client, certificate, connected, staff):
    client.force_login(staff)
    page = client.get(certificate.get_absolute_url()).content.decode()
    assert 'id="certificate-sites"' in page and "Bach Ma Test Park" in page
    client.logout()
    verify = client.get(f"/verify/{certificate.number}/").content.decode()
    assert 'id="verify-sites"' in verify and "Bach Ma Test Park" in verify
    area_page = client.get(f"/green-list/{certificate.protected_area_id}/", follow=True).content.decode()
    assert 'id="area-sites"' in area_page and "Bach Ma Test Park" in area_page
    feed = client.get("/green-list.json").json()["results"]
    assert [s["wdpa_id"] for s in feed[0]["other_sites"]] == [connected.wdpa_id]
    own = client.get(f"/areas/{connected.pk}/").content.decode()
    assert 'id="application-membership"' in own and certificate.number in own


def test_the_pdf_names_every_site(certificate, tmp_path):
    # the PDF WeasyPrint makes, its text read back by poppler (pdftotext)
    pdf = tmp_path / "certificate.pdf"
    pdf.write_bytes(services.certificate_pdf_bytes(certificate))
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Bach Ma Test Park" in text and certificate.protected_area.name in text


def test_an_added_sites_page_says_whose_application_it_is_part_of_once_past_the_gate(
    client, connected, site_manager, staff, standard, area
):
    from assessments.services import assessment_create
    from assessments.sites import site_add
    from assessments.workflow import transition
    from eligibility.tests.factories import make_eligible

    # given staff added `connected` (managed by another team) to the application of `area`
    application = assessment_create(protected_area=area, user=site_manager, year=2026)
    site_add(assessment=application, area=connected, by=staff, connection="River.", shared_values="Saola.")
    # then while the application is unreviewed, the area's public page does not repeat the claim
    page = client.get(f"/areas/{connected.pk}/").content.decode()
    assert 'id="application-membership"' not in page and area.name not in page
    # when it passes the eligibility gate
    make_eligible(application, staff=staff)
    transition(application, "candidate", by=staff)
    # then it does
    page = client.get(f"/areas/{connected.pk}/").content.decode()
    assert 'id="application-membership"' in page and area.name in page
