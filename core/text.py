"""Free text from a form or an API body, cleaned and checked one way everywhere.

Each app binds its own stable error codes (its API's contract) and limit in a small `_text`
wrapper; the cleaning (None is empty, Windows line ends become \\n, outer blanks go), the order of
the checks and the messages in the reader's language live here.
"""

from __future__ import annotations

from typing import Any

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
        raise DomainError(
            too_long_code,
            _("This text is %(length)d characters long; the limit is %(limit)d.")
            % {"length": len(text), "limit": limit},
            field=field,
        )
    return text
