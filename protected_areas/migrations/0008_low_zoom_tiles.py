# Issue 19: zooms 0-5 made when areas are written (protected_areas.low_zoom_tiles), one row per tile;
# an index for the tiles' point-only areas.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("protected_areas", "0007_map_cells"),
    ]

    operations = [
        migrations.CreateModel(
            name="LowZoomTile",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("z", models.PositiveSmallIntegerField()),
                ("x", models.IntegerField()),
                ("y", models.IntegerField()),
                ("data", models.BinaryField()),
                ("made_at", models.DateTimeField()),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("z", "x", "y"), name="pa_low_zoom_tile_unique")],
            },
        ),
        # Every tile asks for the areas known by a point only (layer `area_points`): without this index
        # PostgreSQL read the whole boundary index for `geom IS NULL`, 15-75 ms a tile at 300,000 areas.
        # In SQL: Django's PostGIS schema editor drops the condition of a spatial index.
        migrations.RunSQL(
            "CREATE INDEX pa_point_only_gist ON protected_areas_protectedarea USING gist (point) WHERE geom IS NULL",
            reverse_sql="DROP INDEX pa_point_only_gist",
        ),
    ]
