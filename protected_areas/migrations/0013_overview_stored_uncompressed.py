# Issue 19: the low-zoom overview boundary (a generated column, migration 0003) was the one geometry
# of an area still stored with PostgreSQL's default for geometry, which tries pglz on every value:
# 2 % of the database's CPU in a first import (perf), for boundaries that hardly compress. Stored
# uncompressed, like the boundary and the display boundary (0002). Existing values stay as they are.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("protected_areas", "0012_map_sweep_sees_every_writer"),
    ]

    operations = [
        migrations.RunSQL(
            "ALTER TABLE protected_areas_protectedarea ALTER COLUMN geom_overview SET STORAGE EXTERNAL",
            "ALTER TABLE protected_areas_protectedarea ALTER COLUMN geom_overview SET STORAGE MAIN",
        )
    ]
