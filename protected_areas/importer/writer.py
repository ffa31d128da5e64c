"""Writing batches: COPY into the staging tables, then the set-based upsert and boundary history.

The SQL lives in `staging.sql` (the staging tables and what is asked of them) and `batch.sql` (what
PostGIS does with each batch, in order), read once at start-up; the attribute column lists in it
are filled in from `columns.STAGE_COLUMNS`, the one place they are written. Python only moves rows
and counts outcomes: everything geometric happens in those statements, where it is fast.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from django.db import DatabaseError, connection, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.limits import cut

from ..models import ProtectedArea
from .columns import ATTR_FIELDS, STAGE_ARRAYS, STAGE_COLUMNS
from .summary import MAX_ERRORS, ImportSummary

if TYPE_CHECKING:
    from .reader import ReadAhead

# About 50 m at the equator: finer than a pixel at zoom 11, and it takes most of the weight out of
# survey-grade boundaries with tens of thousands of vertices. The display geometry uses plain
# Douglas-Peucker (ST_Simplify keeping collapsed parts): on the benchmark file
# ST_SimplifyPreserveTopology took 20x longer (10 s of a 40 s import) for the same drawing, and
# this geometry is only drawn (maps, tiles, API lists), never measured: areas use the full boundary.
DISPLAY_TOLERANCE_DEG = 0.0005


# Why PostGIS rejected a feature (batch.sql's reject codes), worded for the importing person.
REJECTS = {
    "duplicate": gettext_noop("duplicate of feature %(first)s (same identity %(key)s)"),
    "no_area": gettext_noop("unusable geometry: nothing of it is an area, even after repair"),
    "changed_meanwhile": gettext_noop("its stored boundary changed while this file was read: import the file again"),
}


def load_statements(file_name: str, **names: str) -> dict[str, str]:
    """The statements of a .sql file next to this module, by the name on their `-- name:` line.

    Comment lines are left out: the driver would read a percent sign in them as a parameter.
    `{name}`s in the SQL are filled in from `names`; a missing one fails here, at start-up.
    """
    statements: dict[str, list[str]] = {}
    lines: list[str] | None = None
    for line in Path(__file__).with_name(file_name).read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if stripped.startswith("-- name:"):
            name = stripped.removeprefix("-- name:").strip()
            if name in statements:
                raise ValueError(f"{file_name}: two statements are named {name!r}")
            lines = statements[name] = []
        elif lines is not None and not stripped.startswith("--"):
            lines.append(line)
    return {name: "\n".join(body).strip().format(**names) for name, body in statements.items()}


# Where a site's area is the planar area in EPSG:6933, an equal-area projection of the WGS 84
# ellipsoid (batch.sql's `prepare_as_sent` says why): within the projection's range, and either no
# more than a few degrees across or with no edge longer than a fifth of a degree (a large site drawn
# in short edges, whose edges, straight in the projection, stay within metres of the geodesics
# between the same vertices: 6e-5 of the geodesic area at worst over the benchmark file's 704 such
# sites). Elsewhere it is the geodesic area. In degrees.
PLANAR_AREA_LIMITS = {"lon": 180, "lat": 85, "span": 3, "edge": 0.2}

_ATTRS = [c for c in ATTR_FIELDS if c != "key"]
_STAGING = load_statements(
    "staging.sql",
    stage_columns=", ".join(
        [f"{c} {t}" for c, t, _b in STAGE_COLUMNS]
        + [
            f"{array} varchar(3)[] GENERATED ALWAYS AS (string_to_array({codes}, ';')::varchar(3)[]) STORED"
            for codes, array in STAGE_ARRAYS.items()
        ]
    ),
    stage_column_names=", ".join(c for c, _t, _b in STAGE_COLUMNS),
)
# Run in file order; every statement takes the same parameters.
_BATCH_SQL = list(
    load_statements(
        "batch.sql",
        attr_row_pa=", ".join(f"pa.{c}" for c in _ATTRS),
        attr_row_raw=", ".join(f"r.{c}" for c in _ATTRS),
        attr_columns=", ".join(ATTR_FIELDS),
        attr_values_raw=", ".join(f"r.{c}" for c in ATTR_FIELDS),
        attr_set=", ".join(f"{c} = r.{c}" for c in _ATTRS),
        # The area of the boundary `g`, in km² (batch.sql's `prepare_as_sent` says why so); the
        # reader measures most boundaries the same way itself (reader._areas).
        area_km2=(
            "CASE WHEN ST_XMin(g) >= -{lon} AND ST_XMax(g) <= {lon} AND ST_YMin(g) >= -{lat} AND ST_YMax(g) <= {lat}"
            " AND (ST_XMax(g) - ST_XMin(g) <= {span} AND ST_YMax(g) - ST_YMin(g) <= {span}"
            "      OR ST_NPoints(ST_Segmentize(g, {edge})) = ST_NPoints(g))"  # no edge longer than that
            " THEN ST_Area(ST_Transform(g, 6933)) ELSE ST_Area(g::geography) END / 1e6"
        ).format(**PLANAR_AREA_LIMITS),
        # A feature's boundary: the one `prepare` kept, or the file's own read again from its WKB.
        boundary="CASE WHEN p.geom_as_sent THEN ST_Multi(ST_GeomFromWKB(r.wkb, 4326)) ELSE p.geom END",
        # The display geometry (maps, tiles, API lists) of the boundary `b.geom`.
        display="ST_Multi(ST_CollectionExtract(ST_Simplify(b.geom, %(tolerance)s, true), 3))",
    ).values()
)


# Connections writing batches side by side. PostgreSQL runs a connection's statements on one core,
# and a batch's statements (repair, areas, the rows and their indexes, history) are most of an
# import's time: with two, both cores work while GDAL reads. More would only queue for the cores.
WRITERS = 2


def writer_count() -> int:
    """How many connections may write this import: inside the caller's transaction (the wizard's dry
    run, tests) only the caller's, since another would neither see that transaction's rows nor be
    rolled back with it."""
    return 1 if connection.in_atomic_block else WRITERS


def write_batches(
    batches: ReadAhead, summary: ImportSummary, source: str, progress: Callable[[int], None] | None = None
) -> None:
    """Write every batch of `batches`, adding outcomes to `summary`; `progress(last feature written)`
    after each batch written on this thread.

    Each stream of `batches` is written by its own connection (this thread's for the first), each
    with its own staging tables; a batch is one transaction, and every feature of an identity is in
    one stream, so the streams are independent (see reader.ReadAhead)."""
    results: list[ImportSummary] = []
    failures: list[BaseException] = []
    helpers: list[threading.Thread] = []
    for stream in range(1, batches.streams):
        results.append(ImportSummary())
        helpers.append(
            threading.Thread(
                target=_write_on_own_connection,
                args=(batches, stream, results[-1], source, failures, translation.get_language()),
                name=f"protected-area-writer-{stream}",
                daemon=True,
            )
        )
        helpers[-1].start()
    try:
        create_staging()
        while not failures and (batch := batches.next_batch(0)) is not None:
            rows, rejects = batch
            for n, reason in rejects:
                summary.reject(n, reason)
            if rows:
                write_batch(rows, summary, source)
                if progress:
                    progress(rows[-1][0])
    except BaseException:
        batches.stop()
        raise
    finally:
        for helper in helpers:
            helper.join()
        _merge(summary, results)
        drop_staging()
    if failures:
        raise failures[0]


def _write_on_own_connection(
    batches: ReadAhead,
    stream: int,
    summary: ImportSummary,
    source: str,
    failures: list[BaseException],
    language: str | None = None,
) -> None:
    if language:
        translation.activate(language)  # the importing thread's, for the rejects' wording
    try:
        create_staging()
        while (batch := batches.next_batch(stream)) is not None:
            rows, rejects = batch
            for n, reason in rejects:
                summary.reject(n, reason)
            if rows:
                write_batch(rows, summary, source)
    except BaseException as exc:  # raised again by the importing thread
        failures.append(exc)
        batches.stop()
    finally:
        connection.close()  # this thread's own; its temporary tables go with it


def _merge(summary: ImportSummary, others: list[ImportSummary]) -> None:
    errors = list(summary.errors)
    for other in others:
        summary.created += other.created
        summary.updated += other.updated
        summary.unchanged += other.unchanged
        summary.repaired += other.repaired
        summary.rejected += other.rejected
        errors += other.errors
    # Each writer's errors are in feature order; together, also in feature order.
    summary.errors = sorted(errors, key=lambda e: e["feature"])[:MAX_ERRORS]


# Memory for this connection's temporary tables: a batch's boundaries are COPYed in and prepared
# there, about 20 MB for 1,000 polygons of the benchmark file. At PostgreSQL's default (8 MB) they
# were written out to disk and read back by every statement of the batch.
STAGING_MEMORY = "96MB"


def create_staging() -> None:
    """Create (or empty) this connection's temporary staging tables."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW temp_buffers")
        if cursor.fetchone()[0] != STAGING_MEMORY:
            try:
                with transaction.atomic():
                    cursor.execute(f"SET temp_buffers = '{STAGING_MEMORY}'")
            except DatabaseError:
                pass  # settable only before a session's first temporary table: the import still runs
        cursor.execute(_STAGING["create"])


def drop_staging() -> None:
    with connection.cursor() as cursor:
        cursor.execute(_STAGING["drop"])


def stored_hashes(keys: list[str]) -> dict[str, bytes]:
    """The stored boundary hash of each of these identities that has one."""
    if not keys:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(_STAGING["stored_hashes"], [keys])
        return {key: bytes(h) for key, h in cursor.fetchall()}


def write_batch(rows: list[tuple], summary: ImportSummary, source: str) -> None:
    """Upsert one batch of staging rows (in one transaction) and add its outcomes to `summary`."""
    params: dict[str, str | float] = {
        "source": cut(source, ProtectedArea, "source"),
        "tolerance": DISPLAY_TOLERANCE_DEG,
    }
    with transaction.atomic(), connection.cursor() as cursor:
        # A batch lost to a crash is imported again by re-running the file (upserts): not worth
        # waiting for the disk at every commit.
        cursor.execute("SET LOCAL synchronous_commit TO OFF")
        # A batch's statements are planned afresh each time; JIT compiling them would cost more
        # than it saves whenever PostGIS's function costs lift an estimate over its threshold.
        cursor.execute("SET LOCAL jit TO off")
        # Boundaries whose hash matches the stored one come without their WKB (the reader left it
        # out): a re-import of an unchanged national file moves attributes only.
        cursor.execute(_STAGING["empty"])
        raw = cursor.cursor  # psycopg's own cursor, for COPY
        with raw.copy(_STAGING["copy"]) as copy:
            copy.set_types([b for _c, _t, b in STAGE_COLUMNS])
            for row in rows:
                copy.write_row(row)
        for sql in _BATCH_SQL:
            cursor.execute(sql, params)
        cursor.execute(_STAGING["outcomes"])
        created, updated, unchanged, repaired = cursor.fetchone()
        cursor.execute(_STAGING["rejects"])
        for n, code, duplicate_of, key in cursor.fetchall():
            summary.reject(n, _(REJECTS[code]) % {"first": duplicate_of, "key": key})
    summary.created += created
    summary.updated += updated
    summary.unchanged += unchanged
    summary.repaired += repaired
