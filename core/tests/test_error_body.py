"""One error body (core.errors.error_body) from every place that answers an error in JSON, and the
schema class that documents it for every operation (core.schema.AutoSchema)."""

import json

import pytest
from django.test import RequestFactory
from rest_framework import exceptions

from core import error_codes
from core.api import ErrorSerializer, exception_handler
from core.errors import DomainError, NotAllowed, error_body
from core.middleware import NotAllowedMiddleware


def _body(response) -> dict:
    return response.data


def test_the_body_has_code_and_detail_and_only_the_keys_given():
    assert error_body("invalid", "Bad.") == {"code": "invalid", "detail": "Bad."}
    assert error_body("invalid", "Bad.", field="year", errors={"year": ["x"]}, missing=[]) == {
        "code": "invalid",
        "detail": "Bad.",
        "field": "year",
        "errors": {"year": ["x"]},
        "missing": [],
    }


def test_a_domain_error_carries_its_data_and_the_views_own_keys():
    # given a refusal with data, raised in a view that adds a key of its own
    class View:
        def error_data(self, exc):
            return {"current": {"id": 1}}

    exc = DomainError("indicators_unreviewed", "Record them first.", data={"indicators": ["1.1"]})
    # when the API answers it, then the body holds both, beside code and detail
    response = exception_handler(exc, {"view": View()})
    assert response.status_code == 400
    assert _body(response) == {
        "code": "indicators_unreviewed",
        "detail": "Record them first.",
        "indicators": ["1.1"],
        "current": {"id": 1},
    }


@pytest.mark.parametrize(
    ("exc", "status", "code"),
    [
        (exceptions.ValidationError({"year": ["A number."]}), 400, "invalid"),
        (exceptions.ValidationError(["Not a list."]), 400, "invalid"),
        (exceptions.ParseError(), 400, "parse_error"),
        (exceptions.NotAuthenticated(), 401, "not_authenticated"),
        (exceptions.PermissionDenied(), 403, "permission_denied"),
        (exceptions.MethodNotAllowed("DELETE"), 405, "method_not_allowed"),
        (exceptions.Throttled(wait=30), 429, "throttled"),
        (exceptions.APIException({"a": "b"}), 500, "error"),
    ],
)
def test_drfs_errors_come_in_the_one_body_with_a_declared_code(exc, status, code):
    response = exception_handler(exc, {"view": None, "request": None})
    assert response.status_code == status
    body = _body(response)
    assert body["code"] == code and isinstance(body["detail"], str)
    assert code in dict(error_codes.declared())
    assert set(body) <= {"code", "detail", "errors"}
    if code in ("invalid", "error"):
        assert body["errors"] in ({"year": ["A number."]}, ["Not a list."], {"a": "b"})


def test_a_refusal_on_a_page_asked_for_json_is_the_same_body():
    # given a page view that refuses with NotAllowed, asked for by a script wanting JSON
    request = RequestFactory().post("/assessments/1/submit/", HTTP_ACCEPT="application/json")
    exc = NotAllowed("transition_role_not_allowed", "Not your move.", field="to", data={"hint": "x"})
    # when the middleware answers, then it is the API's body
    response = NotAllowedMiddleware(lambda r: None).process_exception(request, exc)
    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {
        "code": "transition_role_not_allowed",
        "detail": "Not your move.",
        "field": "to",
        "hint": "x",
    }


@pytest.mark.django_db
def test_an_unknown_api_path_outside_drf_is_the_body(client):
    # Django's resolver answers it (core.views.not_found), not DRF
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404 and response.json() == {"code": "not_found", "detail": "Not found."}


def _operation(path: str, method: str) -> dict:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    return schema["paths"][path][method]


@pytest.mark.django_db
def test_the_schema_documents_each_operations_errors_from_its_shape():
    # a write on an object, with a lifecycle's 409 declared by its view
    transition = _operation("/api/v1/certification/certificates/{number}/transition/", "post")
    assert set(transition["responses"]) == {"200", "400", "403", "404", "409"}
    # a paginated list with filters: bad input or a page past the last, and who may call it
    decisions = _operation("/api/v1/certification/decisions/", "get")
    assert set(decisions["responses"]) == {"200", "400", "403", "404"}
    assert "page" in decisions["responses"]["404"]["description"]
    # public, with no authentication at all: only an unknown number, or a session mid-way through
    # its two-factor login (refused by accounts.two_factor before any view)
    verify = _operation("/api/v1/verify/{number}/", "get")
    assert set(verify["responses"]) == {"200", "403", "404"}
    assert "two_factor_required" in verify["responses"]["403"]["description"]
    # a detail read: no 400 (nothing to be invalid)
    assert set(_operation("/api/v1/certification/certificates/{number}/", "get")["responses"]) == {
        "200",
        "403",
        "404",
    }
    ref = transition["responses"]["403"]["content"]["application/json"]["schema"]["$ref"]
    assert ref == "#/components/schemas/Error"


def test_the_serializer_offers_every_declared_code():
    assert set(ErrorSerializer().fields["code"].choices) == {code for code, _app in error_codes.declared()}
