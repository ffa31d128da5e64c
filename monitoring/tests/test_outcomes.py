"""The outcome page of a site and the series beside indicator 4.1.1 on the review page: what they
show (effort, low-effort marks, trend only through three comparable periods, intervals, inside vs
buffer, the boundary note), the generalised locations of a sensitive dataset, the link to the
Standard, and query counts that do not grow with the data."""

import datetime
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from monitoring.models import MonitoringIndicatorLink, MonitoringValue
from reviews.tests import factories as review_factories
from standards.models import Component, Criterion, Indicator

from . import outcome_world
from .factories import make_outcome_indicator
from .outcome_world import LEOPARD, STATION

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(area, testdata):
    return outcome_world.build(area, testdata)


def _charts(html: str) -> dict:
    match = re.search(r'<script id="outcome-charts" type="application/json">(.*?)</script>', html, re.S)
    assert match
    return json.loads(match.group(1))


def test_outcome_page_shows_series_with_effort_trend_rule_and_generalised_places(client, world, site_manager, area):
    # given the site's forest loss and its sensitive camera traps; when the team opens the page
    client.force_login(site_manager)
    url = reverse("monitoring:outcomes", args=[area.pk])
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200
    # then forest loss per year inside and in the buffer, with the boundary valid then
    assert "Forest loss (ha)" in html and "Buffer ring outside the boundary" in html
    assert "Each year is computed inside the boundary valid that year:" in html
    assert "boundary version 1 for 2001–2020" in html
    charts = {s["id"]: s for s in _charts(html)["series"]}
    loss = next(s for s in charts.values() if s["unit"] == "ha")
    assert loss["periods"][0] == "2001" and loss["periods"][-1] == "2020"
    assert [z["zone"] for z in loss["zones"]] == ["inside", "buffer"]
    assert loss["zones"][0]["values"][11] == pytest.approx(1130 * 0.0732, rel=0.01)  # 2012
    # the buffer is only a third inside the raster clip: every buffer value is marked, not hidden
    assert not any(loss["zones"][1]["comparable"]) and all(loss["zones"][0]["comparable"])
    # detection rate: 2019's effort too low (marked), a trend through the four comparable years only
    rate = next(s for s in charts.values() if s["unit"] == "detections per 100 trap-nights")
    assert rate["zones"][0]["comparable"] == [False, True, True, True, True]
    assert rate["trend"]["from"] == "2020" and rate["trend"]["periods"] == 4 and rate["trend"]["slope"] > 0
    assert rate["zones"][0]["ci_low"][1] == 0.6 and "420 trap-nights" in rate["zones"][0]["effort"][1]
    assert "the effort behind the value is too low" in html and "trend over 4 comparable periods (2020–2023)" in html
    # occupancy: two comparable years only, so no trend line
    occupancy = next(s for s in charts.values() if s["unit"] == "share of deployments with a detection")
    assert occupancy["trend"] is None and "no trend line: 2 comparable periods" in html
    # the sensitive station is shown in its ~10 km cell, never at its place
    points = json.loads(re.search(r'id="outcome-points" type="application/json">(.*?)</script>', html).group(1))
    station = [f for f in points["features"] if f["properties"]["kind"] == "deployment"]
    assert station[0]["geometry"]["coordinates"] == [-71.55, 18.65] and station[0]["properties"]["generalised"]
    assert str(STATION[0]) not in html and "18.63456" not in html
    assert "generalised to a grid of about 10 km" in html
    # a table version of every chart, without script
    assert html.count('class="table series-table"') == len(charts)
    # the team adds datasets from here; linked from the area page
    assert reverse("monitoring:dataset-add", args=[area.pk]) in html
    assert url in client.get(reverse("protected_areas:detail", args=[area.pk])).content.decode()

    # the page's queries do not grow with the data: a third dataset with values adds none
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    more = outcome_world.MonitoringDataset.objects.create(
        area=area, kind="acoustic", title="Grabadoras", status="ready"
    )
    MonitoringValue.objects.bulk_create(
        MonitoringValue(
            dataset=more, metric="detections_per_hour", taxon=f"Aves {i}", period="2024", period_start="2024-01-01",
            value=i, effort=10, effort_unit="recording-hours",
        )
        for i in range(30)
    )  # fmt: skip
    with CaptureQueriesContext(connection) as after:
        assert client.get(url).status_code == 200
    assert len(after) == len(before)

    # Spanish: the page is drawn in the reader's language
    spanish = client.get(url, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert '<html lang="es"' in spanish and "Cerrar sesión" in spanish


def _standard_with_outcome_indicator(n_indicators=2):
    standard = review_factories._make_standard_plain(n_indicators)
    component = Component.objects.create(standard=standard, number="4", title="Outcomes", position=4)
    criterion = Criterion.objects.create(component=component, number="4.1", title="Natural values", position=1)
    Indicator.objects.create(
        criterion=criterion,
        standard=standard,
        code=f"{standard.version}-4.1.1",
        number="4.1.1",
        title="Natural values conserved",
        text="Major natural values are conserved.",
        lineage=f"{standard.version}-4.1.1",
        position=n_indicators + 1,
    )
    return standard


def test_a_linked_series_is_shown_to_reviewers_beside_indicator_4_1(
    client, world, area, site_manager, staff, expert, jurisdiction, monkeypatch
):
    # given an assessment of the site against a Standard with indicator 4.1.1, in review, an expert assigned
    from reviews import services as review_services

    monkeypatch.setattr(review_factories, "_make_standard_plain", review_factories.make_standard, raising=False)
    monkeypatch.setattr(review_factories, "make_standard", _standard_with_outcome_indicator)
    assessment = review_factories.submitted_assessment(area=area, manager=site_manager, staff=staff)
    review_services.review_start(assessment=assessment, by=staff)
    seat = review_services.assignment_create(
        assessment=assessment, assignee=expert, role="expert", due_date=datetime.date(2030, 1, 1), by=staff
    )
    review_services.conflict_declare(assignment=seat, by=expert, has_conflict=False, note="")
    indicator = Indicator.objects.get(standard=assessment.standard, number="4.1.1")
    governance = Indicator.objects.get(standard=assessment.standard, number="1.1.1")
    review_url = reverse("reviews:review", args=[assessment.pk])
    client.force_login(expert)
    with CaptureQueriesContext(connection) as unlinked:
        before = client.get(review_url)
    assert "review-monitoring" not in before.content.decode()

    # when the site team links the leopard's detection rate to 4.1.1 (a governance indicator is refused)
    client.force_login(site_manager)
    add = reverse("monitoring:link-add", args=[area.pk])
    cameras = world["cameras"]
    refused = client.post(
        add, {"dataset": cameras.pk, "series": f"detection_rate|{LEOPARD}", "indicator": governance.pk}, follow=True
    )
    assert "Choose an outcome indicator" in refused.content.decode()
    assert not MonitoringIndicatorLink.objects.exists()
    client.post(add, {"dataset": cameras.pk, "series": f"detection_rate|{LEOPARD}", "indicator": indicator.pk})
    twice = client.post(
        add, {"dataset": cameras.pk, "series": f"detection_rate|{LEOPARD}", "indicator": indicator.pk}, follow=True
    )
    assert "already linked" in twice.content.decode()
    assert MonitoringIndicatorLink.objects.get().metric == "detection_rate"

    # then the expert sees it beside 4.1.1, with its span, comparability and trend, and the page's link
    client.force_login(expert)
    with CaptureQueriesContext(connection) as linked:
        response = client.get(review_url)
    html = response.content.decode()
    # the page's tag (its 304s) follows the link: a reviewer's browser does not keep the old page
    assert response["ETag"] != before["ETag"]
    answer = assessment.answers.get(indicator=indicator)
    block = re.search(rf'id="monitoring-{answer.pk}">(.*?)</div>', html, re.S).group(1)
    assert "Detection rate (per 100 trap-nights) · Panthera pardus (Cámaras trampa): 2019–2023" in block
    assert "4 of 5 periods comparable" in block and "rising trend" in block
    assert reverse("monitoring:outcomes", args=[area.pk]) in block
    assert html.count("review-monitoring") == 1
    # and the whole forest dataset linked as well costs the page no query more
    MonitoringIndicatorLink.objects.create(dataset=world["forest"], indicator=indicator)
    with CaptureQueriesContext(connection) as more:
        html = client.get(review_url).content.decode()
    assert "Forest loss (ha)" in html
    assert len(more) == len(linked) <= len(unlinked) + 2


def test_tdwg_years_at_different_sites_are_marked_with_their_reason_on_the_page_and_review(
    client, area, site_manager, testdata
):
    # given the TDWG example (2020 and 2021 at different sites, SOURCES.md), its effort thresholds
    # lowered so that effort is not what stops the comparison
    from monitoring import services
    from monitoring.outcomes import indicator_summaries

    folder = testdata / "monitoring/camtrapdp-tdwg-example"
    files = [(p.name, open(p, "rb")) for p in sorted(folder.iterdir()) if p.is_file()]
    dataset = services.add_dataset(
        area=area,
        title="Cámaras TDWG",
        files=files,
        by=site_manager,
        params={"min_trap_nights": 1, "min_deployments": 1},
        process=False,
    )
    dataset = services.process_dataset(dataset.pk)
    assert dataset.status == "ready", dataset.problems
    assert set(dataset.values.values_list("comparable", "not_comparable_reason")) == {(False, "sites")}
    # the outcome page marks both years, draws no trend and says why
    client.force_login(site_manager)
    html = client.get(reverse("monitoring:outcomes", args=[area.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert all(s["trend"] is None and not any(s["zones"][0]["comparable"]) for s in _charts(html)["series"])
    assert "Not comparable: the cameras stood at other sites than in the other years (2020, 2021)." in html
    assert "the effort behind the value is too low" not in html
    # the review page's line beside the indicator says it too
    indicator = make_outcome_indicator()
    MonitoringIndicatorLink.objects.create(dataset=dataset, indicator=indicator, metric="detection_rate", taxon="Ardea")
    (line,) = indicator_summaries(area.pk, ["4.1.1"])["4.1.1"]
    assert "0 of 2 periods comparable" in line["text"] and "no trend drawn" in line["text"]
    why = "Not comparable: the cameras stood at other sites than in the other years (2020, 2021)."
    assert line["text"].endswith(why)
