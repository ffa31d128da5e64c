# Issue 19: the trigram index on `name` alone has served no query since name search moved to the
# folded `search_name` (0009, with its own trigram index): every import still kept it up to date,
# a twentieth of a first import's time, and a whole WDPA release's names twice over on disk.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("protected_areas", "0010_current_boundary_stored_once"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="protectedarea",
            name="pa_name_trgm",
        ),
    ]
