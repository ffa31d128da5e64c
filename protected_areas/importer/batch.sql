-- What PostGIS does with each batch, after it is COPYed into pa_import_raw (see writer.py): every
-- statement below runs in this order, in the batch's transaction, with the parameters
-- %(source)s (the data set's name) and %(tolerance)s (of the display geometry, in degrees).
-- Each statement starts at a "-- name:" line; other lines starting with "--" are comments and are
-- not sent. {braced} names are filled in from columns.STAGE_COLUMNS when the file is loaded, so
-- that the attribute columns are listed in one place.

-- name: duplicates
-- Keys seen earlier in this file, or twice in this batch: the first one wins. A reject is a code
-- here (writer.REJECTS words it in the importing person's language).
INSERT INTO pa_import_prep (n, key, reject, duplicate_of)
SELECT r.n, r.key, 'duplicate', coalesce(s.n, d.first_n)
FROM pa_import_raw r
LEFT JOIN pa_import_seen s ON s.key = r.key
LEFT JOIN (SELECT key, min(n) AS first_n FROM pa_import_raw GROUP BY key) d ON d.key = r.key
WHERE s.key IS NOT NULL OR d.first_n <> r.n

-- name: seen
INSERT INTO pa_import_seen (key, n)
SELECT r.key, r.n FROM pa_import_raw r
WHERE NOT EXISTS (SELECT 1 FROM pa_import_prep p WHERE p.n = r.n)

-- name: prepare_as_sent
-- Most features of a file: a new or changed boundary that the reader found valid, 2D, without
-- curves, polygons and nothing else. It is stored as the file has it, so it is not kept here
-- (`geom_as_sent`: later statements read it again from the batch's WKB, writer.py's `boundary`),
-- and its area is the one the reader measured (reader._areas), or else computed here: most
-- boundaries are not even parsed here. Everything else goes through the next statement. Written
-- apart because PostgreSQL hands a value computed in a LATERAL step to the next step as a copy per
-- reference: the general statement's chain of steps cost three times this one over the benchmark
-- file's boundaries.
--
-- The area is on the WGS 84 ellipsoid. For ordinary sites it is the planar area in EPSG:6933, an
-- equal-area projection of the ellipsoid: it agrees with ST_Area(geography) to 4e-6 over the
-- benchmark file and at worst 3e-4 (0.03 percent) on the real samples (long straight edges differ
-- most), and is five times faster; the geodesic area was most of the import time. Sites spanning
-- more than a few degrees with long edges (where straight-in-the-projection and geodesic edges part
-- ways) or beyond the projection's range (polar, across the antimeridian) use the geodesic
-- ST_Area(geography): writer.py's `area_km2` and PLANAR_AREA_LIMITS. The reader measures the planar
-- area itself where it can (`reader_area_km2`, the same figure): reprojecting every vertex here
-- through PROJ was a quarter of PostgreSQL's time in a first import.
INSERT INTO pa_import_prep
    (n, key, reject, pa_id, repaired, geom_same, attrs_same, geom_as_sent, geom, point, area_km2, geom_hash)
SELECT r.n, r.key, NULL, pa.id, false, legacy.same,
    ROW({attr_row_pa}) IS NOT DISTINCT FROM ROW({attr_row_raw}),
    true, NULL, NULL,
    CASE WHEN NOT legacy.same THEN
        coalesce(r.reader_area_km2, (SELECT {area_km2} FROM (SELECT ST_GeomFromWKB(r.wkb, 4326) AS g) parsed))
    END,
    r.geom_hash
FROM pa_import_raw r
LEFT JOIN LATERAL (
    SELECT * FROM protected_areas_protectedarea stored WHERE stored.key = r.key OFFSET 0
) pa ON true
-- An area stored before boundaries were hashed: compared with the stored boundary itself.
CROSS JOIN LATERAL (
    SELECT pa.id IS NOT NULL AND pa.geom_hash IS NULL AND pa.point IS NULL
           AND pa.geom IS NOT DISTINCT FROM ST_Multi(ST_GeomFromWKB(r.wkb, 4326)) AS same
) legacy
-- The reader checks only 2D polygons and multipolygons, neither empty nor with a short ring (reader.py's
-- `_ogr_geometry`), so the boundary is not parsed here: the WKB's first bytes (read without the rest
-- of it) say little-endian Polygon or MultiPolygon, which rules out curves, Z and M as well.
WHERE r.kind = 'polygon' AND r.valid AND r.wkb IS NOT NULL
    AND substring(r.wkb FROM 1 FOR 5) IN ('\x0103000000'::bytea, '\x0106000000'::bytea)
    AND NOT coalesce(pa.geom_hash = r.geom_hash, false)
    AND NOT EXISTS (SELECT 1 FROM pa_import_prep p WHERE p.n = r.n)

-- name: prepare
-- The other features, one pass each. A boundary whose WKB hashes like the stored one is the same
-- boundary: nothing geometric is done for it (the client did not even send it). Otherwise: repair,
-- extract the polygons, compare with what is stored (areas imported before hashes existed),
-- and compute the area. `OFFSET 0` keeps PostgreSQL from inlining the LATERAL steps, which would
-- re-run the validity check and repair per reference.
INSERT INTO pa_import_prep
    (n, key, reject, pa_id, repaired, geom_same, attrs_same, geom_as_sent, geom, point, area_km2, geom_hash)
SELECT r.n, r.key,
    CASE WHEN r.wkb IS NULL AND NOT h.same THEN 'changed_meanwhile'
         WHEN NOT h.same AND r.kind = 'polygon' AND (c.geom IS NULL OR ST_IsEmpty(c.geom)) THEN 'no_area' END,
    pa.id, CASE WHEN h.same THEN pa.geom_repaired ELSE v.repaired END, s.geom_same,
    ROW({attr_row_pa}) IS NOT DISTINCT FROM ROW({attr_row_raw}),
    false, c.geom, c.point,
    CASE WHEN NOT s.geom_same AND c.geom IS NOT NULL THEN (SELECT {area_km2} FROM (SELECT c.geom AS g) area_input) END,
    r.geom_hash
FROM pa_import_raw r
-- The stored area is looked up by its key's index, one probe per feature (OFFSET 0 keeps the
-- subquery a per-row lookup): a hash join reads the whole table once per batch, which grows with
-- the table (quadratic over a 100,000-feature file) and is what the planner picks on the stale
-- row estimates of a table this import is filling.
LEFT JOIN LATERAL (
    SELECT * FROM protected_areas_protectedarea stored WHERE stored.key = r.key OFFSET 0
) pa ON true
CROSS JOIN LATERAL (
    -- The reader leaves the WKB out where the stored hash was the file's (reader._check_validity);
    -- the hash is compared again here, in the batch's transaction, in case another import changed it.
    SELECT pa.id IS NOT NULL AND coalesce(pa.geom_hash = r.geom_hash, false) AS same
) h
CROSS JOIN LATERAL (
    SELECT CASE WHEN ST_HasArc(g0.g) THEN ST_CurveToLine(g0.g) ELSE g0.g END AS g
    FROM (
        SELECT CASE WHEN NOT h.same THEN ST_Force2D(ST_GeomFromWKB(r.wkb, 4326)) END AS g
    ) g0 OFFSET 0
) g1
CROSS JOIN LATERAL (
    SELECT r.kind = 'polygon' AND NOT coalesce(r.valid, ST_IsValid(g1.g)) AS repaired OFFSET 0
) v
CROSS JOIN LATERAL (
    SELECT
        CASE WHEN r.kind = 'polygon' THEN
            CASE WHEN v.repaired OR GeometryType(g1.g) <> 'MULTIPOLYGON'
                 THEN ST_Multi(ST_CollectionExtract(
                      CASE WHEN v.repaired THEN ST_MakeValid(g1.g) ELSE g1.g END, 3))
                 ELSE g1.g END
        END AS geom,
        CASE WHEN r.kind = 'point' THEN ST_GeometryN(ST_Multi(g1.g), 1) END AS point
    OFFSET 0
) c
CROSS JOIN LATERAL (
    SELECT h.same OR (
        pa.id IS NOT NULL AND pa.geom_hash IS NULL
        AND pa.geom IS NOT DISTINCT FROM c.geom AND pa.point IS NOT DISTINCT FROM c.point
    ) AS geom_same
    OFFSET 0
) s
WHERE NOT EXISTS (SELECT 1 FROM pa_import_prep p WHERE p.n = r.n)

-- name: create_new
-- New areas, each with version 1 of its boundary history. The version holds no copy of the
-- boundary: a version with neither geom nor point is the area's current boundary, stored once on
-- the area (migration 0010's trigger copies it into the version when the area's boundary changes).
WITH created AS (
    INSERT INTO protected_areas_protectedarea
        ({attr_columns}, geom, point, area_km2, geom_display, geom_hash, geom_repaired,
         source, created_at, updated_at)
    SELECT {attr_values_raw}, b.geom, p.point, p.area_km2, {display},
        p.geom_hash, p.repaired, %(source)s, now(), now()
    FROM pa_import_prep p JOIN pa_import_raw r ON r.n = p.n
    CROSS JOIN LATERAL (SELECT {boundary} AS geom OFFSET 0) b
    WHERE p.reject IS NULL AND p.pa_id IS NULL
    RETURNING id, area_km2
)
INSERT INTO protected_areas_boundaryversion
    (protected_area_id, version, geom, point, area_km2, area_change_km2, shift_km, source, created_at)
SELECT id, 1, NULL, NULL, area_km2, NULL, NULL, %(source)s, now() FROM created

-- name: history_changed
-- Boundary history of a changed boundary: the next version with its area change and how far it
-- moved (Hausdorff distance in an equidistant projection centred on the old boundary, so that it
-- is in metres wherever on Earth the site is). `update_changed` then moves the area to it, and
-- the trigger gives the version it replaces the old boundary.
-- %% is a literal percent sign for the driver: format() receives %s.
INSERT INTO protected_areas_boundaryversion
    (protected_area_id, version, geom, point, area_km2, area_change_km2, shift_km, source, created_at)
SELECT pa.id,
    coalesce((SELECT max(b.version) FROM protected_areas_boundaryversion b WHERE b.protected_area_id = pa.id), 0)
        + 1,
    b.geom, p.point, p.area_km2, p.area_km2 - pa.area_km2,
    CASE
        WHEN pa.geom IS NOT NULL AND b.geom IS NOT NULL THEN
            ST_HausdorffDistance(ST_Transform(pa.geom, proj.aeqd), ST_Transform(b.geom, proj.aeqd)) / 1000
        WHEN pa.point IS NOT NULL AND p.point IS NOT NULL THEN
            ST_Distance(pa.point::geography, p.point::geography) / 1000
    END,
    %(source)s, now()
FROM pa_import_prep p
JOIN pa_import_raw r ON r.n = p.n
JOIN protected_areas_protectedarea pa ON pa.id = p.pa_id
CROSS JOIN LATERAL (SELECT {boundary} AS geom OFFSET 0) b
CROSS JOIN LATERAL (
    SELECT format('+proj=aeqd +lat_0=%%s +lon_0=%%s +datum=WGS84 +units=m +no_defs',
                  ST_Y(ST_PointOnSurface(coalesce(pa.geom, pa.point))),
                  ST_X(ST_PointOnSurface(coalesce(pa.geom, pa.point)))) AS aeqd
) proj
WHERE p.reject IS NULL AND NOT p.geom_same

-- name: update_changed
-- Changed areas: new attributes, and the new boundary only where it changed.
UPDATE protected_areas_protectedarea pa SET
    {attr_set},
    geom = CASE WHEN p.geom_same THEN pa.geom ELSE b.geom END,
    point = CASE WHEN p.geom_same THEN pa.point ELSE p.point END,
    area_km2 = CASE WHEN p.geom_same THEN pa.area_km2 ELSE p.area_km2 END,
    geom_display = CASE WHEN p.geom_same THEN pa.geom_display ELSE {display} END,
    geom_hash = p.geom_hash,
    geom_repaired = p.repaired,
    source = %(source)s,
    updated_at = now()
FROM pa_import_prep p JOIN pa_import_raw r ON r.n = p.n
CROSS JOIN LATERAL (SELECT CASE WHEN NOT p.geom_same THEN {boundary} END AS geom OFFSET 0) b
WHERE pa.id = p.pa_id AND p.reject IS NULL AND NOT (p.geom_same AND p.attrs_same)

-- name: remember_hash
-- Areas stored before boundaries were hashed and found unchanged: remember the hash, so the
-- next import skips them cheaply, without calling them updated.
UPDATE protected_areas_protectedarea pa SET geom_hash = p.geom_hash, geom_repaired = p.repaired
FROM pa_import_prep p
WHERE pa.id = p.pa_id AND p.reject IS NULL AND p.geom_same AND p.attrs_same AND pa.geom_hash IS NULL
