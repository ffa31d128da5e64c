"""The public comment form's protections against spam and floods, before anything is stored.

- A honeypot: a field hidden from people (CSS and aria-hidden); a robot that fills every field fills it.
- A minimum fill time: the form carries the signed time it was drawn; sent back sooner than
  MIN_FILL_SECONDS (or with no valid stamp, or older than MAX_FORM_AGE) it is refused.
- A link limit: more than MAX_LINKS links in the text is refused (link spam's whole point).
- Rate limits in the cache (Redis, shared by every web process, like accounts.throttle): per client
  address and per e-mail address, each a count over a window. Keys hold hashes, never the addresses.
"""

from __future__ import annotations

import hashlib
import re
import time

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from core.errors import DomainError

MIN_FILL_SECONDS = getattr(settings, "STAKEHOLDER_COMMENT_MIN_FILL_SECONDS", 4)
MAX_FORM_AGE = 24 * 60 * 60
MAX_LINKS = 2
RATE_WINDOW_SECONDS = 60 * 60
PER_IP_PER_WINDOW = getattr(settings, "STAKEHOLDER_COMMENTS_PER_IP", 5)
PER_EMAIL_PER_WINDOW = getattr(settings, "STAKEHOLDER_COMMENTS_PER_EMAIL", 3)
HONEYPOT_FIELD = "website"
_STAMP_SALT = "stakeholders.form-stamp"
_LINK = re.compile(r"https?://|www\.|\[url", re.IGNORECASE)


def form_stamp(now: float | None = None) -> str:
    """The signed moment the form was drawn (a hidden field)."""
    return signing.dumps(int(now if now is not None else time.time()), salt=_STAMP_SALT)


def filled_too_fast(stamp: str, now: float | None = None) -> bool:
    try:
        drawn = signing.loads(stamp or "", salt=_STAMP_SALT, max_age=MAX_FORM_AGE)
    except signing.BadSignature:
        return True
    now = now if now is not None else time.time()
    return not isinstance(drawn, int) or now - drawn < MIN_FILL_SECONDS


def too_many_links(text: str) -> bool:
    return len(_LINK.findall(text or "")) > MAX_LINKS


def screen_public_form(
    *,
    honeypot: str,
    stamp: str,
    text: str,
    email: str,
    spam_code: str,
    links_message: str,
    email_code: str,
    email_message: str,
) -> str:
    """The checks every public form (a consultation comment, a concern) makes before anything is
    counted or stored: the honeypot and fill time, the link limit on the (already cleaned) text, and
    a valid e-mail address, which is returned stripped. Each form names its own error codes and
    sentences (`links_message` takes a `%(count)d`); the rate limit comes after, per form."""
    if honeypot or filled_too_fast(stamp):
        raise DomainError(
            spam_code, _("The form was sent too quickly or incompletely. Please reload it and try again.")
        )
    if too_many_links(text):
        raise DomainError(spam_code, links_message % {"count": MAX_LINKS}, field="text")
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise DomainError(email_code, email_message, field="email") from None
    return email


def _digest(value: str) -> str:
    return hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]


def _keys(ip: str | None, email: str, scope: str) -> list[tuple[str, int]]:
    keys = [(f"{scope}-rate:email:{_digest(email)}", PER_EMAIL_PER_WINDOW)]
    if ip:
        keys.append((f"{scope}-rate:ip:{_digest(ip)}", PER_IP_PER_WINDOW))
    return keys


def rate_limited(ip: str | None, email: str, *, scope: str = "comment") -> int:
    """0 when this submission may go ahead, else the seconds to wait. Counts it when it may.
    `scope` keeps each public form's counts apart (comments, concerns: concerns.services)."""
    now = time.time()
    for key, limit in _keys(ip, email, scope):
        count, first = cache.get(key) or (0, now)
        if count >= limit:
            return max(int(first + RATE_WINDOW_SECONDS - now) + 1, 1)
    for key, _limit in _keys(ip, email, scope):
        count, first = cache.get(key) or (0, now)
        cache.set(key, (count + 1, first), timeout=max(int(first + RATE_WINDOW_SECONDS - now), 1))
    return 0


class TooManySubmissions(DomainError):
    """A public form's rate limit was reached (HTTP 429): `retry_after` seconds to wait. `message`
    is the form's own sentence, translated, with a `%(minutes)d` to fill in."""

    http_status = 429

    def __init__(self, retry_after: int, *, code: str, message: str):
        minutes = max(1, (retry_after + 59) // 60)
        super().__init__(code, message % {"minutes": minutes}, data={"retry_after": retry_after})
        self.retry_after = retry_after
