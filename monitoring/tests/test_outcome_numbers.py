"""Numbers of the outcome page and of the review page's series lines are written in the reader's
language ('12 644' and '16,5' in French, '12,644' and '16.5' in English), and a value and its
interval have the same number of decimals."""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.formats import get_format

from monitoring.choices import DatasetKind, DatasetStatus
from monitoring.models import MonitoringValue
from monitoring.outcomes import indicator_summaries

from .factories import MonitoringDatasetFactory, make_outcome_indicator

pytestmark = pytest.mark.django_db


def _value(dataset, year: int, value: float, **fields) -> MonitoringValue:
    return MonitoringValue(
        dataset=dataset, metric=fields.pop("metric", "detection_rate"), period=str(year),
        period_start=datetime.date(year, 1, 1), value=value, **fields,
    )  # fmt: skip


@pytest.fixture
def series(area):
    forest = MonitoringDatasetFactory(area=area, kind=DatasetKind.FOREST, status=DatasetStatus.READY)
    cameras = MonitoringDatasetFactory(area=area, kind=DatasetKind.CAMTRAP, status=DatasetStatus.READY)
    cover = {"effort": 12644.3, "effort_unit": "ha-of-2000-cover", "metric": "forest_loss_ha"}
    trap_nights = {"effort": 1250.0, "effort_unit": "trap-nights"}
    MonitoringValue.objects.bulk_create(
        [
            _value(forest, 2019, 16.5, **cover),
            _value(forest, 2020, 3.25, **cover),
            _value(cameras, 2021, 0.5, ci_low=0.01, ci_high=2.8, **trap_nights),
            _value(cameras, 2022, 0.0313, ci_low=0.02, ci_high=0.05, **trap_nights),
        ]
    )
    return {"forest": forest, "cameras": cameras}


def _page(client, area, language: str) -> str:
    response = client.get(reverse("monitoring:outcomes", args=[area.pk]), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def test_the_outcome_page_writes_numbers_in_the_readers_language(client, site_manager, area, series):
    client.force_login(site_manager)
    # in English, as before: comma for thousands, point for decimals
    html = _page(client, area, "en")
    assert "12,644 ha of 2000 tree cover" in html and "1,250 trap-nights" in html
    assert '<span class="v">16.5</span>' in html
    # a value and its interval alike: 0.50 beside 2.80, never 0.5
    assert '<span class="v">0.50</span> <span class="ci">(0.01–2.80)</span>' in html
    assert '<span class="v">0.0313</span> <span class="ci">(0.0200–0.0500)</span>' in html

    # in French: the language's (no-break) space between thousands and a decimal comma
    with translation.override("fr"):
        space = get_format("THOUSAND_SEPARATOR")
    assert space.isspace() and space != " "  # a thousands separator never breaks a line
    html = _page(client, area, "fr")
    assert f"12{space}644 ha" in html and f"1{space}250 " in html
    assert "12,644" not in html and "12 644" not in html  # not the English one, nor a breaking space
    assert '<span class="v">16,5</span>' in html and '<span class="v">3,25</span>' in html
    assert '<span class="v">0,50</span> <span class="ci">(0,01–2,80)</span>' in html
    assert '<span class="v">0,0313</span> <span class="ci">(0,0200–0,0500)</span>' in html


def test_the_series_line_beside_an_indicator_writes_its_latest_value_in_the_readers_language(area, series):
    indicator = make_outcome_indicator()
    series["forest"].indicator_links.create(indicator=indicator)
    MonitoringValue.objects.filter(dataset=series["forest"], period="2020").update(value=1234.4)

    with translation.override("en"):
        (line,) = indicator_summaries(area.pk, ["4.1.1"])["4.1.1"]
    assert "latest 1,234 ha" in line["text"]
    with translation.override("fr"):
        (line,) = indicator_summaries(area.pk, ["4.1.1"])["4.1.1"]
        space = get_format("THOUSAND_SEPARATOR")
    assert f"1{space}234" in line["text"] and "1,234" not in line["text"]
