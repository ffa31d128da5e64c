# Issue 19: the low-zoom overview boundary was a column PostgreSQL generated on every write of an
# area's display boundary: 9 % of a first import's time, for a boundary only the low-zoom map reads.
# It now has a table of its own (AreaOverview), filled with the map's other generalised layers
# (map_cells.refresh_overviews, which the import's follow-up and every remaking of the map run first).
# An area without a row is waiting for its overview: this database deletes the row when the area's
# display boundary changes (the vacated-box trigger of migration 0012, which already compares the old
# and new boundaries, now does it too) and with the area (ON DELETE CASCADE, so TRUNCATE ... CASCADE
# and raw deletions clear it as well). The existing overviews, made from the current boundaries, are
# kept.

import django.contrib.gis.db.models.fields
import django.db.models.deletion
from django.db import migrations, models

AREAS = "protected_areas_protectedarea"
OVERVIEWS = "protected_areas_areaoverview"

KEEP_AND_LINK = f"""
-- Checked at once, not at commit as Django's keys are: rows inserted under a deferred key leave trigger
-- events pending, and PostgreSQL then refuses the index Django creates at the end of this migration.
ALTER TABLE {OVERVIEWS} ADD CONSTRAINT pa_overview_area_fk FOREIGN KEY (area_id) REFERENCES {AREAS} (id)
    ON DELETE CASCADE;
-- Written once, read by every low-zoom tile: stored as is, like the areas' boundaries (0002, 0013).
ALTER TABLE {OVERVIEWS} ALTER COLUMN geom SET STORAGE EXTERNAL;
INSERT INTO {OVERVIEWS} (area_id, geom) SELECT id, geom_overview FROM {AREAS};
"""

VACATED_BOX_AND_STALE_OVERVIEW = f"""
CREATE OR REPLACE FUNCTION protected_area_remember_vacated_box() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.geom_display IS DISTINCT FROM NEW.geom_display THEN
        DELETE FROM {OVERVIEWS} WHERE area_id = NEW.id;
    ELSIF OLD.point IS NOT DISTINCT FROM NEW.point THEN
        RETURN NULL;
    END IF;
    INSERT INTO protected_areas_vacatedareabox (west, south, east, north, vacated_at)
    SELECT ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b), now()
    FROM (SELECT coalesce(OLD.geom_display, OLD.point)::box2d AS b) box
    WHERE b IS NOT NULL;
    RETURN NULL;
END
$$;
"""
VACATED_BOX_ONLY = """
CREATE OR REPLACE FUNCTION protected_area_remember_vacated_box() RETURNS trigger LANGUAGE plpgsql AS $$
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
"""


class Migration(migrations.Migration):
    dependencies = [
        ("protected_areas", "0013_overview_stored_uncompressed"),
    ]

    operations = [
        migrations.CreateModel(
            name="AreaOverview",
            fields=[
                (
                    "area",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="protected_areas.protectedarea",
                    ),
                ),
                ("geom", django.contrib.gis.db.models.fields.MultiPolygonField(null=True, srid=3857)),
            ],
        ),
        migrations.RunSQL(KEEP_AND_LINK, migrations.RunSQL.noop),
        migrations.RunSQL(VACATED_BOX_AND_STALE_OVERVIEW, VACATED_BOX_ONLY),
        migrations.RemoveIndex(
            model_name="protectedarea",
            name="pa_overview_gist",
        ),
        migrations.RemoveField(
            model_name="protectedarea",
            name="geom_overview",
        ),
    ]
