"""One real Celery worker processes what the import command adds: the forest-loss pair of Sierra de
Neiba against the park's boundary, and the Camtrap DP example, end to end (--wait --json)."""

import json

import pytest
from django.contrib.gis.gdal import DataSource
from django.contrib.gis.geos import MultiPolygon
from django.core.management import call_command

from protected_areas.models import BoundaryVersion
from protected_areas.tests.factories import ProtectedAreaFactory

NEIBA = "monitoring/hansen-gfc-v1.8-sierra-de-neiba"


@pytest.mark.worker
def test_worker_processes_forest_and_camera_traps_from_the_command(celery_worker_process, testdata, capsys):
    layer = DataSource(str(testdata / NEIBA / "sierra_de_neiba_478140.gpkg"))[0]
    geom = next(iter(layer)).geom.geos
    geom = geom if isinstance(geom, MultiPolygon) else MultiPolygon(geom)
    geom.srid = 4326
    area = ProtectedAreaFactory(key="wdpa:478140", name="Sierra de Neiba", geom=geom, geom_display=geom)
    BoundaryVersion.objects.create(protected_area=area, version=1, geom=geom, area_km2=182.95)
    call_command(
        "import_monitoring",
        str(testdata / NEIBA / "Hansen_GFC-2020-v1.8_lossyear_20N_080W.tif"),
        str(testdata / NEIBA / "Hansen_GFC-2020-v1.8_treecover2000_20N_080W.tif"),
        str(testdata / "monitoring/camtrapdp-tdwg-example"),
        "--area",
        "wdpa:478140",
        "--wait",
        "--timeout",
        "240",
        "--json",
        verbosity=0,
    )
    out = capsys.readouterr()
    last = json.loads(out.out.strip().splitlines()[-1])
    assert {d["status"] for d in last["datasets"]} == {"ready"}, last["errors"]
    assert "processing it here" not in out.err  # the worker did the work, not the command
    loss = [r for r in last["series"] if r["metric"] == "forest_loss_ha" and r["zone"] == "inside"]
    assert len(loss) == 20 and all(r["taxon"] is None for r in loss)
    assert sum(r["value"] for r in loss) == pytest.approx(720.7, abs=0.5)  # 9,842 px above 30 % canopy
    assert {r["period"]: r["value"] for r in loss}["2012"] == pytest.approx(1130 * 0.0732, rel=0.01)
    rates = {(r["taxon"], r["period"]): r for r in last["series"] if r["metric"] == "detection_rate"}
    assert rates[("Anas platyrhynchos", "2020")]["effort"] == pytest.approx(51.34, abs=0.01)
