"""Every error answer of the API is documented, with the one error body (core.api.ErrorSerializer).

A client generated from the schema only knows the statuses the schema lists: an undocumented 403,
or a 400 whose body is not the documented one, breaks it as surely as a wrong 200. Here real
requests meet the schema the code generates now (core.schema.AutoSchema; `make test` keeps
schema.yml equal to it):

- every row of the permission matrix under /api/v1/ (every method), by every role with that
  person's own token and by an anonymous client;
- for every operation of the schema: no credentials, a token that does not exist, a browser
  session whose two-factor login is unfinished, an id that does not exist, a page out of range
  (paginated lists), a body that is no JSON (writes).

Each answer of 400 or more must be documented for its path, method and status, and its body must
match what is documented for it: for the API's own errors, the one error body, whose `code` is one
of the declared codes (ErrorCodeEnum).
"""

from __future__ import annotations

import re

import pytest
import requests
import schemathesis
import yaml
from django.db import transaction
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiYamlRenderer

from .test_matrix import PLACEHOLDER, TABLE, _body_text, _fill
from .world import ROLES

ERROR_REF = "#/components/schemas/Error"


@pytest.fixture(scope="module")
def schema_dict():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return yaml.safe_load(OpenApiYamlRenderer().render(schema, renderer_context={}))


def _template_regex(template: str) -> re.Pattern:
    parts = re.split(r"{\w+}", template)
    return re.compile("[^/]+".join(re.escape(p) for p in parts) + r"\Z")


class Checker:
    def __init__(self, schema: dict):
        self.paths = schema["paths"]
        self.schema = schemathesis.openapi.from_dict(schema)
        self.templates = {t: _template_regex(t) for t in self.paths}
        self.problems: list[str] = []
        self.seen: dict[int, int] = {}  # status -> how many error answers were checked

    def operation_for(self, path: str, method: str) -> str | None:
        found = [t for t, rx in self.templates.items() if rx.match(path) and method.lower() in self.paths[t]]
        return min(found, key=lambda t: t.count("{"), default=None)

    def check(self, who: str, method: str, url: str, response) -> None:
        """An error answer must be documented for its operation and match the documented body."""
        if response.status_code < 400:
            return
        path = url.split("?")[0]
        template = self.operation_for(path, method)
        where = f"{method} {url:<70} {who:<18} {response.status_code}"
        if template is None:
            return  # not an operation of the schema (a method the path does not take: 405)
        self.seen[response.status_code] = self.seen.get(response.status_code, 0) + 1
        operation = self.schema[template][method.upper()]
        if operation.responses.find_by_status_code(response.status_code) is None:
            self.problems.append(f"{where}: status not documented for {method} {template}")
            return
        body = _body_text(response).encode()
        answer = schemathesis.Response(
            status_code=response.status_code,
            headers={name: [value] for name, value in response.headers.items()},
            content=body,
            request=requests.Request(method, f"http://testserver{url}").prepare(),
            elapsed=0.0,
            verify=True,
        )
        try:
            operation.validate_response(answer)
        except Exception as exc:  # schemathesis raises a FailureGroup (or an AssertionError)
            text = str(exc).strip() or type(exc).__name__
            self.problems.append(f"{where}: " + " | ".join(line.strip() for line in text.splitlines()[:6]))


def _send(client: Client, method: str, url: str, body: str | None = None, content_type: str | None = None):
    """One request, rolled back: rows and probes must not change the world for the next."""
    with transaction.atomic():
        if body is None and method == "POST":
            response = client.post(url)
        elif body is None:
            response = client.generic(method, url)
        else:
            response = client.generic(method, url, data=body, content_type=content_type)
        transaction.set_rollback(True)
    return response


@pytest.fixture
def token_clients(world):
    from accounts.services import api_token_create

    clients = {"anonymous": Client()}
    for role, user in world.users.items():
        _token, key = api_token_create(user=user, name="error check", otp_verified=False)
        clients[role] = Client(HTTP_AUTHORIZATION=f"Token {key}")
    return clients


def test_every_error_answer_of_the_matrix_is_documented_with_the_error_body(world, token_clients, schema_dict):
    from .test_matrix import _request

    check = Checker(schema_dict)
    # given the permission world, when every role sends every API row of the matrix
    for key in TABLE["rows"]:
        method, _, rest = key.partition(" ")
        template, _, body = rest.partition(" ")
        if not template.startswith("/api/v1/"):
            continue
        url, data = _fill(template, world.ids), _fill(body, world.ids)
        for role in ROLES:
            _cell, response, _text = _request(token_clients[role], method, url, data)
            # then each error answer is documented and is the one error body
            check.check(role, method, url, response)

    assert not check.problems, f"{len(check.problems)} error answers differ from the schema:\n" + "\n".join(
        check.problems
    )
    # The matrix holds refusals of each kind, so the check above was not vacuous.
    assert {400, 403, 404} <= set(check.seen), check.seen


def _probe_url(template: str, world, *, missing: bool) -> str:
    """The operation's path with the world's ids (the certificate's number, the own site's ids),
    or ids that exist nowhere."""
    known = {"number": world.ids["certificate"]}

    def fill(match):
        name = match.group(1)
        if missing:
            return "GL-0000-NOPE" if name == "number" else "999999999"
        return str(known.get(name, world.ids["own_assessment"]))

    return PLACEHOLDER.sub(fill, template)


def test_every_operation_documents_the_errors_it_answers(world, token_clients, schema_dict):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    check = Checker(schema_dict)
    bad_token = Client(HTTP_AUTHORIZATION="Token not-a-real-token")
    staff = token_clients["staff"]
    # A browser session that gave the password but not yet the authenticator's code.
    halfway = Client()
    TOTPDevice.objects.create(user=world.users["manager"], name="phone", confirmed=True)
    halfway.force_login(world.users["manager"])
    for template, operations in schema_dict["paths"].items():
        for method in (m.upper() for m in operations if m in {"get", "post", "put", "patch", "delete"}):
            url = _probe_url(template, world, missing=False)
            missing = _probe_url(template, world, missing=True)
            probes = [
                ("anonymous", token_clients["anonymous"], url, None),
                ("bad token", bad_token, url, None),
                ("staff, missing id", staff, missing, None),
                ("two-factor unfinished", halfway, url, None),
            ]
            parameters = operations[method.lower()].get("parameters", [])
            if method == "GET" and any(p["name"] == "page" for p in parameters):
                probes += [("staff, page 0", staff, f"{url}?page=0", None)]
                probes += [("staff, page past the last", staff, f"{url}?page=999999", None)]
            if method in {"POST", "PUT", "PATCH"}:
                probes += [("staff, no JSON", staff, url, "{not json")]
            for who, client, probe, body in probes:
                content_type = "application/json" if body is not None else None
                response = _send(client, method, probe, body, content_type)
                check.check(who, method, probe, response)
                if who == "two-factor unfinished" and response.status_code != 403:
                    check.problems.append(f"{method} {probe}: {response.status_code} to a half-logged-in session")

    assert not check.problems, f"{len(check.problems)} error answers differ from the schema:\n" + "\n".join(
        check.problems
    )
    assert {400, 403, 404} <= set(check.seen), check.seen


def test_every_documented_error_of_the_api_is_the_one_error_body(schema_dict):
    # Each app used to have its own error serializer (AssessmentError, ReviewError, ...): clients
    # generated as many types for one body. An error answer refers to the one `Error` component,
    # or documents a body of its own (an answer conflict carries the other person's text).
    own_bodies = {"#/components/schemas/AnswerConflict"}
    others = []
    for template, operations in schema_dict["paths"].items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for status, response in operation["responses"].items():
                if int(status) < 400:
                    continue
                refs = {c["schema"].get("$ref") for c in response.get("content", {}).values()}
                if refs - {ERROR_REF} - own_bodies:
                    others.append(f"{method.upper()} {template} {status}: {sorted(map(str, refs))}")
    assert not others, "error answers documented with another body than Error:\n" + "\n".join(others)
    error = schema_dict["components"]["schemas"]["Error"]
    assert error["properties"]["code"]["allOf"][0]["$ref"] == "#/components/schemas/ErrorCodeEnum"
