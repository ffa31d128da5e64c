"""The permission matrix: every page and API endpoint × every role, read from matrix.yaml.

`matrix.yaml` is the one table of expected answers. Each row is "METHOD /url/template [form body]";
each cell the expected status for one role, with a trailing "+" when the request must take effect
(write an audit event; every state change in this platform does) and none when it must leave
everything unchanged. Every request runs inside a transaction that is rolled back, so rows do not
disturb each other and the world stays as built.

Besides status codes, every response body is searched for the world's marker strings
(`world.MARKERS`): a role finding a marker it is not entitled to is a leak, whatever the code.
A second test walks Django's URL resolver and fails on any route the table does not cover.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
import yaml
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from .world import MARKERS, ROLES

TABLE = yaml.safe_load((Path(__file__).parent / "matrix.yaml").read_text())
PLACEHOLDER = re.compile(r"{(\w+)}")
LOGIN_URL = "/accounts/login/"


def _rows():
    assert TABLE["roles"] == ROLES, "matrix.yaml columns must be the roles of world.ROLES, in order"
    for key, cells in TABLE["rows"].items():
        method, _, rest = key.partition(" ")
        url, _, body = rest.partition(" ")
        assert method in {"GET", "POST", "PUT", "PATCH", "DELETE"}, key
        assert len(cells) == len(ROLES), f"{key}: {len(cells)} cells for {len(ROLES)} roles"
        yield key, method, url, body, [str(c) for c in cells]


def _fill(template: str, ids: dict) -> str:
    return PLACEHOLDER.sub(lambda m: str(ids[m.group(1)]), template)


def _body_text(response) -> str:
    # Streamed answers (CSV, exports, evidence files) are searched too: the world's files are tiny.
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    return raw.decode("utf-8", "replace")


def _items(payload) -> int | None:
    """How many objects a list response holds (paginated, plain or GeoJSON), or None for one object."""
    if isinstance(payload, list):
        return len(payload)
    if isinstance(payload, dict):
        if isinstance(payload.get("results"), list):
            return len(payload["results"])
        if isinstance(payload.get("features"), list):
            return len(payload["features"])
    return None


def _request(client: Client, method: str, url: str, body: str):
    from audit.models import AuditEvent

    data = dict(parse_qsl(body, keep_blank_values=True))
    cookies = client.cookies.copy()  # logout (or a new login) must not carry over to the next row
    with transaction.atomic():
        before = AuditEvent.objects.count()
        if method == "GET":
            response = client.get(url, data)
        elif method == "POST":
            response = client.post(url, data)
        else:
            # PUT/PATCH carry JSON, as API clients send them
            response = client.generic(method, url, data=json.dumps(data), content_type="application/json")
        text = _body_text(response)
        changed = AuditEvent.objects.count() > before
        transaction.set_rollback(True)
    client.cookies = cookies
    return _cell(response, changed), response, text


def _cell(response, changed: bool) -> str:
    """What a table cell says: "login" for a redirect to the login page, else the status code;
    "+" when the request took effect."""
    code = response.status_code
    if code == 302 and response["Location"].startswith(LOGIN_URL):
        got = "login"
    else:
        got = str(code)
    return got + ("+" if changed else "")


@pytest.mark.long
def test_every_role_gets_the_expected_answer_and_no_marker_it_may_not_see(world):
    clients = {"anonymous": Client()}
    for role, user in world.users.items():
        clients[role] = Client()
        clients[role].force_login(user)

    counts = TABLE["counts"]
    for section in (counts, TABLE["names_private_on"]):
        assert set(section) <= set(TABLE["rows"]), f"not rows of the table: {set(section) - set(TABLE['rows'])}"
    wrong, leaks, seen = [], [], set()
    for key, method, template, body, cells in _rows():
        url, data = _fill(template, world.ids), _fill(body, world.ids)
        for role, expected in zip(ROLES, cells, strict=True):
            got, response, text = _request(clients[role], method, url, data)
            if expected != "*" and got != expected:
                wrong.append(f"{key:<75} {role:<18} expected {expected:<5} got {got}")
            if key in counts and counts[key][ROLES.index(role)] is not None and response.status_code == 200:
                n = _items(json.loads(text))
                if n != counts[key][ROLES.index(role)]:
                    leaks.append(f"{key:<75} {role:<18} sees {n} items, expected {counts[key][ROLES.index(role)]}")
            markers = {**MARKERS, **world.site_names} if key in TABLE["names_private_on"] else MARKERS
            for marker, allowed in markers.items():
                if marker in text:
                    seen.add(marker)
                    if role not in allowed:
                        leaks.append(f"{key:<75} {role:<18} sees {marker}")

    assert not leaks, "LEAKS:\n" + "\n".join(leaks)
    # A marker nobody ever sees would make its check vacuous: each shows up for someone entitled.
    assert seen >= set(MARKERS), f"markers never shown to anyone: {set(MARKERS) - seen}"
    assert not wrong, f"{len(wrong)} cells differ from matrix.yaml:\n" + "\n".join(wrong)


# --- coverage: every route of the resolver is in the table -------------------------------------


def _join(prefix: str, pattern) -> str:
    # As Django joins routes in ResolverMatch.route: a nested regex loses its leading "^".
    part = str(pattern)
    return prefix + (part[1:] if prefix and part.startswith("^") else part)


def _routes(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            yield from _routes(p, _join(prefix, p.pattern))
        elif isinstance(p, URLPattern):
            yield _join(prefix, p.pattern)


def _excluded(route: str) -> str | None:
    for pattern, reason in TABLE["excluded"].items():
        if re.search(pattern, route):
            return reason
    return None


def test_every_url_pattern_is_in_the_matrix(db):
    # A route is covered when some row's URL resolves to it (placeholders filled with dummies).
    covered = set()
    for _key, _method, template, _body, _cells in _rows():
        path = PLACEHOLDER.sub("1", template).split("?")[0]
        covered.add(resolve(path).route)
    missing = sorted({r for r in _routes() if r not in covered and not _excluded(r)})
    assert not missing, "routes with no row in tests/permissions/matrix.yaml:\n" + "\n".join(missing)
