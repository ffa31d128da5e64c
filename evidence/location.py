"""Where evidence lies against its site: inside or outside the boundary and how far, for a whole
batch of items and camera-trap deployments in one query (the pipeline's location step), and the pin
of a track or polygon."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.gis.geos import GEOSException, Point
from django.db import DatabaseError, connection, transaction
from django.utils import translation
from django.utils.translation import gettext

from core.errors import TRANSIENT_DATABASE_ERRORS as TRANSIENT_ERRORS

from . import error_codes
from .choices import Kind, LocationCheck
from .claims import uploader_language
from .extract import Unprocessable

if TYPE_CHECKING:
    from .pipeline import Outcome

LOCATION_SQL = """
    SELECT g.n,
           bool_and(c.covered),
           -- a covered part is 0 km away: the spheroid distance is only computed for the others
           min(CASE WHEN c.covered THEN 0 ELSE ST_Distance(pa.geom::geography, d.geom::geography) END) / 1000.0
    FROM protected_areas_protectedarea pa
    CROSS JOIN unnest(%s::bytea[]) WITH ORDINALITY AS g(ewkb, n)
    CROSS JOIN LATERAL ST_Dump(ST_GeomFromEWKB(g.ewkb)) d
    CROSS JOIN LATERAL (SELECT ST_Covers(pa.geom, d.geom) AS covered) c
    WHERE pa.id = %s
    GROUP BY g.n
"""


def location_checks(geoms: list, area_id: int | None) -> list[tuple[str, float | None]]:
    """Inside / outside the site's boundary and how far (km on the spheroid, 0 if touching), for
    many geometries in one query. A track or polygon is inside only when all of it is."""
    if not geoms or area_id is None:
        return [(LocationCheck.NONE, None)] * len(geoms)
    with transaction.atomic(), connection.cursor() as cursor:
        # PostGIS declares its functions costly, so the planner's estimate for this cheap query
        # crosses the JIT threshold, and compiling it would take ~150 ms each time.
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(LOCATION_SQL, [[bytes(g.ewkb) for g in geoms], area_id])
        found = {n: (inside, km) for n, inside, km in cursor.fetchall()}
    out: list[tuple[str, float | None]] = []
    for n in range(1, len(geoms) + 1):
        inside, km = found.get(n, (None, None))
        if inside is None:  # no boundary, or an empty geometry
            out.append((LocationCheck.NONE, None))
        else:
            out.append((LocationCheck.INSIDE, 0.0) if inside else (LocationCheck.OUTSIDE, round(float(km), 3)))
    return out


def location_check(geom, area) -> tuple[str, float | None]:
    """`location_checks` for one geometry and a ProtectedArea."""
    if geom is None or area is None or area.geom is None:
        return LocationCheck.NONE, None
    return location_checks([geom], area.pk)[0]


def check_locations(outcomes: list[Outcome]) -> None:
    """Location checks of a batch (items and camera-trap deployments) in one query, outside any
    transaction; if PostGIS refuses a geometry, each item is checked alone so only its own item
    fails."""
    jobs: list[tuple[Outcome, dict | None, object]] = []
    for o in outcomes:
        if o.error is not None:
            continue
        draft = o.draft
        geom = draft.geometry if draft.geometry is not None else draft.position
        if geom is not None:
            jobs.append((o, None, geom))
        for dep in (draft.camera_trap or {}).get("deployments", []):
            if "latitude" in dep:
                jobs.append((o, dep, Point(dep["longitude"], dep["latitude"], srid=4326)))
    # A batch is one assessment. An item about one site of a multi-site application (issue 16) is
    # checked against that site's boundary, the others against the main site's: one query per site.
    by_area: dict[int, list[int]] = {}
    for index, (o, _, _) in enumerate(jobs):
        item = o.claim.item
        by_area.setdefault(item.site_id or item.assessment.protected_area_id, []).append(index)
    results: list = [None] * len(jobs)
    for area_id, indexes in by_area.items():
        some = [jobs[i] for i in indexes]
        try:
            found = location_checks([g for _, _, g in some], area_id)
        except DatabaseError as exc:
            if isinstance(exc, TRANSIENT_ERRORS):
                raise
            found = _check_each(some, area_id)
        for i, result in zip(indexes, found, strict=True):
            results[i] = result
    for (o, dep, _), result in zip(jobs, results, strict=True):
        if result is None:
            continue
        if dep is None:
            o.check, o.km = result
        else:
            dep.update(location_check=str(result[0]), distance_km=result[1])
    for o in outcomes:
        if o.error is None and o.draft.position is None and o.draft.kind in (Kind.GEODATA, Kind.CAMERA_TRAP):
            # A track or polygon's pin is a point on it.
            o.draft.position = _representative_point(o.draft.geometry)


def _check_each(jobs, area_id) -> list:
    results: list[tuple[str, float | None] | None] = []
    for o, _, geom in jobs:
        if o.error is not None:
            results.append(None)
            continue
        try:
            results.append(location_checks([geom], area_id)[0])
        except DatabaseError as exc:
            if isinstance(exc, TRANSIENT_ERRORS):
                raise
            with translation.override(uploader_language(o.claim.item)):  # the reason is the uploader's
                message = gettext("The geometry could not be checked (%(error)s).") % {"error": exc}
            o.error = Unprocessable(error_codes.GEODATA_UNREADABLE, message)
            results.append(None)
    return results


def _representative_point(geom):
    if geom is None or geom.empty:
        return None
    try:
        point = geom.unary_union.point_on_surface
    except GEOSException:
        point = geom.centroid  # invalid polygons (self-intersections) defeat the union
    point.srid = 4326
    return point
