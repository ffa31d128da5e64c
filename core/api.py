"""API conventions shared by every app: one error body (core.errors.error_body, documented by
`ErrorSerializer`; core.schema documents it for every operation) with a stable code in every error
response, and a JSON parser that refuses bodies nested too deep."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers, serializers, status
from rest_framework.response import Response

from . import error_codes
from .errors import DomainError, error_body, error_response


class ErrorSerializer(serializers.Serializer):
    """The body of every error answer of the API (core.errors.error_body). `code` is stable: act on
    it, not on `detail`, which is for people and may be translated. Some codes add a key of their
    own (`missing`, `indicators`, `problems`, `revision`); `answer_changed` documents its body apart
    (the answer saved meanwhile, `current`)."""

    code = serializers.ChoiceField(choices=[], help_text="Stable, machine-readable reason (the app declaring it).")
    detail = serializers.CharField(help_text="What went wrong, for people.")
    field = serializers.CharField(required=False, help_text="The input field at fault, when there is one.")
    # A field of the body, not Serializer.errors: DRF moves declared fields off the class.
    errors = serializers.JSONField(  # type: ignore[assignment]
        required=False, help_text="Invalid input field by field (code `invalid`): each field's messages."
    )
    missing = serializers.ListField(
        child=serializers.DictField(),
        required=False,
        help_text="`assessment_incomplete`: indicator by indicator (answer, indicator, number, title), the "
        "`problems` still to solve.",
    )
    indicators = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="`indicators_unreviewed`: the numbers of the indicators with no current group finding.",
    )
    problems = serializers.ListField(
        child=serializers.JSONField(),
        required=False,
        help_text="Every problem found in a Standard's content or file, not just the first: for a draft "
        "(`standard_draft_invalid`, `standard_draft_not_publishable`) {message, number, field, language}; for a "
        "spreadsheet (`standard_file_invalid`) {sheet, row, column, message}; for an adaptation, messages.",
    )
    revision = serializers.IntegerField(
        required=False,
        help_text="`standard_draft_changed`, `adapted_set_changed`: the current revision, to start again from.",
    )

    def get_fields(self):
        # Every declared code (core.error_codes.declared), read once the apps are loaded.
        fields = super().get_fields()
        fields["code"].choices = error_codes.declared()
        return fields


def exception_handler(exc, context):
    """Every API error as `error_body`: domain errors with their own status (400/403/404/409/429)
    and code, DRF's errors with theirs, invalid input as `invalid` with `errors`."""
    if isinstance(exc, DomainError):
        # A view may add keys that need its own serializers (the answer saved meanwhile, for
        # `answer_changed`): `error_data(exc)` returns them.
        view = context.get("view")
        extra = view.error_data(exc) if hasattr(view, "error_data") else {}
        body = error_body(exc.code, exc.message, field=exc.field, **{**exc.data, **extra})
        return Response(body, status=exc.http_status)
    # Here, not at the top: DRF's views module reads the parser setting (core.api.JSONParser) as
    # it loads, so importing it while this module loads fails whenever core.api comes first.
    from rest_framework.views import exception_handler as drf_exception_handler

    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        # Field by field under `errors`, even a field named `code` (a jurisdiction's).
        response.data = error_body(error_codes.INVALID, _("The request has invalid fields."), errors=response.data)
    else:
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else error_codes.ERROR
        detail = response.data.get("detail") if isinstance(response.data, dict) else None
        if isinstance(detail, str):
            response.data = error_body(code, detail)
        else:  # an exception raised with a list or dict of details: kept under `errors`
            response.data = error_body(code, _("The request could not be completed."), errors=response.data)
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
                code=error_codes.JSON_TOO_DEEP,
            )
        return data


__all__ = ["ErrorSerializer", "JSONParser", "error_body", "error_response", "exception_handler", "status"]
