"""Free text from a form or an API body, cleaned and checked one way everywhere.

Each app binds its own stable error codes (its API's contract) and limit in a small `_text`
wrapper; the cleaning (None is empty, Windows line ends become \\n, outer blanks go), the order of
the checks and the messages in the reader's language live here.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from .errors import DomainError


def clean_text(
    value: Any,
    *,
    field: str,
    limit: int,
    required: bool = False,
    required_code: str,
    too_long_code: str,
    required_message: str | None = None,
    invalid_code: str | None = None,
) -> str:
    """The text, stripped; a DomainError on `field` when it is missing but required, longer than
    `limit`, or (with `invalid_code`) not text at all (a number or a list in a JSON body)."""
    if value is None:
        value = ""
    if invalid_code is not None and not isinstance(value, str):
        raise DomainError(invalid_code, _("This field must be text."), field=field)
    text = str(value).replace("\r\n", "\n").strip()
    if required and not text:
        raise DomainError(required_code, required_message or _("This field is required."), field=field)
    if len(text) > limit:
        raise DomainError(too_long_code, too_long_message(len(text), limit), field=field)
    return text


def localized_number(value: float, decimals: int = 0, *, grouped: bool = True) -> str:
    """`value` written the active language's way (1,234.5 in English, 1 234,5 in French), rounded as
    Python's format rounds: Django's number_format alone cuts a float's extra decimals off. For numbers
    put into sentences by code (messages, a page's prepared values), where no template localizes them."""
    return number_format(Decimal(f"{value:.{decimals}f}"), decimals, use_l10n=True, force_grouping=grouped)


def too_long_message(length: int, limit: int) -> str:
    """Why a text is refused for its length, its numbers grouped as the reader groups them ("5,000"
    in English, "5 000" in French: a bare 5000 beside a translated sentence reads as unfinished)."""
    return _("This text is %(n)s characters long; the limit is %(limit)s.") % {
        "n": number_format(length, force_grouping=True),
        "limit": number_format(limit, force_grouping=True),
    }
