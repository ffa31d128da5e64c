"""Public pages read from a read replica when one is configured (DATABASE_REPLICA_URL; docs/scale.md).

An anonymous GET or HEAD of a view marked `@reads_from_replica` (the Green List and its site pages,
the public area list and pages, the public feeds, and the public API that serves the same data to
scripts and registries: areas, the Green List, its map and feed) sends its ORM reads to the
`replica` database: they are most of what a programme-wide platform serves, and a few seconds of
replication lag is harmless there. Everything else uses the primary: signed-in pages and API calls
with a token (a person expects to see what they just saved, and a token made a moment ago must be
found), every write, the workers, raw SQL (`connection` is the primary's), certificate
verification (a suspension must show at once), and the map tiles (a tile drawn from a lagging
replica after an import forgot it would be cached for a day: tile_cache's claim protocol relies on
reading what was committed). Without a replica configured nothing changes.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
_reads_from_replica: contextvars.ContextVar[bool] = contextvars.ContextVar("reads_from_replica", default=False)


def reads_from_replica(view: Any) -> Any:
    """Mark a public view (a function, or a DRF view class) whose anonymous GETs may read from the
    replica (ReplicaReadsMiddleware)."""
    view.reads_from_replica = True
    return view


def _marked(view_func: Any) -> bool:
    # A function view carries the mark itself; the function a DRF view's as_view() returns carries
    # the view's class as `cls`.
    return bool(
        getattr(view_func, "reads_from_replica", False)
        or getattr(getattr(view_func, "cls", None), "reads_from_replica", False)
    )


def replica_enabled() -> bool:
    return bool(getattr(settings, "READ_REPLICA", False)) and REPLICA in settings.DATABASES


class ReplicaRouter:
    """ORM reads to the replica while a marked public view answers an anonymous GET; writes, and
    everything else, to the primary. The replica is PostgreSQL's streaming copy of the primary:
    never migrated, never written."""

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        return REPLICA if _reads_from_replica.get() else None

    def db_for_write(self, model: Any, **hints: Any) -> str:
        # Explicitly the primary: Django would otherwise write an object back where it was read from.
        return "default"

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the same data on both

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return False if db == REPLICA else None


class ReplicaReadsMiddleware:
    """Sends a marked view's reads to the replica for an anonymous GET or HEAD, until its response
    is made (a streamed body read later reads from the primary). After AuthenticationMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            return self.get_response(request)
        finally:
            token = request.__dict__.pop("_replica_token", None)
            if token is not None:
                _reads_from_replica.reset(token)

    def process_view(self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any) -> None:
        if (
            request.method in ("GET", "HEAD")
            and _marked(view_func)
            and replica_enabled()
            and not request.user.is_authenticated
            # A token is checked by the API view itself, after this: a call that brings one is
            # someone's, and reads the primary (its token too, which may be a moment old).
            and "HTTP_AUTHORIZATION" not in request.META
        ):
            request._replica_token = _reads_from_replica.set(True)  # type: ignore[attr-defined]
