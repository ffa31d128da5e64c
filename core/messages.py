"""Messages shown next to what they are about.

A success message after saving one indicator on a 50-indicator page lands at the top, out of sight,
while the browser jumps to the indicator. `success_near(request, text, element_id)` tags the message
with the element it is about; base.html marks it (`data-near`) and app.js moves it into that element.
Without script it stays at the top, as every message does.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest

NEAR_PREFIX = "near:"


def success_near(request: HttpRequest, text: str, element_id: str) -> None:
    messages.success(request, text, extra_tags=f"{NEAR_PREFIX}{element_id}")


def near_target(extra_tags: str) -> str:
    """The element id a message is about, from its extra tags ('' when none)."""
    for tag in (extra_tags or "").split():
        if tag.startswith(NEAR_PREFIX):
            return tag[len(NEAR_PREFIX) :]
    return ""
