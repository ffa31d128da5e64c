"""Expected failures of business rules, each with a stable machine-readable code."""

import re
import tempfile

from django.db import InterfaceError, OperationalError
from django.http import JsonResponse

# Database errors that a retry may fix: a restart, a dropped connection (tasks retry on them).
TRANSIENT_DATABASE_ERRORS = (OperationalError, InterfaceError)


class DomainError(Exception):
    """A business rule refused an action. Views show `message`; the API returns `code`, and the
    keys of `data` beside it (what is missing, which indicators: error_body)."""

    http_status = 400

    def __init__(self, code: str, message: str, *, field: str | None = None, data: dict | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.data = dict(data or {})


def error_body(code: str, detail, *, field: str | None = None, errors=None, **extra) -> dict:
    """The one error body of the API and of the pages' JSON answers: `{"code", "detail"}`, plus
    `field` (the one field at fault), `errors` (field by field) and a few codes' own keys (`extra`,
    e.g. `missing` of `assessment_incomplete`). core.api.ErrorSerializer documents it."""
    body = {"code": code, "detail": str(detail)}
    if field:
        body["field"] = field
    if errors is not None:
        body["errors"] = errors
    body.update(extra)
    return body


def error_response(code: str, detail, *, status: int, **kwargs) -> JsonResponse:
    """`error_body` as a plain Django response, for answers outside DRF (middleware, handlers)."""
    return JsonResponse(error_body(code, detail, **kwargs), status=status)


class NotAllowed(DomainError):
    http_status = 403


class Conflict(DomainError):
    """The object changed or is in a state that forbids the action (HTTP 409)."""

    http_status = 409


# An absolute path of at least two parts, not inside a URL ("http://host/a/b") or a relative path,
# optionally behind a GDAL virtual file system prefix (/vsizip/, /vsimem/…).
_ABSOLUTE_PATH = re.compile(r"(?<![\w:/.~-])(?:/vsi[a-z0-9_]+)?(?:/[^\s'\"`()<>,;|/]*)+/([^\s'\"`()<>,;|/]+)")


def without_paths(text) -> str:
    """`text` (an exception or message) with the server's file paths cut to their last part:
    '/work/var/evidence/assessments/3/9f…/site.kml' becomes 'site.kml'.

    Library errors (GDAL, zipfile, OS errors) name the paths they were given; where files are kept
    on the server, and the names of scratch folders, are nothing a user should see."""
    text = str(text)
    for root in _server_roots():
        text = text.replace(root.rstrip("/") + "/", "/").replace(root, "")
    return _ABSOLUTE_PATH.sub(lambda m: m.group(1), text)


def _server_roots() -> list[str]:
    # Longest first, so that a root inside another (MEDIA_ROOT under BASE_DIR) goes whole.
    from django.conf import settings

    roots = {tempfile.gettempdir()}
    for name in ("EVIDENCE_ROOT", "MEDIA_ROOT", "BASE_DIR", "STATIC_ROOT"):
        value = getattr(settings, name, None)
        if value:
            roots.add(str(value))
    return sorted((r for r in roots if len(r) > 1), key=len, reverse=True)
