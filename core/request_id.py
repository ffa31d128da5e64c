"""A request id on every log line of a request and of the Celery tasks it starts (issue 20).

The id is taken from the request's `X-Request-ID` header when it is sane (a proxy or load balancer in
front set it, so its log and ours can be joined), else made here, and sent back in the response's
`X-Request-ID`. It lives in a context variable for the request's duration; `RequestIdFilter` puts it on
every log record (`%(request_id)s`, or the JSON logs' `request_id` field).

A task sent while a request id is set carries it in its message headers (`before_task_publish`); the
worker sets it again for the task's run (`task_prerun`) and clears it after (`task_postrun`), so the
task's log lines, and the tasks it sends in turn, carry the request's id. Tasks that beat starts get
an id of their own per run.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import re
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from celery import signals
from django.http import HttpRequest, HttpResponse

HEADER = "X-Request-ID"
META_KEY = "HTTP_X_REQUEST_ID"
TASK_HEADER = "greenlist_request_id"
# What an id from outside may look like: a UUID, a hex trace id, a load balancer's "Root=1-…"; at most
# 64 characters, and nothing that could forge a log line or a header (no spaces, quotes or newlines).
SANE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:=+-]{0,63}")

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")


def new_request_id() -> str:
    return uuid.uuid4().hex


def sane_request_id(value: str | None) -> str | None:
    """The id given, if it may be trusted in a log line and a header; None otherwise."""
    if value and SANE.fullmatch(value):
        return value
    return None


@contextlib.contextmanager
def bound_request_id(value: str | None = None) -> Iterator[str]:
    """Run a block under a request id (a given one, or a new one): commands and tests use it."""
    token = request_id.set(value or new_request_id())
    try:
        yield request_id.get()
    finally:
        request_id.reset(token)


class RequestIdMiddleware:
    """First in MIDDLEWARE, so every later middleware's log lines carry the id too."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        rid = sane_request_id(request.META.get(META_KEY)) or new_request_id()
        request.request_id = rid  # type: ignore[attr-defined]
        token = request_id.set(rid)
        try:
            response = self.get_response(request)
        finally:
            request_id.reset(token)
        response[HEADER] = rid
        return response


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record ("-" outside a request or task), for the formatters."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get() or "-"
        return True


# --- Celery: the id travels in the task message's headers --------------------------------------


@signals.before_task_publish.connect(weak=False)
def _add_request_id_header(headers: dict[str, Any] | None = None, **_: Any) -> None:
    rid = request_id.get()
    if rid and headers is not None and TASK_HEADER not in headers:
        headers[TASK_HEADER] = rid


# task id → the context token to reset when the task ends (a solo or prefork worker runs one task
# per process at a time; threads and eventlet run several, each with its own context).
_tokens: dict[str, contextvars.Token[str]] = {}


@signals.task_prerun.connect(weak=False)
def _set_request_id(task_id: str | None = None, task: Any = None, **_: Any) -> None:
    given = getattr(task.request, TASK_HEADER, None) if task is not None else None
    if given is None and task is not None:
        given = (task.request.headers or {}).get(TASK_HEADER) if hasattr(task.request, "headers") else None
    rid = sane_request_id(given) or new_request_id()
    if task_id:
        _tokens[task_id] = request_id.set(rid)


@signals.task_postrun.connect(weak=False)
def _clear_request_id(task_id: str | None = None, **_: Any) -> None:
    token = _tokens.pop(task_id or "", None)
    if token is not None:
        with contextlib.suppress(ValueError):  # set in another context: nothing to undo here
            request_id.reset(token)
