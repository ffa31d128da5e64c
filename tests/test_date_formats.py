"""One date format per language: templates name a format (DATE_FORMAT…), the language decides it."""

import datetime
import re
from pathlib import Path

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
