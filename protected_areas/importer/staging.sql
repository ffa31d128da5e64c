-- The importer's staging tables, and what it asks them around each batch (see writer.py).
-- Each statement starts at a "-- name:" line; other lines starting with "--" are comments and are
-- not sent. {braced} names are filled in from columns.STAGE_COLUMNS when the file is loaded.

-- name: create
-- One set of temporary tables per import (per connection): pa_import_raw holds the batch as
-- COPYed, pa_import_seen every identity met so far in the file, pa_import_prep the batch after
-- repair and comparison (a boundary only where repair or conversion changed it: batch.sql).
-- Staging tables keep geometries uncompressed (EXTERNAL): pglz compression of every boundary on
-- each write was a third of the import time.
CREATE TEMP TABLE IF NOT EXISTS pa_import_raw ({stage_columns});
ALTER TABLE pa_import_raw ALTER COLUMN wkb SET STORAGE EXTERNAL;
CREATE TEMP TABLE IF NOT EXISTS pa_import_seen (key text PRIMARY KEY, n integer);
CREATE TEMP TABLE IF NOT EXISTS pa_import_prep (
    n integer, key text, reject text, duplicate_of integer, pa_id bigint, repaired boolean, geom_same boolean, attrs_same boolean,
    geom_as_sent boolean, geom geometry(MultiPolygon, 4326), point geometry(Point, 4326), area_km2 double precision,
    geom_hash bytea
);
ALTER TABLE pa_import_prep ALTER COLUMN geom SET STORAGE EXTERNAL;
TRUNCATE pa_import_raw, pa_import_seen, pa_import_prep;

-- name: drop
DROP TABLE IF EXISTS pa_import_raw, pa_import_seen, pa_import_prep

-- name: stored_hashes
-- Boundaries whose hash matches the stored one are not sent again: a re-import of an unchanged
-- national file moves attributes only.
SELECT key, geom_hash FROM protected_areas_protectedarea WHERE key = ANY(%s) AND geom_hash IS NOT NULL

-- name: empty
TRUNCATE pa_import_raw, pa_import_prep

-- name: copy
COPY pa_import_raw ({stage_column_names}) FROM STDIN (FORMAT BINARY)

-- name: outcomes
-- created, updated, unchanged, repaired: in the order of writer.write_batch.
SELECT
    count(*) FILTER (WHERE reject IS NULL AND pa_id IS NULL),
    count(*) FILTER (WHERE reject IS NULL AND pa_id IS NOT NULL AND NOT (geom_same AND attrs_same)),
    count(*) FILTER (WHERE reject IS NULL AND pa_id IS NOT NULL AND geom_same AND attrs_same),
    count(*) FILTER (WHERE reject IS NULL AND repaired)
FROM pa_import_prep

-- name: rejects
-- (feature, writer.REJECTS code, the feature it repeats, identity)
SELECT n, reject, duplicate_of, key FROM pa_import_prep WHERE reject IS NOT NULL ORDER BY n
