"""Stable error codes shared by every app, and the list of every code the platform declares.

Each app declares its own codes in `<app>/error_codes.py`, each once, used by name. A code whose
meaning is the same in several apps (a reason left out, a field too long, staff only) is declared
here once and imported by the apps that raise it. The codes DRF gives its own exceptions are here
too, since the API's error body (`core.api.error_body`) carries them as they are.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

# --- the request as a whole ----------------------------------------------------------------------
# Invalid input: one field (`field`) or several (`errors`, field by field, as DRF reports them).
INVALID = "invalid"
# The body could not be read as JSON, or is nested deeper than core.api.MAX_JSON_DEPTH.
PARSE_ERROR = "parse_error"
JSON_TOO_DEEP = "json_too_deep"
UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
NOT_ACCEPTABLE = "not_acceptable"
METHOD_NOT_ALLOWED = "method_not_allowed"
# `?page=` is not a whole number from 1 to core.pagination.MAX_PAGE.
PAGE_INVALID = "page_invalid"
# Too many requests (the login throttle, DRF throttles): try again later.
THROTTLED = "throttled"
# No such object, or not one the person may see (one answer for both).
NOT_FOUND = "not_found"
# A bug: logged, and answered without details.
SERVER_ERROR = "server_error"
# An API exception that names no code of its own (DRF's default).
ERROR = "error"

# --- who is asking -------------------------------------------------------------------------------
NOT_AUTHENTICATED = "not_authenticated"
AUTHENTICATION_FAILED = "authentication_failed"
PERMISSION_DENIED = "permission_denied"
NOT_STAFF = "not_staff"

# --- the same rule in several apps ---------------------------------------------------------------
FIELD_TOO_LONG = "field_too_long"
REASONS_REQUIRED = "reasons_required"
# A body naming a field the operation does not take.
UNKNOWN_FIELD = "unknown_field"
# A date that is no date (YYYY-MM-DD), or one in the future where only the past makes sense.
DATE_INVALID = "date_invalid"
DATE_IN_FUTURE = "date_in_future"


def literal_codes(path) -> dict[str, str]:
    """The codes an `error_codes.py` file declares itself (`NAME = "code"`), by name; codes it
    imports from another module are not among them."""
    tree = ast.parse(Path(path).read_text(encoding="utf-8"))
    return {
        target.id: node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
        for target in node.targets
        if isinstance(target, ast.Name) and target.id.isupper()
    }


def declared() -> list[tuple[str, str]]:
    """Every code declared in core or in an `error_codes` module of an installed app, as
    (code, app label), sorted by code: the values the API schema lists for the error body's `code`.

    The modules are found by name, as Django's autodiscovery finds `admin` modules, so core
    imports no app above it."""
    from django.apps import apps
    from django.utils.module_loading import module_has_submodule

    found: dict[str, str] = {}
    for config in apps.get_app_configs():
        if module_has_submodule(config.module, "error_codes"):
            module = importlib.import_module(f"{config.name}.error_codes")
            for code in literal_codes(module.__file__).values():
                found.setdefault(code, config.label)
    return sorted(found.items())
