"""One date format per language: templates name a format (DATE_FORMAT…), the language decides it."""

import datetime
import re
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.formats import date_format

ROOT = Path(__file__).resolve().parent.parent
NAMED = {"DATE_FORMAT", "SHORT_DATE_FORMAT", "DATETIME_FORMAT", "SHORT_DATETIME_FORMAT", "YEAR_MONTH_FORMAT"}
# Machine formats, not for people: an <input type="date"> value and the sitemap's ISO dates.
MACHINE = re.compile(r'type="date"|<lastmod>')
# A <time datetime="…"> attribute and a hidden input's value (a version check's timestamp) are for
# machines too (ISO 8601); the rest of their line is for people.
TIME_ATTRIBUTE = re.compile(r'datetime="[^"]*"|<input type="hidden"[^>]*>')


def test_each_language_writes_a_date_its_own_way():
    day = datetime.date(2031, 3, 10)
    expected = {"en": "10 March 2031", "fr": "10 mars 2031", "es": "10 de marzo de 2031"}
    for language, text in expected.items():
        with translation.override(language):
            assert date_format(day, "DATE_FORMAT") == text


def test_templates_name_a_format_rather_than_spell_a_pattern():
    spelled = []
    for path in sorted((ROOT / "templates").rglob("*")):
        if path.suffix not in {".html", ".txt", ".xml"}:
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if MACHINE.search(line):
                continue
            for fmt in re.findall(r"\|date:[\"']([^\"']*)[\"']", TIME_ATTRIBUTE.sub("", line)):
                if fmt not in NAMED:
                    spelled.append(f"{path.relative_to(ROOT)}:{number}: {fmt}")
    assert spelled == []


def test_a_language_writes_its_short_dates_with_the_month_in_words_as_its_long_ones():
    # A page shows long and short dates side by side (a date, then when something was saved): in
    # French "6 décembre 2026" beside "06/12/2026 21:33" read as two ways of dating.
    at = datetime.datetime(2026, 12, 6, 21, 33)
    expected = {
        "en": ("6 December 2026", "6 Dec 2026, 21:33"),
        "fr": ("6 décembre 2026", "6 déc. 2026, 21:33"),
        "es": ("6 de diciembre de 2026", "6 dic 2026, 21:33"),
    }
    for language, (long, short) in expected.items():
        with translation.override(language):
            assert (date_format(at, "DATE_FORMAT"), date_format(at, "SHORT_DATETIME_FORMAT")) == (long, short)
            assert date_format(at, "SHORT_DATETIME_FORMAT").startswith(date_format(at, "SHORT_DATE_FORMAT"))


def test_the_review_pages_fast_dates_are_the_languages_own(settings):
    # core.dates writes the short formats itself (the review page writes hundreds): the same text as
    # Django's date filter, every month, in every language.
    from django.utils import timezone

    from core.dates import formatter

    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            day, minute = formatter()
            for month in range(1, 13):
                at = timezone.make_aware(datetime.datetime(2026, month, 6, 9, 5))
                local = timezone.localtime(at)
                assert day(at) == date_format(local, "SHORT_DATE_FORMAT")
                assert minute(at) == date_format(local, "SHORT_DATETIME_FORMAT")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_scripts_write_a_moment_as_the_pages_do(page, live_server, settings):
    # The offline list's "kept on …" and an answer's "changed meanwhile at …" (static/js/offline)
    # write the moment with static/js/app.js's greenlistShortDateTime, in the page's language.
    for language, _name in settings.LANGUAGES:
        page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        page.goto("/accounts/login/")
        written = page.evaluate("window.greenlistShortDateTime('2026-07-06T09:05:00')")  # the browser's local time
        with translation.override(language):
            assert written == date_format(datetime.datetime(2026, 7, 6, 9, 5), "SHORT_DATETIME_FORMAT"), language
