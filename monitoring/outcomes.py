"""The outcome page of an area and the reviewers' summary beside an indicator: monitoring series
read back as charts, tables, a map and notes (docs/monitoring.md states the methods).

Honest numbers, decided here once for every page:
- a series shows every period with its effort; a period whose effort is too low to compare
  (`MonitoringValue.comparable` false, decided by the reader) is marked, never hidden;
- a trend line is drawn only through at least `MIN_TREND_PERIODS` comparable periods (ordinary
  least squares over those periods: descriptive, not a test);
- confidence intervals are shown where the reader's method gave them;
- points of a sensitive dataset are generalised to a ~10 km grid cell (selectors.generalise).

Queries: a constant number per page, whatever the number of datasets, values or points.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.text import localized_number
from standards.models import Indicator
from standards.selectors import current_standard

from .choices import DatasetKind, DatasetStatus, Metric, NotComparable, PointKind, Zone
from .models import MonitoringDataset, MonitoringIndicatorLink, MonitoringPoint, MonitoringValue
from .selectors import generalise

MIN_TREND_PERIODS = 3
MAX_MAP_POINTS = 6000
# The Standard's parts a series may be evidence for: the outcome component and "measure success".
LINKABLE_COMPONENT = "4"
LINKABLE_CRITERIA = ("3.7",)

UNITS: dict[str, Any] = {
    Metric.DETECTION_RATE: gettext_lazy("detections per 100 trap-nights"),
    Metric.NAIVE_OCCUPANCY: gettext_lazy("share of deployments with a detection"),
    Metric.RECORD_COUNT: gettext_lazy("records"),
    Metric.SPECIES_RICHNESS: gettext_lazy("species"),
    Metric.DETECTIONS_PER_HOUR: gettext_lazy("detections per recording hour"),
    Metric.FOREST_LOSS_HA: gettext_lazy("ha"),
    Metric.FOREST_LOSS_PCT: gettext_lazy("percent of 2000 tree cover"),
}
ZONE_SHORT: dict[str, Any] = {Zone.INSIDE: gettext_lazy("Inside"), Zone.BUFFER: gettext_lazy("Buffer ring")}
METHOD_NOTES: dict[str, Any] = {
    DatasetKind.CAMTRAP: gettext_lazy(
        "Detection rate: independent events per 100 trap-nights of the deployments active that year; interval "
        "(95 %) from the Poisson count of events. Naive occupancy: deployments with a detection divided by "
        "deployments active; Wilson interval (95 %). Not corrected for imperfect detection."
    ),
    DatasetKind.FOREST: gettext_lazy(
        "Hansen Global Forest Change: pixels lost that year whose 2000 canopy was above the threshold, a "
        "pixel counted when its centre is inside the zone, pixel areas on the authalic sphere. The buffer "
        "is a ring outside the boundary."
    ),
    DatasetKind.OCCURRENCES: gettext_lazy(
        "Records and species per year from a Darwin Core Archive; not corrected for effort (records are "
        "the only effort measure), so years are compared with care."
    ),
    DatasetKind.ACOUSTIC: gettext_lazy(
        "Detections at or above the confidence threshold per recording hour; interval (95 %) from the "
        "Poisson count of detections."
    ),
}


@dataclass
class Series:
    """One chart and its table: a metric of a dataset, for one taxon (or area-wide), per zone."""

    key: str
    dataset: MonitoringDataset
    metric: str
    taxon: str | None
    rows: list[dict] = field(default_factory=list)  # period, zone, value, ci, effort, comparable
    zones: list[str] = field(default_factory=list)
    trend: dict | None = None
    comparable_periods: int = 0

    @property
    def title(self) -> str:
        label = str(Metric(self.metric).label)
        return f"{label} · {self.taxon}" if self.taxon else label

    @property
    def unit(self) -> str:
        return str(UNITS.get(self.metric, ""))

    @property
    def has_ci(self) -> bool:
        return any(r["ci_low"] is not None for r in self.rows)

    @property
    def low_effort(self) -> int:
        return sum(1 for r in self.rows if not r["comparable"])

    def table(self) -> dict[str, Any]:
        """One row per period, one cell per zone (value, interval, effort, a mark when not comparable)."""
        by = {(r["period"], r["zone"]): r for r in self.rows}
        periods = sorted({r["period"] for r in self.rows})
        # An effort that is the same every period (a forest zone's 2000 cover) is said once, in the header.
        constant = {}
        for z in self.zones:
            efforts = {r["effort_text"] for r in self.rows if r["zone"] == z}
            constant[z] = efforts.pop() if len(efforts) == 1 and len(periods) > 1 else None
        return {
            "zones": [
                {"label": ZONE_SHORT.get(z, z) if len(self.zones) > 1 else "", "effort": constant[z]}
                for z in self.zones
            ],
            "rows": [
                {
                    "period": p,
                    "cells": [
                        {**by[(p, z)], "effort_shown": "" if constant[z] else by[(p, z)]["effort_text"]}
                        if (p, z) in by
                        else None
                        for z in self.zones
                    ],
                }
                for p in periods
            ],
            "not_comparable": self.not_comparable_text,
        }

    @property
    def not_comparable_text(self) -> str:
        """Why the marked periods are not comparable: each reason with its periods."""
        return reasons_text(self.dataset.kind, self.rows)

    def chart(self) -> dict[str, Any]:
        periods = sorted({r["period"] for r in self.rows})
        by = {(r["period"], r["zone"]): r for r in self.rows}
        zones = []
        for zone in self.zones:
            cells = [by.get((p, zone)) for p in periods]
            zones.append(
                {
                    "zone": zone,
                    "label": str(Zone(zone).label) if len(self.zones) > 1 else self.title,
                    "values": [c["value"] if c else None for c in cells],
                    "ci_low": [c["ci_low"] if c else None for c in cells],
                    "ci_high": [c["ci_high"] if c else None for c in cells],
                    "comparable": [bool(c and c["comparable"]) for c in cells],
                    "effort": [c["effort_text"] if c else "" for c in cells],
                }
            )
        return {
            "id": self.key,
            "kind": "bar" if self.metric in (Metric.FOREST_LOSS_HA, Metric.FOREST_LOSS_PCT) else "points",
            "periods": periods,
            "unit": self.unit,
            "zones": zones,
            "trend": self.trend,
        }


def reasons_text(kind: str, rows: list[dict]) -> str:
    """'<reason> (<periods>); …' over the rows not comparable (rows: period, comparable, reason)."""
    periods: dict[str, list[str]] = defaultdict(list)
    for r in rows:
        if not r["comparable"]:
            reason = r.get("reason") or (NotComparable.COVERAGE if kind == DatasetKind.FOREST else NotComparable.EFFORT)
            if r["period"] not in periods[reason]:
                periods[reason].append(r["period"])
    return "; ".join(
        f"{NotComparable(reason).label} ({', '.join(sorted(ps))})" for reason, ps in sorted(periods.items())
    )


def _decimals(*values: float | None) -> int:
    """Decimals for numbers shown side by side (a value and its interval), set by the largest so that
    all of them have the same: '0.50 (0.01–2.80)', never '0.5 (0.01–2.80)'. Whole numbers get none;
    under 1, three significant digits."""
    shown = [abs(v) for v in values if v is not None and math.isfinite(v)]
    if not shown or all(float(v).is_integer() for v in shown):
        return 0
    largest = max(shown)
    if largest >= 100:
        return 0
    if largest >= 10:
        return 1
    if largest >= 1:
        return 2
    return 2 - math.floor(math.log10(largest))


def _number(value: float | None, decimals: int | None = None) -> str:
    """`value` in the active language's format ('12,644.5' in English, '12 644,5' in French).
    Called while a page is drawn (outcome_page, indicator_summaries: the request's language), never
    in a worker; an f-string would give the English format whatever the reader's language."""
    if value is None or not math.isfinite(value):
        return ""
    return localized_number(value, _decimals(value) if decimals is None else decimals)


def effort_text(effort: float | None, unit: str) -> str:
    if effort is None:
        return ""
    from .choices import EffortUnit

    label = str(EffortUnit(unit).label) if unit in EffortUnit.values else unit
    return f"{_number(effort)} {label}".strip()


def trend(rows: list[dict]) -> dict | None:
    """Ordinary least squares of value on year over the comparable periods; None under
    MIN_TREND_PERIODS of them (a line through two points says nothing about a trend)."""
    points = sorted(
        (int(r["period"][:4]) + (int(r["period"][5:7]) - 1) / 12 if len(r["period"]) > 4 else int(r["period"]), r)
        for r in rows
        if r["comparable"]
    )
    if len(points) < MIN_TREND_PERIODS:
        return None
    xs = [x for x, _r in points]
    ys = [r["value"] for _x, r in points]
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    if sxx == 0:
        return None
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx
    start = my + slope * (xs[0] - mx)
    end = my + slope * (xs[-1] - mx)
    return {
        "from": points[0][1]["period"],
        "to": points[-1][1]["period"],
        "start": round(start, 6),
        "end": round(end, 6),
        "slope": round(slope, 6),
        "periods": n,
    }


def build_series(datasets: list[MonitoringDataset], values) -> dict[int, list[Series]]:
    """Ready values → series per dataset (trend over the inside zone, or the only zone)."""
    by_id = {d.pk: d for d in datasets}
    grouped: dict[tuple, Series] = {}
    for v in values:
        key = (v.dataset_id, v.metric, v.taxon or "")
        series = grouped.get(key)
        if series is None:
            series = grouped[key] = Series(
                key=f"s{len(grouped) + 1}", dataset=by_id[v.dataset_id], metric=v.metric, taxon=v.taxon
            )
        if v.zone not in series.zones:
            series.zones.append(v.zone)
        places = _decimals(v.value, v.ci_low, v.ci_high)  # a value and its interval alike
        series.rows.append(
            {
                "period": v.period,
                "zone": v.zone,
                "zone_label": Zone(v.zone).label,
                "value": v.value,
                "value_text": _number(v.value, places),
                "ci_low": v.ci_low,
                "ci_high": v.ci_high,
                "ci_text": f"{_number(v.ci_low, places)}–{_number(v.ci_high, places)}" if v.ci_low is not None else "",
                "effort": v.effort,
                "effort_text": effort_text(v.effort, v.effort_unit),
                "comparable": v.comparable,
                "reason": v.not_comparable_reason,
            }
        )
    out: dict[int, list[Series]] = defaultdict(list)
    for series in grouped.values():
        series.zones.sort(key=lambda z: 0 if z == Zone.INSIDE else 1)
        main = [r for r in series.rows if r["zone"] == series.zones[0]]
        series.comparable_periods = sum(1 for r in main if r["comparable"])
        series.trend = trend(main)
        out[series.dataset.pk].append(series)
    return out


def boundary_notes(values) -> dict[int, list[dict]]:
    """Per dataset: which boundary version served which years (values carry the boundary valid then)."""
    years: dict[tuple[int, int | None], list[str]] = defaultdict(list)
    versions: dict[tuple[int, int | None], Any] = {}
    for v in values:
        if v.boundary_id is None:
            continue
        key = (v.dataset_id, v.boundary_id)
        years[key].append(v.period[:4])
        versions[key] = v.boundary.version
    notes: dict[int, list[dict]] = defaultdict(list)
    for (dataset_id, _b), ys in sorted(years.items(), key=lambda kv: min(kv[1])):
        notes[dataset_id].append({"version": versions[(dataset_id, _b)], "first": min(ys), "last": max(ys)})
    return notes


def map_features(datasets: list[MonitoringDataset]) -> dict[str, Any]:
    """The ready datasets' points as GeoJSON, sensitive ones generalised (one query, capped)."""
    sensitive = {d.pk for d in datasets if d.sensitive}
    rows = MonitoringPoint.objects.filter(
        dataset__in=[d.pk for d in datasets], dataset__status=DatasetStatus.READY
    ).values_list("dataset_id", "kind", "geom", "taxon", "year")[:MAX_MAP_POINTS]
    features, seen = [], set()
    for dataset_id, kind, geom, taxon, year in rows:
        lon, lat = geom.x, geom.y
        if dataset_id in sensitive:
            lon, lat = generalise(lon, lat)
            key = (dataset_id, kind, lon, lat, taxon, year)
            if key in seen:
                continue
            seen.add(key)
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
                "properties": {
                    "kind": kind,
                    "label": str(PointKind(kind).label),
                    "taxon": taxon or "",
                    "year": year,
                    "generalised": dataset_id in sensitive,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def linkable_indicators() -> list[Indicator]:
    """The current Standard's outcome indicators (component 4) and those of criterion 3.7."""
    standard = current_standard()
    if standard is None:
        return []
    return list(
        Indicator.objects.filter(standard=standard)
        .filter(criterion__component__number=LINKABLE_COMPONENT)
        .union(Indicator.objects.filter(standard=standard, criterion__number__in=LINKABLE_CRITERIA))
        .order_by("position")
    )


def outcome_page(area: Any, *, can_add: bool) -> dict[str, Any]:
    datasets = list(MonitoringDataset.objects.filter(area=area).order_by("kind", "-created_at", "-id"))
    ready = [d for d in datasets if d.status == DatasetStatus.READY]
    values = list(
        MonitoringValue.objects.filter(dataset__in=[d.pk for d in ready])
        .select_related("boundary")
        .only(*VALUE_FIELDS)
        .order_by("dataset_id", "metric", "taxon", "zone", "period_start")
    )
    series = build_series(ready, values)
    notes = boundary_notes(values)
    links: dict[int, list[MonitoringIndicatorLink]] = defaultdict(list)
    for link in MonitoringIndicatorLink.objects.filter(dataset__in=[d.pk for d in datasets]).select_related(
        "indicator"
    ):
        links[link.dataset_id].append(link)
    sections = [
        {
            "dataset": d,
            "series": series.get(d.pk, []),
            "boundaries": notes.get(d.pk, []),
            "method": METHOD_NOTES.get(d.kind, ""),
            "links": links.get(d.pk, []),
            "metrics": sorted({s.metric for s in series.get(d.pk, [])}),
            "taxa": sorted({s.taxon for s in series.get(d.pk, []) if s.taxon}),
        }
        for d in datasets
    ]
    all_series = [s for d in ready for s in series.get(d.pk, [])]
    return {
        "sections": sections,
        "charts": {"series": [s.chart() for s in all_series]},
        "points": map_features(ready),
        "boundary": json.loads(area.geom_display.geojson) if getattr(area, "geom_display", None) else None,
        "indicators": linkable_indicators() if can_add else [],
        "min_trend_periods": MIN_TREND_PERIODS,
        "has_sensitive": any(d.sensitive for d in ready),
    }


VALUE_FIELDS = (
    "dataset_id",
    "metric",
    "taxon",
    "zone",
    "period",
    "value",
    "effort",
    "effort_unit",
    "comparable",
    "not_comparable_reason",
    "ci_low",
    "ci_high",
    "boundary__version",
)


def indicator_summaries(area_id: int, numbers: list[str]) -> dict[str, list[dict]]:
    """For the review page: per indicator number, the linked ready series of the area, each as a
    compact line (metric, taxon, last periods, trend direction) — two queries, whatever the counts."""
    links = list(
        MonitoringIndicatorLink.objects.filter(
            dataset__area_id=area_id, dataset__status=DatasetStatus.READY, indicator__number__in=numbers
        ).select_related("dataset", "indicator")
    )
    if not links:
        return {}
    values = list(
        MonitoringValue.objects.filter(dataset__in={link.dataset_id for link in links}, zone=Zone.INSIDE)
        .only(
            "dataset_id",
            "metric",
            "taxon",
            "period",
            "value",
            "comparable",
            "not_comparable_reason",
            "effort",
            "effort_unit",
        )
        .order_by("dataset_id", "metric", "taxon", "period_start")
    )
    by_series: dict[tuple, list] = defaultdict(list)
    for v in values:
        by_series[(v.dataset_id, v.metric, v.taxon or "")].append(v)
    out: dict[str, list[dict]] = defaultdict(list)
    for link in links:
        for (dataset_id, metric, taxon), rows in by_series.items():
            if dataset_id != link.dataset_id or (link.metric and link.metric != metric):
                continue
            if link.taxon and link.taxon != taxon:
                continue
            plain = [
                {"period": r.period, "value": r.value, "comparable": r.comparable, "reason": r.not_comparable_reason}
                for r in rows
            ]
            line = trend(plain)
            last = rows[-1]
            title = f"{Metric(metric).label}{' · ' + taxon if taxon else ''}"
            why = reasons_text(link.dataset.kind, plain)
            out[link.indicator.number].append(
                {
                    "dataset": link.dataset,
                    "text": _(
                        "%(title)s (%(dataset)s): %(first)s–%(last)s, %(comparable)d of %(periods)d periods "
                        "comparable; latest %(value)s %(unit)s; %(trend)s."
                    )
                    % {
                        "title": title,
                        "dataset": link.dataset.title,
                        "first": rows[0].period,
                        "last": last.period,
                        "comparable": sum(1 for r in rows if r.comparable),
                        "periods": len(rows),
                        "value": _number(last.value),
                        "unit": UNITS.get(metric, ""),
                        "trend": direction_label(None if line is None else line["slope"]),
                    }
                    + (" " + _("Not comparable: %(reason)s.") % {"reason": why} if why else ""),
                }
            )
    return out


def direction_label(slope: float | None) -> str:
    if slope is None:
        return _("no trend drawn (fewer than three comparable periods)")
    return _("rising trend") if slope > 0 else _("falling trend") if slope < 0 else _("flat trend")


def review_rows(assessment: Any) -> list:
    """The rows behind the series shown on the assessment's review page (its 304s, core.freshness):
    the area's datasets (a reprocessing changes their row) and their links to indicators."""
    from core.freshness import Rows

    datasets = MonitoringDataset._meta.db_table
    where = f"t.dataset_id IN (SELECT d.id FROM {datasets} d WHERE d.area_id = %s)"  # noqa: S608 - model names
    return [
        Rows(MonitoringDataset, "t.area_id = %s", (assessment.protected_area_id,)),
        Rows(MonitoringIndicatorLink, where, (assessment.protected_area_id,)),
    ]
