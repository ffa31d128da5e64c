"""Conditional GETs for pages that are costly to draw and read often on slow links (issue 17).

A page answers `ETag` + `Cache-Control: private, no-cache`; the browser (or the offline service
worker) asks again with `If-None-Match` and gets `304 Not Modified`, without the page being drawn,
when nothing it shows has changed. Two rules make that safe:

- **What the page shows** is fingerprinted from PostgreSQL's row versions: every row of the
  object, of the tables that point at it and of the tables that point at those (found through
  Django's app registry, so a new app's table that hangs off an assessment is covered without
  anyone remembering to add it), plus the rows the caller names (the Standard, the person's
  roles). A row's `xmin` changes with every write to it, whoever makes it and however (a service,
  a bulk `update()`, the admin, a worker), and an insert or delete changes the set of ids. One
  query, of indexed look-ups; nothing is rendered.
- **Who it is drawn for** goes into the tag too: the person, the page's language, the release
  (templates and static names change with a deploy), and the CSRF secret, since the HTML carries
  forms whose token must stay valid: a new secret (a new login) means a new page. The tag is an
  HMAC with SECRET_KEY, so nobody can make another person's tag.

A page with a message waiting to be shown (a "saved" note) is always drawn.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.messages import get_messages
from django.db import connection, models
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.crypto import salted_hmac
from django.utils.http import quote_etag
from django.utils.translation import get_language

# What a conditional page sends: a browser or service worker may keep it, but asks every time.
CACHE_CONTROL = "private, no-cache"


@dataclass(frozen=True)
class Rows:
    """Rows of `model` selected by `where` (SQL on the alias `t`, with `params`)."""

    model: type[models.Model]
    where: str
    params: tuple = ()

    def sql(self) -> str:
        table = connection.ops.quote_name(self.model._meta.db_table)
        pk = _column(self.model._meta.pk)
        # The ids and each row's version: an insert, an update or a delete all change the text.
        return (
            f"(SELECT md5(coalesce(string_agg(t.{pk}::text || ':' || t.xmin::text, ',' ORDER BY t.{pk}), '')) "  # noqa: S608 - names from the models, values are parameters
            f"FROM {table} t WHERE {self.where})"
        )


def _column(field) -> str:
    return connection.ops.quote_name(str(field.column))


def _foreign_keys_to(target: type[models.Model]) -> Iterable[tuple[type[models.Model], list[models.Field]]]:
    for model in apps.get_models(include_auto_created=True):
        fields = [
            f
            for f in model._meta.concrete_fields
            if f.is_relation and f.many_to_one or getattr(f, "one_to_one", False)
            if f.related_model is target
        ]
        if fields and model is not target:
            yield model, fields


@functools.cache
def _family_sql(root: type[models.Model]) -> tuple[tuple[str, int], ...]:
    """(sql, number of parameters) of the root row, the rows pointing at it and the rows pointing
    at those. Built once per process (the app registry does not change)."""
    root_pk = _column(root._meta.pk)
    parts: list[tuple[str, int]] = [(Rows(root, f"t.{root_pk} = %s").sql(), 1)]
    for child, fks in _foreign_keys_to(root):
        where = " OR ".join(f"t.{_column(f)} = %s" for f in fks)
        parts.append((Rows(child, where).sql(), len(fks)))
        child_table = connection.ops.quote_name(child._meta.db_table)
        child_pk = _column(child._meta.pk)
        conditions = " OR ".join(f"c.{_column(f)} = %s" for f in fks)
        inner = f"SELECT c.{child_pk} FROM {child_table} c WHERE {conditions}"  # noqa: S608 - names from the models
        for grandchild, gfks in _foreign_keys_to(child):
            if grandchild is root:
                continue
            gwhere = " OR ".join(f"t.{_column(g)} IN ({inner})" for g in gfks)
            parts.append((Rows(grandchild, gwhere).sql(), len(gfks) * len(fks)))
    return tuple(parts)


def fingerprint(root: models.Model, extra: Iterable[Rows] = ()) -> str:
    """One query: the versions of `root`'s family of rows and of the `extra` rows."""
    sqls, params = [], []
    for sql, n in _family_sql(type(root)):
        sqls.append(sql)
        params.extend([root.pk] * n)
    for rows in extra:
        sqls.append(rows.sql())
        params.extend(rows.params)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT md5(concat_ws('|', {', '.join(sqls)}))", params)
        return cursor.fetchone()[0]


def release() -> str:
    """Changes with a deploy: the newest template and the static files' manifest (their hashed names).
    Read once per process, except in development (DEBUG), where a template edited under a running
    server must not come back as a 304 of the page drawn before."""
    return _release() if settings.DEBUG else _release_once()


@functools.cache
def _release_once() -> str:
    return _release()


def _release() -> str:
    newest = 0.0
    templates: list[dict] = settings.TEMPLATES
    dirs = [Path(d) for t in templates for d in t.get("DIRS", [])]
    dirs += [Path(app.path) / "templates" for app in apps.get_app_configs()]
    for directory in dirs:
        if directory.is_dir():
            for path in directory.rglob("*.html"):
                newest = max(newest, path.stat().st_mtime)
    manifest = Path(settings.STATIC_ROOT or "") / "staticfiles.json"
    digest = hashlib.sha256(manifest.read_bytes()).hexdigest() if settings.STATIC_ROOT and manifest.is_file() else ""
    return f"{newest:.0f}-{digest[:16]}"


def page_etag(request, kind: str, data_fingerprint: str) -> str:
    """The tag of one page drawn for this person, in this language, with this CSRF secret, today
    (pages say "due in 3 days", "overdue": a new day draws them anew)."""
    csrf_secret = request.META.get("CSRF_COOKIE", "")
    today = timezone.localdate().isoformat()
    value = "|".join(
        [kind, str(request.user.pk), get_language() or "", csrf_secret, today, release(), data_fingerprint]
    )
    return salted_hmac("core.freshness.page_etag", value).hexdigest()[:40]


def conditional_page(etag_func: Callable[..., str | None]):
    """A GET view answering 304 when `etag_func(request, *args, **kwargs)` matches If-None-Match.

    `etag_func` checks access first (a 404 for someone who may not see the object, before any
    tag is compared). The response carries the tag and `Cache-Control: private, no-cache`. A
    page drawn with a message waiting ("saved") carries no tag: its copy must not come back
    later with the message in it.
    """

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method not in ("GET", "HEAD"):
                return view(request, *args, **kwargs)
            with_message = len(get_messages(request)) > 0
            etag = None
            if not with_message and request.META.get("CSRF_COOKIE"):
                etag = quote_etag(etag_func(request, *args, **kwargs))
                not_modified = get_conditional_response(request, etag=etag)
                if not_modified is not None:
                    not_modified.headers["Cache-Control"] = CACHE_CONTROL
                    return not_modified
            response = view(request, *args, **kwargs)
            if response.status_code == 200 and not with_message:
                # A first visit has no CSRF secret until the page's forms made one: tag it now.
                if etag is None and request.META.get("CSRF_COOKIE"):
                    etag = quote_etag(etag_func(request, *args, **kwargs))
                if etag:
                    response.headers["ETag"] = etag
            response.headers["Cache-Control"] = CACHE_CONTROL
            return response

        return wrapper

    return decorator


# The clocks of the web processes, the workers and PostgreSQL agree only as far as NTP keeps them
# (milliseconds): a row stamped by a process running a little behind still comes again.
CHANGED_UNTIL_MARGIN = datetime.timedelta(seconds=2)


def changed_until() -> datetime.datetime:
    """The moment to hand a client as its next `changed_since`, taken before it reads: every row
    stamped earlier (`auto_now`) is committed and visible to the read that follows.

    `auto_now` stamps a row in Python when it is saved, not when its transaction commits: a save whose
    commit is held back (the audit chain's lock under load) would otherwise carry a stamp older than the
    moment handed out, and never be sent. So the moment is no later than the start of the oldest
    transaction still open on this database (other than this request's own, whose writes it sees):
    its rows were stamped after it began. Reading a row twice is harmless, clients upsert by id and
    version. pg_stat_activity shows other sessions' `xact_start` to the same database role, which
    the web processes and the workers share."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT least(statement_timestamp(), min(xact_start)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() AND xact_start IS NOT NULL"
        )
        (moment,) = cursor.fetchone()
    return moment - CHANGED_UNTIL_MARGIN
