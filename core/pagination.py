"""Page numbers from the query string, checked before the database sees them.

`?page=99999999999999999999` became an OFFSET larger than PostgreSQL's bigint and a 500 (issue 12).
A page number is ASCII digits, from 1 to `MAX_PAGE`; anything else is a 400 with code
`page_invalid`, and a well-formed page past the last one is DRF's 404.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import pagination

from .error_codes import PAGE_INVALID
from .errors import DomainError

# Far beyond any list here (50 million rows at 50 a page), and small enough that no page size
# takes the offset near PostgreSQL's bigint limit.
MAX_PAGE = 1_000_000
_DIGITS = re.compile(r"[0-9]{1,7}")  # ASCII only: int() also reads "٣" and " 3 "


def page_number(raw, *, default: int = 1) -> int:
    """The page asked for (`default` when none), or DomainError `page_invalid`."""
    if raw is None or raw == "":
        return default
    raw = str(raw)
    number = int(raw) if _DIGITS.fullmatch(raw) else 0
    if not 1 <= number <= MAX_PAGE:
        raise DomainError(
            PAGE_INVALID,
            _("The page must be a whole number from 1 to %(max)s.") % {"max": f"{MAX_PAGE:,}"},
            field="page",
        )
    return number


class CheckedPageNumberMixin:
    """For DRF page-number paginators: the page is checked by `page_number` (400), and a page past
    the last is a 404 that says so."""

    invalid_page_message: str = gettext_lazy("There is no page {page_number} of this list.")  # type: ignore[assignment]  # DRF declares str; a lazy string renders in the request's language

    def get_page_number(self, request, paginator):
        raw = request.query_params.get(self.page_query_param)
        if raw in self.last_page_strings:
            return raw
        return page_number(raw)


class PageNumberPagination(CheckedPageNumberMixin, pagination.PageNumberPagination):
    """The API's default paginator (settings.REST_FRAMEWORK)."""
