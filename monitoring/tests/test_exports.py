"""The site's monitoring series in the assessment's dossier and JSON package: ready datasets' values
for who may see them, never map points."""

import json

import pytest

from monitoring import services
from reports.exports import dossier_html
from reports.package import build_package
from scoring.tests.fixtures import assessment, standard  # noqa: F401

pytestmark = pytest.mark.django_db

BIRDNET_CSV = "monitoring/birdnet-analyzer-example/soundscape.BirdNET.results.csv"


def test_dossier_and_package_carry_the_series_for_those_who_may_see_them(
    assessment,  # noqa: F811
    site_manager,
    other_manager,
    testdata,
):
    with open(testdata / BIRDNET_CSV, "rb") as handle:
        dataset = services.add_dataset(
            area=assessment.protected_area,
            title="Grabadora 1",
            files=[("soundscape.BirdNET.results.csv", handle)],
            by=site_manager,
            params={"min_confidence": 0.5, "year": 2022},
            sensitive=True,
            process=False,
        )
    services.process_dataset(dataset.pk)
    package = build_package(assessment, site_manager)
    [item] = package["monitoring"]
    assert item["title"] == "Grabadora 1" and item["kind"] == "acoustic" and item["sensitive"]
    junco = [s for s in item["series"] if s["taxon"] == "Junco hyemalis"]
    assert junco == [
        {
            "metric": "detections_per_hour",
            "taxon": "Junco hyemalis",
            "zone": "inside",
            "period": "2022",
            "value": 60.0,
            "effort": pytest.approx(120 / 3600, rel=1e-3),
            "effort_unit": "recording-hours",
            "comparable": False,
            "not_comparable_reason": "effort",
            "ci_low": pytest.approx(7.27, abs=0.01),
            "ci_high": pytest.approx(216.74, abs=0.01),
            "method": "acoustic-detections",
            "boundary_version": None,
        }
    ]
    text = json.dumps(package)
    assert "42.5" not in text and "-76.45" not in text  # the recorder's place is not exported
    assert build_package(assessment)["monitoring"][0]["title"] == "Grabadora 1"  # an operator's export
    html = dossier_html(assessment, site_manager)
    assert "Monitoring series" in html and "<i>Junco hyemalis</i>" in html
    assert "the effort behind the value is too low" in html  # why the value is not comparable
