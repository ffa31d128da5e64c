# Issue 19: small areas as points at low zooms (protected_areas.map_cells), one row per pixel cell.

import django.contrib.gis.db.models.fields
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("protected_areas", "0006_name_search_unaccent"),
    ]

    operations = [
        migrations.CreateModel(
            name="MapCell",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("level", models.PositiveSmallIntegerField()),
                ("x", models.IntegerField()),
                ("y", models.IntegerField()),
                ("areas", models.PositiveIntegerField()),
                ("point", django.contrib.gis.db.models.fields.PointField(srid=3857)),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("level", "x", "y"), name="pa_map_cell_unique")],
            },
        ),
    ]
