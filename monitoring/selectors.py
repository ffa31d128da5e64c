"""Reading monitoring series: what pages, API, dossier and package show.

Values and points of a dataset are shown only while it is `ready` (the worker replaces them in one
transaction, and a failed reading shows none). Points of a sensitive dataset are generalised
everywhere they are shown (to the centre of a `GENERALISE_DEGREES` grid cell) and never exported.
"""

from __future__ import annotations

import math
from typing import Any

from django.db.models import QuerySet

from accounts.types import Person

from . import rules
from .choices import DatasetStatus
from .models import MonitoringDataset, MonitoringPoint, MonitoringValue

GENERALISE_DEGREES = 0.1  # about 11 km: a cell, not a den or a nest


def datasets_visible_to(user: Person) -> QuerySet[MonitoringDataset]:
    areas = rules.viewable_area_ids(user)
    datasets = MonitoringDataset.objects.select_related("area")
    return datasets if areas is None else datasets.filter(area_id__in=areas)


def area_datasets(area: Any) -> QuerySet[MonitoringDataset]:
    return MonitoringDataset.objects.filter(area=area).order_by("kind", "-created_at", "-id")


def ready_values(datasets: Any) -> QuerySet[MonitoringValue]:
    """The values of the datasets given that are ready, in series order."""
    return MonitoringValue.objects.filter(dataset__in=datasets, dataset__status=DatasetStatus.READY).order_by(
        "dataset_id", "metric", "taxon", "zone", "period_start"
    )


def generalise(lon: float, lat: float) -> tuple[float, float]:
    cell = GENERALISE_DEGREES
    return (math.floor(lon / cell) + 0.5) * cell, (math.floor(lat / cell) + 0.5) * cell


def map_points(dataset: MonitoringDataset) -> list[dict[str, Any]]:
    """The dataset's points for a map, generalised (and deduplicated per cell) when sensitive."""
    if dataset.status != DatasetStatus.READY:
        return []
    rows = MonitoringPoint.objects.filter(dataset=dataset).values_list("kind", "geom", "taxon", "year", "label")
    out: list[dict[str, Any]] = []
    seen: set[tuple[Any, ...]] = set()
    for kind, geom, taxon, year, label in rows:
        lon, lat = geom.x, geom.y
        if dataset.sensitive:
            lon, lat = generalise(lon, lat)
            key = (kind, round(lon, 6), round(lat, 6), taxon, year)
            if key in seen:
                continue
            seen.add(key)
            label = ""
        out.append({"kind": kind, "lon": lon, "lat": lat, "taxon": taxon, "year": year, "label": label})
    return out


def series_rows(dataset: MonitoringDataset) -> list[dict[str, Any]]:
    """The dataset's values as plain rows (the command's --json, the JSON package)."""
    return [
        {
            "kind": dataset.kind,
            "metric": v.metric,
            "taxon": v.taxon,
            "zone": v.zone,
            "period": v.period,
            "value": v.value,
            "effort": v.effort,
            "effort_unit": v.effort_unit,
            "comparable": v.comparable,
            "not_comparable_reason": v.not_comparable_reason,
            "ci_low": v.ci_low,
            "ci_high": v.ci_high,
            "method": v.method,
            "boundary_version": v.boundary.version if v.boundary else None,
        }
        for v in ready_values([dataset]).select_related("boundary")
    ]


# What an assessment's dossier and package carry of its site's monitoring: the ready datasets' values
# (never map points: locations stay on the platform's pages, generalised where sensitive).
DOSSIER_MAX_ROWS = 80


def exported_series(area: Any, user: Person | None = None) -> list[dict[str, Any]]:
    """The area's ready datasets with their values, as `user` may see them (None: an operator's
    command, everything). One query for the datasets, one for all their values."""
    if user is not None and not rules.can_view_monitoring(user, area):
        return []
    datasets = list(area_datasets(area).filter(status=DatasetStatus.READY))
    by_dataset: dict[int, list[MonitoringValue]] = {d.pk: [] for d in datasets}
    for value in ready_values(datasets).select_related("boundary"):
        by_dataset[value.dataset_id].append(value)
    return [
        {
            "dataset": d,
            "title": d.title,
            "kind": d.kind,
            "sensitive": d.sensitive,
            "processed_at": d.processed_at.isoformat() if d.processed_at else None,
            "params": d.params,
            "values": by_dataset[d.pk],
        }
        for d in datasets
    ]


def package_series(area: Any, user: Person | None = None) -> list[dict[str, Any]]:
    """`exported_series` as plain JSON for the assessment package."""
    return [
        {
            "title": item["title"],
            "kind": item["kind"],
            "sensitive": item["sensitive"],
            "processed_at": item["processed_at"],
            "params": item["params"],
            "series": [
                {
                    "metric": v.metric,
                    "taxon": v.taxon,
                    "zone": v.zone,
                    "period": v.period,
                    "value": v.value,
                    "effort": v.effort,
                    "effort_unit": v.effort_unit,
                    "comparable": v.comparable,
                    "not_comparable_reason": v.not_comparable_reason,
                    "ci_low": v.ci_low,
                    "ci_high": v.ci_high,
                    "method": v.method,
                    "boundary_version": v.boundary.version if v.boundary else None,
                }
                for v in item["values"]
            ],
        }
        for item in exported_series(area, user)
    ]


def dossier_series(area: Any, user: Person) -> list[dict[str, Any]]:
    """`exported_series` for the dossier: at most DOSSIER_MAX_ROWS values per dataset (area-wide
    values first), and how many more the API holds."""
    out = []
    for item in exported_series(area, user):
        values = sorted(item["values"], key=lambda v: (v.taxon is not None, v.metric, v.taxon or "", v.zone, v.period))
        out.append({**item, "values": values[:DOSSIER_MAX_ROWS], "more": max(0, len(values) - DOSSIER_MAX_ROWS)})
    return out
