"""SQL the pipeline writes with: many rows of a model in one statement of constant size, and
commits that do not wait for the disk (the pipeline's bookkeeping is always re-derivable)."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.gis.db.models import GeometryField
from django.db import connection
from django.db.models import JSONField

from .models import EvidenceFacts


def relaxed_commit() -> None:
    """Pipeline bookkeeping commits without waiting for the disk flush. Safe here: if the
    database crashed in that instant, the item would be left pending/processing and the sweep
    would simply process it again; facts are always re-derivable from the stored file."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")


TEXT_TYPES = {"CharField", "TextField", "FileField"}


def bulk_set(objs: list[Any], fields: list[str]) -> None:
    """Write `fields` of many rows of one model in ONE statement: UPDATE … FROM unnest(arrays).

    Django's `bulk_update` builds a CASE per field and row, and a VALUES list needs a parameter
    per field and row: both cost more Python time here than the work they save. One array per
    column keeps the statement and its parameters the same size whatever the number of rows.
    Text goes through as `text` so the column's own length check still applies on assignment (a
    cast to varchar(n) would silently truncate); geometries as EWKB, JSON as its text."""
    if not objs:
        return
    meta = objs[0]._meta
    columns: list[Any] = [meta.pk, *(meta.get_field(name) for name in fields)]
    qn = connection.ops.quote_name
    arrays: list[tuple[str, list[Any]]] = []
    sets: list[str] = []
    for f in columns:
        values = [getattr(obj, f.attname) for obj in objs]
        kind = f.get_internal_type()
        column = qn(f.column)
        if isinstance(f, GeometryField):
            arrays.append(("bytea", [_ewkb(v, f.srid) for v in values]))
            sets.append(f"ST_GeomFromEWKB(v.{column})")
        elif isinstance(f, JSONField):
            arrays.append(("text", [None if v is None else json.dumps(v, cls=f.encoder) for v in values]))
            sets.append(f"v.{column}::jsonb")
        else:
            cast = (
                "text" if kind in TEXT_TYPES else f.rel_db_type(connection) if f.is_relation else f.db_type(connection)
            )
            arrays.append((cast, [f.get_db_prep_save(v, connection) for v in values]))
            sets.append(f"v.{qn(f.column)}")
    pk = qn(meta.pk.column)
    sql = (
        f"UPDATE {qn(meta.db_table)} AS t SET "  # noqa: S608 - names from the model, values are parameters
        + ", ".join(f"{qn(f.column)} = {value}" for f, value in zip(columns[1:], sets[1:], strict=True))
        + f" FROM unnest({', '.join(f'%s::{cast}[]' for cast, _ in arrays)})"
        + f" AS v({', '.join(qn(f.column) for f in columns)}) WHERE t.{pk} = v.{pk}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [values for _, values in arrays])


def _ewkb(geom: Any, srid: int) -> bytes | None:
    if geom is None:
        return None
    if geom.srid is None:
        geom = geom.clone()
        geom.srid = srid
    elif geom.srid != srid:
        geom = geom.transform(srid, clone=True)
    return bytes(geom.ewkb)


def insert_facts(rows: list[EvidenceFacts]) -> None:
    """INSERT facts rows (defaults plus the claim) in one statement of constant size, whatever
    the number of rows: `bulk_create` would adapt every field of every row."""
    if not rows:
        return
    meta: Any = EvidenceFacts._meta  # typed loosely, as bulk_set's: the SQL is built from its fields
    qn = connection.ops.quote_name
    fields: list[Any] = [f for f in meta.concrete_fields if f.name not in ("item", "search")]
    first = rows[0]  # the rows of one claim differ only in their item
    values: list[tuple[str, Any]] = []
    for f in fields:
        value = getattr(first, f.attname)
        kind = f.get_internal_type()
        if value is None or isinstance(f, GeometryField):  # no geometry before processing
            values.append(("NULL", None))
        elif isinstance(f, JSONField):
            values.append(("%s::jsonb", json.dumps(value, cls=f.encoder)))
        else:
            cast = "text" if kind in TEXT_TYPES else f.db_type(connection)
            values.append((f"%s::{cast}", f.get_db_prep_save(value, connection)))
    sql = (
        f"INSERT INTO {qn(meta.db_table)} ({qn(meta.pk.column)}, {', '.join(qn(f.column) for f in fields)}) "  # noqa: S608
        f"SELECT i, {', '.join(placeholder for placeholder, _ in values)} FROM unnest(%s::bigint[]) AS i"
    )
    params = [value for placeholder, value in values if placeholder != "NULL"] + [[r.item_id for r in rows]]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
