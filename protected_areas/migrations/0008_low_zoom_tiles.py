# Issue 19: zooms 0-5 made when areas are written (protected_areas.low_zoom_tiles), one row per tile.

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
    ]
