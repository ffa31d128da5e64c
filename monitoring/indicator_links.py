"""Linking a monitoring dataset, or one of its series, to an indicator of the Standard as evidence
(outcome indicators of component 4 and criterion 3.7: outcomes.linkable_indicators). Only the
area's site team and IUCN staff link (rules.can_add_monitoring), as they add the data."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.types import Person
from audit.services import audit_record
from core.errors import Conflict, DomainError, NotAllowed

from . import error_codes, rules
from .choices import Metric
from .models import TAXON_MAX, MonitoringDataset, MonitoringIndicatorLink, MonitoringValue
from .outcomes import linkable_indicators


def clean_taxon(text: str) -> str:
    taxon = " ".join((text or "").split())
    if len(taxon) > TAXON_MAX:
        raise DomainError(
            error_codes.MONITORING_LINK_SERIES,
            _("A taxon name is at most %(n)d characters.") % {"n": TAXON_MAX},
            field="taxon",
        )
    return taxon


def _id(value: Any, code: str, message: str, field: str) -> int:
    text = str(value or "").strip()
    if not (text.isascii() and text.isdigit()):
        raise DomainError(code, message, field=field)
    return int(text)


def link_create(
    *, area: Any, by: Person, dataset_id: Any, indicator_id: Any, metric: str = "", taxon: str = ""
) -> MonitoringIndicatorLink:
    if not rules.can_add_monitoring(by, area):
        raise NotAllowed(error_codes.MONITORING_ROLE, _("Only the site team and IUCN staff link monitoring series."))
    no_dataset = _("Choose a monitoring dataset of this area.")
    dataset = MonitoringDataset.objects.filter(
        area=area, pk=_id(dataset_id, error_codes.MONITORING_LINK_DATASET, no_dataset, "dataset")
    ).first()
    if dataset is None:
        raise DomainError(error_codes.MONITORING_LINK_DATASET, no_dataset, field="dataset")
    no_indicator = _("Choose an outcome indicator (component 4) or an indicator of criterion 3.7.")
    wanted = _id(indicator_id, error_codes.MONITORING_LINK_INDICATOR, no_indicator, "indicator")
    indicator = next((i for i in linkable_indicators() if i.pk == wanted), None)
    if indicator is None:
        raise DomainError(error_codes.MONITORING_LINK_INDICATOR, no_indicator, field="indicator")
    metric = (metric or "").strip()
    if metric and metric not in Metric.values:
        raise DomainError(error_codes.MONITORING_LINK_SERIES, _("This measure is not one the platform computes."))
    taxon = clean_taxon(taxon)
    if (metric or taxon) and dataset.is_ready:
        series = MonitoringValue.objects.filter(dataset=dataset)
        if metric:
            series = series.filter(metric=metric)
        if taxon:
            series = series.filter(taxon=taxon)
        if not series.exists():
            raise DomainError(error_codes.MONITORING_LINK_SERIES, _("The dataset has no such series."), field="taxon")
    try:
        with transaction.atomic():
            link = MonitoringIndicatorLink.objects.create(
                dataset=dataset, indicator=indicator, metric=metric, taxon=taxon, created_by=by if by.pk else None
            )
    except IntegrityError:
        raise Conflict(
            error_codes.MONITORING_LINK_EXISTS, _("This series is already linked to that indicator.")
        ) from None
    audit_record(
        actor=by,
        action="monitoring_link.create",
        target=link,
        data={"dataset": dataset.pk, "indicator": indicator.number, "metric": metric, "taxon": taxon},
    )
    return link


def link_delete(*, area: Any, by: Person, link_id: int) -> None:
    if not rules.can_add_monitoring(by, area):
        raise NotAllowed(error_codes.MONITORING_ROLE, _("Only the site team and IUCN staff link monitoring series."))
    link = MonitoringIndicatorLink.objects.filter(pk=link_id, dataset__area=area).select_related("indicator").first()
    if link is None:
        raise DomainError(error_codes.MONITORING_LINK_DATASET, _("No such link."))
    audit_record(
        actor=by,
        action="monitoring_link.delete",
        target=link.dataset,
        data={"dataset": link.dataset_id, "indicator": link.indicator.number, "metric": link.metric},
    )
    link.delete()
