# Issue 19: the map's sweep (services.remake_stale_maps, every ten minutes on beat) puts right the
# stored low zooms under writes whose remaking was lost. It found those writes by `updated_at`, which
# two kinds of writer left no trace in: QuerySet.update() and raw SQL (Django's auto_now is the ORM's,
# not the database's), and deletions (the row is gone); and an area moved by a writer that keeps no
# boundary history left its old place unknown. The database now keeps all three, whoever writes: a
# write of anything a tile shows stamps `updated_at` unless the writer set it itself, and a deletion
# or a new boundary leaves the box the area had in VacatedAreaBox (deletions in one statement-level
# trigger: a bulk delete is one insert). Geometries are compared in the functions' bodies, never in a
# trigger's WHEN (migration 0010 says why).

import django.db.models.functions.datetime
from django.db import migrations, models

TRIGGERS = """
CREATE FUNCTION protected_area_stamp_tile_write() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.name IS DISTINCT FROM NEW.name OR OLD.iucn_category IS DISTINCT FROM NEW.iucn_category
       OR OLD.wdpa_id IS DISTINCT FROM NEW.wdpa_id OR OLD.point IS DISTINCT FROM NEW.point
       OR OLD.geom_display IS DISTINCT FROM NEW.geom_display OR OLD.geom IS DISTINCT FROM NEW.geom THEN
        NEW.updated_at := now();
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER protected_area_stamp_tile_write
    BEFORE UPDATE OF geom, geom_display, point, name, iucn_category, wdpa_id ON protected_areas_protectedarea
    FOR EACH ROW
    WHEN (NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at)
    EXECUTE FUNCTION protected_area_stamp_tile_write();

CREATE FUNCTION protected_area_remember_deleted_boxes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO protected_areas_vacatedareabox (west, south, east, north, vacated_at)
    SELECT ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b), now()
    FROM (SELECT coalesce(geom_display, point)::box2d AS b FROM gone) boxes
    WHERE b IS NOT NULL;
    RETURN NULL;
END
$$;
CREATE TRIGGER protected_area_remember_deleted_boxes
    AFTER DELETE ON protected_areas_protectedarea
    REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION protected_area_remember_deleted_boxes();

CREATE FUNCTION protected_area_remember_vacated_box() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.geom_display IS DISTINCT FROM NEW.geom_display OR OLD.point IS DISTINCT FROM NEW.point THEN
        INSERT INTO protected_areas_vacatedareabox (west, south, east, north, vacated_at)
        SELECT ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b), now()
        FROM (SELECT coalesce(OLD.geom_display, OLD.point)::box2d AS b) box
        WHERE b IS NOT NULL;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER protected_area_remember_vacated_box
    AFTER UPDATE OF geom_display, point ON protected_areas_protectedarea
    FOR EACH ROW
    EXECUTE FUNCTION protected_area_remember_vacated_box();
"""

DROP_TRIGGERS = """
DROP TRIGGER IF EXISTS protected_area_remember_vacated_box ON protected_areas_protectedarea;
DROP FUNCTION IF EXISTS protected_area_remember_vacated_box();
DROP TRIGGER IF EXISTS protected_area_remember_deleted_boxes ON protected_areas_protectedarea;
DROP FUNCTION IF EXISTS protected_area_remember_deleted_boxes();
DROP TRIGGER IF EXISTS protected_area_stamp_tile_write ON protected_areas_protectedarea;
DROP FUNCTION IF EXISTS protected_area_stamp_tile_write();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("protected_areas", "0011_drop_unused_name_trigram_index"),
    ]

    operations = [
        migrations.CreateModel(
            name="VacatedAreaBox",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("west", models.FloatField()),
                ("south", models.FloatField()),
                ("east", models.FloatField()),
                ("north", models.FloatField()),
                (
                    "vacated_at",
                    models.DateTimeField(db_default=django.db.models.functions.datetime.Now(), db_index=True),
                ),
            ],
        ),
        migrations.RunSQL(TRIGGERS, DROP_TRIGGERS),
    ]
