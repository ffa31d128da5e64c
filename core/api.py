"""API conventions shared by every app: stable error codes in every error response."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
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
    if response is not None and isinstance(response.data, dict) and "code" not in response.data:
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else None
        if isinstance(exc, exceptions.ValidationError):
            response.data = {"code": "invalid", "detail": "The request has invalid fields.", "errors": response.data}
        else:
            response.data["code"] = codes if isinstance(codes, str) else "error"
    return response


__all__ = ["exception_handler", "status"]
