"""Dates in the language's one format (greenlist/formats), fast enough for pages that write hundreds.

Django's `date` filter costs ~20 µs a call; the review page writes a date for every answer, review
and message. The language's SHORT_DATE_FORMAT and SHORT_DATETIME_FORMAT are read once per call to
`formatter()`, and the patterns the platform's languages use are written directly; any other pattern
goes through Django's own formatting.
"""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Callable

from django.utils import dateformat
from django.utils.dates import MONTHS_3, MONTHS_AP
from django.utils.formats import get_format
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]  # missing from the stubs
from django.utils.translation import get_language

# The month's short name as Django's format letters write it (django.utils.dateformat): "M" in
# English ("Dec"), "N" in French ("déc."), "b" in Spanish ("dic"); translated when the writer is made.
_SHORT_MONTHS: dict[str, Callable[[str], str]] = {"M": str.title, "N": str, "b": str}


def _date_writer(pattern: str) -> Callable[[datetime.date], str]:
    day_month_year = re.fullmatch(r"j ([MNb]) Y", pattern)
    if day_month_year:
        letter = day_month_year.group(1)
        months = {n: _SHORT_MONTHS[letter](str(name)) for n, name in (MONTHS_AP if letter == "N" else MONTHS_3).items()}
        return lambda d: f"{d.day} {months[d.month]} {d.year:04d}"
    return lambda d: dateformat.format(d, pattern)


Writers = tuple[Callable[[datetime.datetime], str], Callable[[datetime.datetime], str]]


def formatter() -> Writers:
    """(day, minute): write an aware datetime, in local time, as the active language's short date,
    and short date with the time (made once per language)."""
    return _formatter(get_language() or "en")


@functools.lru_cache(maxsize=16)
def _formatter(language: str) -> Writers:
    date_pattern = get_format("SHORT_DATE_FORMAT")
    day = _date_writer(date_pattern)
    datetime_pattern = get_format("SHORT_DATETIME_FORMAT")
    separator = datetime_pattern[len(date_pattern) : -len("H:i")] if datetime_pattern.endswith("H:i") else None

    def write_day(at: datetime.datetime) -> str:
        return day(template_localtime(at))

    def write_minute(at: datetime.datetime) -> str:
        local = template_localtime(at)
        if separator is not None and datetime_pattern.startswith(date_pattern):
            return f"{day(local)}{separator}{local.hour:02d}:{local.minute:02d}"
        return dateformat.format(local, datetime_pattern)

    return write_day, write_minute
