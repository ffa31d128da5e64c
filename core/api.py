"""API conventions shared by every app: stable error codes in every error response, and a JSON
parser that refuses bodies nested too deep."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import DomainError


def exception_handler(exc, context):
    """Map domain errors to 400/403/404/409 with `{"code": ..., "detail": ...}` bodies."""
    if isinstance(exc, DomainError):
        body = {"code": exc.code, "detail": exc.message}
        if exc.field:
            body["field"] = exc.field
        return Response(body, status=exc.http_status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    # An invalid field named `code` (a jurisdiction's) is no error body of its own: wrapped as `invalid`.
    wrap = isinstance(exc, exceptions.ValidationError) or "code" not in response.data if response is not None else False
    if response is not None and isinstance(response.data, dict) and wrap:
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else None
        if isinstance(exc, exceptions.ValidationError):
            response.data = {"code": "invalid", "detail": "The request has invalid fields.", "errors": response.data}
        else:
            response.data["code"] = codes if isinstance(codes, str) else "error"
    return response


# Far deeper than any body the API takes (a GeoJSON multipolygon inside an object is under 10 levels).
MAX_JSON_DEPTH = 64


def _too_deep(data, limit: int) -> bool:
    """Is any list or object in `data` (a list or object) nested more than `limit` levels deep?
    Walked with a stack, not recursion, for the same reason as the limit."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > limit:
            return True
        children = value.values() if isinstance(value, dict) else value
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with a nesting limit.

    A body nested 100,000 deep made Python's JSON decoder raise RecursionError, which DRF does not
    catch (a 500, issue 12); a body within the interpreter's limit but deep enough could still
    exhaust it later, in a serializer or our own code. Both are a 400 with code `json_too_deep`.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            data = None
            deep = True
        else:
            deep = isinstance(data, dict | list) and _too_deep(data, MAX_JSON_DEPTH)
        if deep:
            raise exceptions.ParseError(
                _("The JSON body is nested more than %(max)s levels deep.") % {"max": MAX_JSON_DEPTH},
                code="json_too_deep",
            )
        return data


__all__ = ["JSONParser", "exception_handler", "status"]
