"""Gap analysis, dashboards, exports and the package round trip, with outsiders refused."""

import csv
import datetime
import html as html_lib
import io
import json
import os
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports import selectors, services
from reports.package import build_package, package_bytes
from scoring import selectors as scoring_selectors
from scoring import services as scoring_services
from scoring.tests.fixtures import group_find, into_review, numbers, rate

YESTERDAY = datetime.date.today() - datetime.timedelta(days=1)
NEXT_WEEK = datetime.date.today() + datetime.timedelta(days=7)


def test_gap_analysis_lists_unmet_indicators_with_actions_and_flags_overdue(assessment, site_manager):
    # given
    rate(assessment, site_manager, {n: "meets" for n in numbers(assessment)})
    rate(assessment, site_manager, {"1.1.1": "does_not_meet"}, action_due=YESTERDAY)
    rate(assessment, site_manager, {"2.1.1": "partially_meets"}, action_due=NEXT_WEEK, action_owner="Ms Lan")
    rate(assessment, site_manager, {"3.1.1": "does_not_meet"}, action_text="", action_owner="", action_due=None)
    # when
    gap = selectors.gap_analysis(assessment, site_manager)
    # then
    rows = {r["indicator"].number: r for r in gap["rows"]}
    assert set(rows) == {"1.1.1", "2.1.1", "3.1.1"}
    assert rows["1.1.1"]["overdue"] and rows["1.1.1"]["late_days"] == 1
    assert rows["2.1.1"]["due_soon"] and not rows["2.1.1"]["overdue"] and rows["2.1.1"]["owner"] == "Ms Lan"
    assert rows["3.1.1"]["missing_action"]
    assert (gap["overdue"], gap["due_soon"], gap["missing_action"]) == (1, 1, 1)


def test_reports_page_shows_scores_and_the_overdue_action(client, assessment, site_manager):
    rate(assessment, site_manager, {"1.1.1": "does_not_meet"}, action_due=YESTERDAY)
    client.force_login(site_manager)
    response = client.get(f"/reports/assessments/{assessment.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Gap analysis" in html and "OVERDUE by 1 day" in html
    assert 'id="dashboard-charts"' in html  # chart data via json_script, no inline script
    assert "<script>" not in html


def test_reports_page_raises_no_alarm_when_nothing_is_overdue(client, assessment, site_manager):
    # given an action due next week only: nothing is late, so no red warning flag ("⚠ 0 overdue" read as an alarm)
    rate(assessment, site_manager, {"2.1.1": "partially_meets"}, action_due=NEXT_WEEK, action_owner="Ms Lan")
    client.force_login(site_manager)
    html = client.get(f"/reports/assessments/{assessment.pk}/").content.decode()
    assert "none overdue" in html and "flag-overdue" not in html


@pytest.mark.parametrize(
    "url",
    [
        "/reports/assessments/{pk}/",
        "/reports/assessments/{pk}/answers.csv",
        "/reports/assessments/{pk}/dossier/",
    ],
)
@pytest.mark.parametrize("who", ["outsider", "other_manager", "expert"])
def test_people_who_may_not_see_the_assessment_get_404(client, assessment, who, url, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get(url.format(pk=assessment.pk)).status_code == 404


@pytest.mark.parametrize("who", ["outsider", "other_manager"])
def test_outsiders_cannot_start_an_export(client, assessment, who, request):
    client.force_login(request.getfixturevalue(who))
    assert client.post(f"/reports/assessments/{assessment.pk}/exports/", {"format": "pdf"}).status_code == 404


def test_anonymous_is_sent_to_login(client, assessment):
    response = client.get(f"/reports/assessments/{assessment.pk}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_csv_has_one_row_per_indicator_and_defuses_formulas(client, assessment, site_manager):
    rate(assessment, site_manager, {"1.1.1": "meets"}, justification="=HYPERLINK('http://x')")
    client.force_login(site_manager)
    response = client.get(f"/reports/assessments/{assessment.pk}/answers.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 51
    assert rows[0][:4] == ["Component", "Criterion", "Indicator code", "Indicator"]
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["Indicator code"] == "GLS-V1.1-1.1.1" and first["Site rating"] == "meets"
    assert first["Justification"].startswith("'=")


def test_xlsx_has_indicators_and_scores(assessment, site_manager):
    from openpyxl import load_workbook

    rate(assessment, site_manager, {n: "meets" for n in numbers(assessment)})
    data = services.build_export(assessment, site_manager, "xlsx")
    wb = load_workbook(io.BytesIO(data))
    assert wb["Indicators"].max_row == 51
    scores = [row for row in wb["Scores"].iter_rows(values_only=True) if row and row[0] == "Whole assessment"]
    assert scores[0][1:5] == ("self", 100.0, "17/17", "yes")


def test_site_team_sees_group_findings_only_once_released(assessment, site_manager, staff, expert):
    into_review(assessment, site_manager=site_manager, staff=staff, expert=expert)
    group_find(assessment, expert, {"1.1.2": "does_not_meet"})
    # the site team: no finding yet
    rows = {r["number"]: r for r in selectors.export_rows(assessment, site_manager)}
    assert rows["1.1.2"]["group_rating"] == ""
    assert "findings" not in json.dumps(build_package(assessment, site_manager)["scores"])
    assert build_package(assessment, site_manager)["findings"] == []
    # the expert and staff see it
    assert {r["number"]: r for r in selectors.export_rows(assessment, staff)}["1.1.2"][
        "group_rating"
    ] == "does_not_meet"
    gap = selectors.gap_analysis(assessment, staff)
    assert any(r["indicator"].number == "1.1.2" and r["only_group"] for r in gap["rows"])


def test_expert_dashboard_shows_agreement_per_criterion(client, assessment, site_manager, staff, expert):
    from assessments.models import Answer
    from reviews import services as review_services

    into_review(assessment, site_manager=site_manager, staff=staff, expert=expert)
    answers = {a.indicator.number: a for a in Answer.objects.filter(assessment=assessment).select_related("indicator")}
    for number, rating in {"1.1.1": "does_not_meet", "1.1.2": "partially_meets"}.items():
        review_services.indicator_review_save(assessment=assessment, answer=answers[number], by=expert, rating=rating)
    [row] = selectors.expert_dashboard(expert)
    c11 = row["criteria"][0]
    assert (c11["number"], c11["compared"], c11["agree"], c11["percent"]) == ("1.1", 2, 1, 50.0)
    client.force_login(expert)
    html = client.get("/reports/dashboard/").content.decode()
    assert "My review assignments" in html and "1 / 2 (50%)" in html


def test_a_score_reads_the_same_on_the_dashboard_the_report_and_the_dossier(client, assessment, site_manager):
    # given a score with a decimal: three indicators of the 49 that apply meet (6.12 %)
    from django.utils import translation

    from core.templatetags.typography import percent

    rate(assessment, site_manager, {"1.1.1": "not_applicable", "1.1.2": "meets", "1.1.3": "meets", "1.1.4": "meets"})
    scoring_services.rescore(assessment)
    score = scoring_selectors.latest_snapshot(assessment).percent
    assert round(score, 1) == 6.1, score
    client.force_login(site_manager)
    pages = [
        "/reports/dashboard/",
        f"/reports/assessments/{assessment.pk}/",
        f"/reports/assessments/{assessment.pk}/dossier/",
    ]
    for language, written in {"en": "6.1%", "fr": "6,1\xa0%"}.items():
        # when each page is read in the language
        with translation.override(language):
            assert percent(score) == written
        for url in pages:
            with translation.override("en"):  # the request leaves its language active
                html = client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
            # then each writes the score the same way: one decimal, the language's signs
            assert written in html, (language, url)


def test_the_report_says_whose_ratings_meet_the_standard(client, assessment, site_manager, staff, expert):
    # given a site that rates every indicator as met, in review, where the group finds one not met
    into_review(assessment, site_manager=site_manager, staff=staff, expert=expert, unmet=())
    group_find(assessment, expert, {"1.1.2": "does_not_meet"})
    scoring_services.rescore(assessment)
    client.force_login(staff)
    html = client.get(f"/reports/assessments/{assessment.pk}/").content.decode()
    found = re.findall(r'data-verdict="(\w+)"><strong>([^<]+)</strong><span>([^<]+)</span>', html)
    verdicts = {who: (verdict, html_lib.unescape(caption)) for who, verdict, caption in found}
    # then the site's verdict is said to be the site's own, and the group's stands beside it
    # (it said "✓ Meets the Standard" alone, over "every criterion must be met", on a site in review)
    assert verdicts == {
        "site": ("✓ Meets the Standard", "by the site's own ratings"),
        "group": ("✗ Does not meet the Standard yet", "by the group's ratings"),
    }, verdicts


def test_the_ratings_fingerprint_is_folded_away_with_what_it_is_for(client, assessment, site_manager):
    # given a computed score
    rate(assessment, site_manager, {"1.1.1": "meets"})
    client.force_login(site_manager)
    # when the report and the dossier are read (the report computes the score if it is not current)
    report = client.get(f"/reports/assessments/{assessment.pk}/").content.decode()
    dossier = client.get(f"/reports/assessments/{assessment.pk}/dossier/").content.decode()
    fingerprint = scoring_selectors.latest_snapshot(assessment).inputs_hash[:16]
    # then the report shows it only under "Technical details", saying what it is; the dossier names it
    folded = re.search(r'<details class="[^"]*score-technical">.*?</details>', report, re.S)
    assert folded and "Technical details" in folded.group(0) and fingerprint in folded.group(0)
    assert report.count(fingerprint) == 1 and "exact ratings" in folded.group(0)
    assert f"Ratings fingerprint {fingerprint}: it names the exact ratings" in dossier


def test_site_dashboard_shows_progress_requests_and_actions(client, assessment, site_manager, outsider):
    rate(assessment, site_manager, {"1.1.1": "does_not_meet"}, action_due=YESTERDAY)
    client.force_login(site_manager)
    html = client.get("/reports/dashboard/").content.decode()
    assert assessment.protected_area.name in html
    assert "Progress per component" in html and "OVERDUE" in html
    client.force_login(outsider)
    html = client.get("/reports/dashboard/").content.decode()
    assert assessment.protected_area.name not in html and 'id="dashboard-empty"' in html


def _sites(n, site_manager, staff):
    from accounts.services import role_grant
    from assessments.services import assessment_create
    from protected_areas.tests.factories import ProtectedAreaFactory

    for _ in range(n):
        area = ProtectedAreaFactory()
        role_grant(user=site_manager, role="site_manager", granted_by=None, protected_area=area)
        from accounts.rules import forget_roles

        forget_roles(site_manager)
        a = assessment_create(protected_area=area, user=site_manager, year=2026)
        scoring_services.rescore(a)


@pytest.mark.parametrize("who", ["staff", "site_manager"])
def test_dashboard_query_count_does_not_grow_with_the_portfolio(client, standard, staff, site_manager, who, request):
    user = request.getfixturevalue(who)
    client.force_login(user)
    _sites(2, site_manager, staff)
    client.get("/reports/dashboard/")  # warm the per-process Standard tree
    with CaptureQueriesContext(connection) as small:
        assert client.get("/reports/dashboard/").status_code == 200
    _sites(6, site_manager, staff)
    with CaptureQueriesContext(connection) as large:
        response = client.get("/reports/dashboard/")
    assert response.status_code == 200
    assert len(large) == len(small), [q["sql"][:120] for q in large.captured_queries]


def test_staff_dashboard_counts_phases_countries_and_the_map(staff, assessment, site_manager):
    board = selectors.staff_dashboard()
    phases = {code: n for code, _, n in board["phases"]}
    assert phases["candidate"] == 1 and board["sites"] == 1
    assert dict(board["countries"])["Vietnam"] == 1  # by name, in the active language (English here)
    [(site_id, name, phase, lon, lat)] = board["map"]["sites"]
    assert site_id == assessment.pk and name == assessment.protected_area.name and phase == "candidate"
    assert board["map"]["phases"]["candidate"]
    assert 100 < lon < 120 and 10 < lat < 30


def test_sites_geojson_only_holds_visible_sites(client, assessment, site_manager, outsider):
    client.force_login(site_manager)
    data = json.loads(client.get("/reports/sites.geojson").content)
    assert [f["properties"]["name"] for f in data["features"]] == [assessment.protected_area.name]
    assert data["features"][0]["geometry"]["type"] == "MultiPolygon"
    client.force_login(outsider)
    assert json.loads(client.get("/reports/sites.geojson").content)["features"] == []


def test_package_round_trip_gives_identical_scores(assessment, site_manager, staff, expert, tmp_path, admin_user):
    # given: an assessment in review with findings, exported as a file
    into_review(assessment, site_manager=site_manager, staff=staff, expert=expert)
    group_find(assessment, expert, {"1.1.1": "does_not_meet", "1.1.2": "partially_meets", "4.1.1": "meets"})
    before = scoring_services.ensure_current(assessment)
    path = tmp_path / "package.json"
    call_command("export_assessment", assessment.pk, output=str(path))
    package = json.loads(path.read_text())
    assert package["format"] == "greenlist-assessment-package" and package["version"] == 1
    assert len(package["answers"]) == 50 and len(package["findings"]) == 3
    # when: it is imported (here: the next cycle of the same site)
    out = io.StringIO()
    call_command("import_assessment", str(path), stdout=out)
    from assessments.models import Assessment

    imported = Assessment.objects.exclude(pk=assessment.pk).get(protected_area=assessment.protected_area)
    # then: the same scores, from the same inputs
    after = scoring_selectors.latest_snapshots([imported.pk])
    for kind in ("self", "expert"):
        assert after[(imported.pk, kind)].inputs_hash == before[kind].inputs_hash
        assert after[(imported.pk, kind)].results == before[kind].results
    assert imported.status == assessment.status
    assert imported.imported_from.package["assessment"]["id"] == assessment.pk
    # and exporting the import again gives the same answers and findings
    again = build_package(imported)
    assert (
        again["answers"] == [{**a, "evidence": []} for a in package["answers"]]
        or again["answers"] == package["answers"]
    )
    assert again["findings"] == package["findings"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not json", "is not JSON"),
        (b'{"format": "something-else"}', "not a Green List assessment package"),
        (b'{"format": "greenlist-assessment-package", "version": 99}', "version 99 is not supported"),
    ],
)
def test_bad_packages_are_refused_clearly(tmp_path, admin_user, content, message):
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        call_command("import_assessment", str(path))


def test_a_package_for_a_standard_not_loaded_here_is_refused(assessment, admin_user, tmp_path):
    package = build_package(assessment)
    package["standard"]["sha256"] = "0" * 64
    path = tmp_path / "p.json"
    path.write_bytes(package_bytes(package))
    with pytest.raises(CommandError, match="is not loaded here"):
        call_command("import_assessment", str(path))


def test_only_staff_may_import(assessment, site_manager):
    from core.errors import NotAllowed

    with pytest.raises(NotAllowed):
        services.assessment_import(data=build_package(assessment), user=site_manager)


def test_dossier_pdf_holds_every_indicator_finding_and_request(assessment, site_manager, staff, expert):
    from pypdf import PdfReader

    from assessments.models import Answer
    from reviews import services as review_services

    # given: an assessment in review, with a group finding and a request for information
    into_review(assessment, site_manager=site_manager, staff=staff, expert=expert)
    group_find(assessment, expert, {"1.1.1": "does_not_meet", "2.2.1": "partially_meets"})
    answer = Answer.objects.get(assessment=assessment, indicator__number="3.2.1")
    review_services.information_request_create(
        assessment=assessment, answer=answer, by=expert, question="Please send the 2025 patrol records."
    )
    # when
    pdf = services.build_export(assessment, staff, "pdf")
    if os.environ.get("DOSSIER_OUT"):  # to look at it: pdftoppm -png $DOSSIER_OUT out
        Path(os.environ["DOSSIER_OUT"]).write_bytes(pdf)
    # then
    assert pdf.startswith(b"%PDF")
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages)
    assert assessment.protected_area.name in text
    assert "Why 3.2.1 is does_not_meet." in text  # a justification
    assert "Group: 2.2.1 partially_meets." in text  # a group finding
    assert "Please send the 2025 patrol records." in text
    assert "4.3.2" in text and "Scores" in text


def test_dossier_draws_the_boundary_from_its_template_with_the_name_escaped(assessment, staff):
    from django.template.loader import render_to_string
    from django.utils import translation

    from protected_areas.drawing import boundary_drawing

    area = assessment.protected_area
    area.name = 'Reserve <script>alert("x")</script> & Co'
    # given a site with a polygon boundary, when its dossier is drawn (in French too)
    drawing = boundary_drawing(area)
    assert drawing is not None and drawing["path"].startswith("M") and drawing["path"].endswith("Z")
    with translation.override("fr"):
        html = render_to_string("protected_areas/_boundary.svg.html", {"boundary": drawing, "area": area})
    # then the path is the drawing's, its numbers not localised, and the name only escaped
    assert f'd="{drawing["path"]}"' in html and "<script>" not in html and "&lt;script&gt;" in html
    assert "," in drawing["path"] and drawing["path"].split(",")[0].replace("M", "").replace(".", "").isdigit()
    # and a site known by a point only is a marker at the middle with its coordinates
    from django.contrib.gis.geos import Point

    area.geom = area.geom_display = None
    area.point = Point(105.5, 20.25, srid=4326)
    marker = render_to_string("protected_areas/_boundary.svg.html", {"boundary": boundary_drawing(area), "area": area})
    assert '<circle cx="240.0" cy="160.0"' in marker and "lat 20.2500°, lon 105.5000°" in marker


def test_the_boundarys_caption_is_in_the_readers_words_and_numbers(assessment):
    # given a site with a boundary, and one known by a point only
    from django.contrib.gis.geos import Point
    from django.template.loader import render_to_string
    from django.utils import translation

    from protected_areas.drawing import boundary_drawing
    from tests.catalogue import translated

    area = assessment.protected_area
    south, north = area.geom.extent[1], area.geom.extent[3]
    french = {
        "lat %(south)s° to %(north)s°, lon %(west)s° to %(east)s°": (
            "lat. %(south)s° à %(north)s° ; long. %(west)s° à %(east)s°"
        ),
        "lat %(lat)s°, lon %(lon)s°": "lat. %(lat)s° ; long. %(lon)s°",
    }
    # when each is drawn for a French reader
    with translated("fr", french), translation.override("fr"):
        drawn = render_to_string(
            "protected_areas/_boundary.svg.html", {"boundary": boundary_drawing(area), "area": area}
        )
        area.geom = area.geom_display = None
        area.point = Point(105.5, 20.25, srid=4326)
        marker = render_to_string(
            "protected_areas/_boundary.svg.html", {"boundary": boundary_drawing(area), "area": area}
        )
    # then the caption's words are the catalogue's and its numbers have French decimal commas
    latitudes = f"{south:.3f}° à {north:.3f}°".replace(".", ",")
    assert f"lat. {latitudes} ; long." in drawn, drawn[-300:]
    assert "lat. 20,2500° ; long. 105,5000°" in marker


def test_an_export_is_made_in_the_language_the_person_was_reading(assessment, site_manager):
    # The worker has no reader: the job keeps the language of the request that asked for it (core.jobs).
    from django.utils import translation
    from pypdf import PdfReader

    from core.models import Job

    with translation.override("fr"):
        job = services.export_job_create(assessment=assessment, user=site_manager, fmt="pdf")
    assert job.language == "fr"

    services.export_job_run(job.pk)

    job = Job.objects.get(pk=job.pk)
    assert job.status == "done", job.error
    with job.output_file.open("rb") as pdf:
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.read())).pages)
    assert "Le site" in text and "The site" not in text
