"""A decision's conditions as people read them: one a line, each with its due date written as the
page's other dates (in the reader's language) and who checks it in lower case mid-sentence; an
older decision with only the stored text shows that text, line by line."""

import datetime

import pytest
from django.conf import settings
from django.utils import formats, timezone, translation

from certification import conditions
from certification.models import Decision
from certification.tests.factories import grant_with_condition_rows


@pytest.fixture
def granted(recommended, staff):
    """A Panel grant with two structured conditions, entered in this order."""
    today = timezone.localdate()
    items = [
        {"text": "Publish the plan.", "due_on": today + datetime.timedelta(days=200), "checked_by": "secretariat"},
        {"text": "Map <the> buffer.", "due_on": today + datetime.timedelta(days=100), "checked_by": "expert_group"},
    ]
    return grant_with_condition_rows(recommended, staff, items)


def day(date, language):
    with translation.override(language):
        return formats.date_format(date, "DATE_FORMAT")


@pytest.mark.parametrize(
    ("value", "language", "expected"),
    [
        ("expert_group", "en", "the expert group"),
        ("secretariat", "en", "IUCN staff (the secretariat)"),
        ("independent_reviewer", "fr", "l'évaluateur indépendant"),
    ],
)
def test_who_checks_reads_in_lower_case_mid_sentence_but_an_acronym_keeps_its_capitals(value, language, expected):
    with translation.override(language):
        assert conditions.checker_in_sentence(value) == expected


def test_the_certificate_page_lists_the_conditions_in_the_readers_language(client, granted, staff):
    # given a grant with two structured conditions; a staff member who reads French
    plan, buffer = granted.listing_conditions.order_by("id")
    client.force_login(staff)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    # when they open the certificate and the Panel's case
    for url in (granted.certificate.get_absolute_url(), f"/certification/panel/{granted.panel_case.pk}/"):
        html = client.get(url).content.decode()
        # then each condition is an item of its own, in the Panel's order, its date in French, escaped
        assert '<ol class="condition-lines">' in html, url
        first, second = html.index("Publish the plan."), html.index("Map &lt;the&gt; buffer.")
        assert first < second
        assert "</li><li>" in html[first:second]
        assert day(plan.due_on, "fr") in html[first:second] and day(buffer.due_on, "fr") in html[second:]
        assert plan.due_on.isoformat() not in html and buffer.due_on.isoformat() not in html


def test_the_summary_kept_on_the_decision_reads_the_same_way(granted):
    plan, buffer = granted.listing_conditions.order_by("id")
    assert granted.conditions.splitlines() == [
        f"1. Publish the plan. (due {day(plan.due_on, 'en')}; checked by IUCN staff (the secretariat))",
        f"2. Map <the> buffer. (due {day(buffer.due_on, 'en')}; checked by the expert group)",
    ]


def test_an_older_decision_without_condition_rows_shows_its_text_line_by_line(client, granted, staff):
    # given a decision recorded before conditions had rows: only its text
    granted.listing_conditions.all().delete()
    Decision.objects.filter(pk=granted.pk).update(conditions="Patrols.\nA plan.")
    client.force_login(staff)
    html = client.get(granted.certificate.get_absolute_url()).content.decode()
    assert "Patrols.<br>A plan." in html and "condition-lines" not in html
