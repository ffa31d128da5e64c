"""A site with monitoring series for the outcome page's tests: the real Sierra de Neiba forest-loss
reading (2001–2020, inside and buffer), and a sensitive camera-trap dataset whose values are made
by hand to show every case: a period with too little effort, intervals, a series with a trend
(four comparable years) and one without (two). Statuses are set directly: the lifecycle is tested
elsewhere (test_workflow); here only what a ready dataset shows matters."""

from __future__ import annotations

import datetime
from pathlib import Path

from django.contrib.gis.gdal import DataSource
from django.contrib.gis.geos import MultiPolygon, Point

from monitoring.choices import DatasetKind, DatasetStatus
from monitoring.models import MonitoringDataset, MonitoringPoint, MonitoringValue
from monitoring.readers import Boundary
from monitoring.readers.forest import read_forest
from protected_areas.models import BoundaryVersion

NEIBA = "monitoring/hansen-gfc-v1.8-sierra-de-neiba"
# A camera station inside the park: the page must never show these digits for a sensitive dataset.
STATION = (-71.51234, 18.63456)
LEOPARD = "Panthera pardus"


def neiba_polygon(testdata: Path) -> MultiPolygon:
    layer = DataSource(str(testdata / NEIBA / "sierra_de_neiba_478140.gpkg"))[0]
    geom = next(iter(layer)).geom.geos
    geom.srid = 4326
    return geom


def build(area, testdata: Path) -> dict:
    park = neiba_polygon(testdata)
    area.geom = area.geom_display = park
    area.save(update_fields=["geom", "geom_display"])
    version = BoundaryVersion.objects.create(protected_area=area, version=1, geom=park, area_km2=183.0)
    reading = read_forest(
        testdata / NEIBA / "Hansen_GFC-2020-v1.8_lossyear_20N_080W.tif",
        testdata / NEIBA / "Hansen_GFC-2020-v1.8_treecover2000_20N_080W.tif",
        [Boundary(version.pk, park)],
    )
    assert not reading.problems, reading.problems
    forest = MonitoringDataset.objects.create(
        area=area, kind=DatasetKind.FOREST, title="Pérdida forestal Hansen", status=DatasetStatus.READY
    )
    MonitoringValue.objects.bulk_create(
        MonitoringValue(
            dataset=forest,
            metric=v.metric,
            taxon=v.taxon,
            zone=v.zone,
            period=v.period,
            period_start=v.period_start,
            value=v.value,
            effort=v.effort,
            effort_unit=v.effort_unit,
            comparable=v.comparable,
            boundary_id=v.boundary_id,
            method=v.method,
        )
        for v in reading.values
    )
    MonitoringPoint.objects.bulk_create(
        MonitoringPoint(dataset=forest, kind=p.kind, geom=Point(p.lon, p.lat, srid=4326), year=p.year, label=p.label)
        for p in reading.points[:300]
    )
    cameras = MonitoringDataset.objects.create(
        area=area, kind=DatasetKind.CAMTRAP, title="Cámaras trampa", status=DatasetStatus.READY, sensitive=True
    )
    rates = [  # year, rate, trap-nights, comparable, ci
        (2019, 0.5, 40.0, False, (0.01, 2.8)),
        (2020, 1.2, 420.0, True, (0.6, 2.1)),
        (2021, 1.6, 450.0, True, (0.9, 2.6)),
        (2022, 2.1, 430.0, True, (1.3, 3.2)),
        (2023, 2.4, 440.0, True, (1.5, 3.6)),
    ]
    values = [
        MonitoringValue(
            dataset=cameras,
            metric="detection_rate",
            taxon=LEOPARD,
            period=str(year),
            period_start=datetime.date(year, 1, 1),
            value=rate,
            effort=effort,
            effort_unit="trap-nights",
            comparable=ok,
            ci_low=ci[0],
            ci_high=ci[1],
            method="events-per-100tn",
        )
        for year, rate, effort, ok, ci in rates
    ]
    values += [
        MonitoringValue(
            dataset=cameras,
            metric="naive_occupancy",
            taxon=LEOPARD,
            period=str(year),
            period_start=datetime.date(year, 1, 1),
            value=share,
            effort=deployments,
            effort_unit="deployments",
            comparable=deployments >= 10,
            ci_low=max(0.0, share - 0.2),
            ci_high=min(1.0, share + 0.2),
            method="naive-occupancy",
        )
        for year, share, deployments in [(2021, 0.3, 20), (2022, 0.35, 20), (2023, 0.4, 4)]
    ]
    MonitoringValue.objects.bulk_create(values)
    MonitoringPoint.objects.create(
        dataset=cameras, kind="deployment", geom=Point(*STATION, srid=4326), taxon=LEOPARD, year=2022, label="CT-07"
    )
    return {"forest": forest, "cameras": cameras, "version": version}
