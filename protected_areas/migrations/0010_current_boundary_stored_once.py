# Issue 19: an area's current boundary is stored once, on the area. Its newest BoundaryVersion used to
# hold a second copy of it, written by every first import (a third of a 10,000-polygon import's
# database writes went to that copy) and kept for years beside the area's own. From here a version
# whose geom and point are both NULL is "the area's current boundary" (BoundaryVersion.boundary and
# BoundaryVersion.objects.with_boundary() read it so); the trigger below copies the boundary into
# such a version the moment the area's boundary changes, whoever changes it (the importer, the ORM,
# QuerySet.update, raw SQL), so every older version keeps the boundary it had. Versions stored
# before this migration keep their copy: both forms read the same.

from django.db import migrations

# The boundaries are compared in the function's body, not in the trigger's WHEN: pg_dump writes a
# WHEN clause out with the session's search_path emptied, where PostGIS's `=` on geometry is not
# found ("operator is not unique"), and the restore of a backup would fail.
CREATE = """
CREATE FUNCTION protected_area_keep_superseded_boundary() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.geom IS DISTINCT FROM NEW.geom OR OLD.point IS DISTINCT FROM NEW.point THEN
        UPDATE protected_areas_boundaryversion
        SET geom = OLD.geom, point = OLD.point
        WHERE protected_area_id = OLD.id AND geom IS NULL AND point IS NULL;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER protected_area_keep_superseded_boundary
    BEFORE UPDATE OF geom, point ON protected_areas_protectedarea
    FOR EACH ROW
    EXECUTE FUNCTION protected_area_keep_superseded_boundary();
"""

DROP = """
UPDATE protected_areas_boundaryversion v SET geom = pa.geom, point = pa.point
FROM protected_areas_protectedarea pa
WHERE v.protected_area_id = pa.id AND v.geom IS NULL AND v.point IS NULL;
DROP TRIGGER IF EXISTS protected_area_keep_superseded_boundary ON protected_areas_protectedarea;
DROP FUNCTION IF EXISTS protected_area_keep_superseded_boundary();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("protected_areas", "0009_search_name_stored"),
    ]

    operations = [migrations.RunSQL(CREATE, DROP)]
