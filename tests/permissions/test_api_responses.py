"""The API tells the truth: every answer of every GET endpoint matches the committed schema.yml.

Fuzzing (tests/test_api_fuzz.py) sends made-up input to a near-empty database, so lists come back
empty and objects missing; a body that differs from the schema only once it holds data went
unnoticed (four review lists documented as paginated returned bare arrays and ignored `page`).
Here every GET row of the permission matrix (matrix.yaml: real ids of the permission world) is
requested by every role with that person's own API token, as an integrator's script would, and:

- a 2xx answer must be documented for its path, method and status, and its body (and media type)
  must match what the schema documents for it;
- any other answer the schema documents (400/404 of some endpoints) must match too;
- every GET operation of the schema is answered 200 for someone at least once, so a new endpoint
  cannot slip through untested;
- a paginated list (one with a `page` parameter) must come as pages, and, where it holds two items
  or more, page 2 with pages of one item must match the schema and hold exactly the list's second
  item (`page` is honoured).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import requests
import schemathesis
import yaml
from django.conf import settings
from django.test import Client

from .test_matrix import PLACEHOLDER, TABLE, _body_text
from .world import ROLES

SCHEMA_FILE = Path(settings.BASE_DIR) / "schema.yml"
SCHEMA = schemathesis.openapi.from_path(SCHEMA_FILE)
PATHS = yaml.safe_load(SCHEMA_FILE.read_text())["paths"]


def _template_regex(template: str) -> re.Pattern:
    # "/api/v1/assessments/{id}/gaps/" -> one path segment per placeholder
    parts = re.split(r"{\w+}", template)
    return re.compile("[^/]+".join(re.escape(p) for p in parts) + r"\Z")


GET_OPERATIONS = {t: _template_regex(t) for t, ops in PATHS.items() if "get" in ops}
PAGINATED = {t for t in GET_OPERATIONS if any(p["name"] == "page" for p in PATHS[t]["get"].get("parameters", []))}


def _operation_for(path: str) -> str | None:
    """The schema's path template for a concrete path; the most literal one when several match."""
    found = [t for t, rx in GET_OPERATIONS.items() if rx.match(path)]
    return min(found, key=lambda t: t.count("{"), default=None)


def _get_rows() -> list[str]:
    """The matrix's GET rows under /api/v1/, URL templates with their query strings."""
    return [key.split(" ", 2)[1] for key in TABLE["rows"] if key.startswith("GET /api/v1/")]


def _page_items(body) -> list | None:
    """The items of one page of a paginated list (`results`, or GeoJSON `features`); None when the
    body is no such page (a bare array: the mismatch this test is for)."""
    if isinstance(body, dict):
        for key in ("results", "features"):
            if isinstance(body.get(key), list):
                return body[key]
    return None


def _with_page(url: str, page: int) -> str:
    return f"{url}{'&' if '?' in url else '?'}page={page}"


def _as_schemathesis(response, url: str, body: bytes) -> schemathesis.Response:
    return schemathesis.Response(
        status_code=response.status_code,
        headers={name: [value] for name, value in response.headers.items()},
        content=body,
        request=requests.Request("GET", f"http://testserver{url}").prepare(),
        elapsed=0.0,
        verify=True,
    )


class Checker:
    def __init__(self, clients: dict[str, Client]):
        self.clients = clients
        self.problems: list[str] = []
        self.answered_200: set[str] = set()

    def get(self, role: str, url: str):
        """GET `url` as `role`; check the answer against the schema; the body if it was a 200."""
        template = _operation_for(url.split("?")[0])
        if template is None:
            return None  # not an operation of the schema (the API root, the schema itself, the docs)
        response = self.clients[role].get(url)
        body = _body_text(response).encode()
        operation = SCHEMA[template]["GET"]
        documented = operation.responses.find_by_status_code(response.status_code) is not None
        where = f"GET {url:<70} {role:<18} {response.status_code}"
        if 200 <= response.status_code < 300 and not documented:
            self.problems.append(f"{where}: status not documented for {template}")
        elif documented:
            try:
                operation.validate_response(_as_schemathesis(response, url, body))
            except Exception as exc:  # schemathesis raises a FailureGroup (or an AssertionError)
                self.problems.append(f"{where}: {_first_line(exc)}")
        if response.status_code == 200:
            self.answered_200.add(template)
            return body
        return None


def _first_line(exc: Exception) -> str:
    text = str(exc).strip() or type(exc).__name__
    return " | ".join(line.strip() for line in text.splitlines()[:6] if line.strip())


@pytest.fixture
def token_clients(world):
    from accounts.services import api_token_create

    clients = {"anonymous": Client()}
    for role, user in world.users.items():
        _token, key = api_token_create(user=user, name="schema check", otp_verified=False)
        clients[role] = Client(HTTP_AUTHORIZATION=f"Token {key}")
    return clients


def test_every_get_answer_matches_the_committed_schema(world, token_clients, monkeypatch):
    from core.pagination import PageNumberPagination
    from protected_areas.api.views import Pagination as AreaPagination

    check = Checker(token_clients)
    urls = [PLACEHOLDER.sub(lambda m: str(world.ids[m.group(1)]), t) for t in _get_rows()]

    # given the world, when every role asks for every GET row, then each answer is as documented
    lists = []  # (url, role, items) of the paginated lists holding two items or more
    for url in urls:
        paginated = _operation_for(url.split("?")[0]) in PAGINATED
        for role in ROLES:
            body = check.get(role, url)
            items = _page_items(json.loads(body)) if paginated and body is not None else None
            if items is not None and len(items) >= 2:
                lists.append((url, role, items))

    # and, with pages of one item, page 2 of every such list is documented and holds its second item
    monkeypatch.setattr(PageNumberPagination, "page_size", 1)
    monkeypatch.setattr(AreaPagination, "page_size", 1)
    monkeypatch.setattr("evidence.selectors.PICKER_PAGE_SIZE", 1)  # the picker's list pages by its own size
    for url, role, items in lists:
        second = check.get(role, _with_page(url, 2))
        page = _page_items(json.loads(second)) if second is not None else None
        if page != items[1:2]:
            check.problems.append(f"GET {_with_page(url, 2):<70} {role:<18} is not the list's second item")

    assert not check.problems, f"{len(check.problems)} answers differ from schema.yml:\n" + "\n".join(check.problems)
    uncovered = set(GET_OPERATIONS) - check.answered_200
    assert not uncovered, "GET operations never answered 200 to anyone (add a row to matrix.yaml):\n" + "\n".join(
        sorted(uncovered)
    )
    # The world holds lists of two items or more, so second pages were really looked at.
    assert {_operation_for(url.split("?")[0]) for url, _, _ in lists} >= {
        "/api/v1/assessments/",
        "/api/v1/review-assessments/{id}/indicators/",
        "/api/v1/review-assignments/",
    }
