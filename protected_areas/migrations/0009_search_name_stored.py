# Issue 19: name search under 100 ms on a whole WDPA release. The folded names become a stored
# generated column with its own trigram index, replacing 0006's index on the expression: a trigram
# index's matches are rechecked against the text, and with the expression index that recheck ran
# unaccent on every candidate (15,000 rows for "phong dien", twice per page: count and rows).
# Adding the column rewrites the table once (about half a minute for 300,000 areas).
#
# pa_name_order (the list's (name, id) order) also holds the folded names (INCLUDE), so a search
# page's ids are picked by an index-only walk that tests each entry's names without reading its row
# (protected_areas.pagination.NameSearchPaginator). Index-only scans need the visibility map: after
# this migration on a large table, `VACUUM ANALYZE protected_areas_protectedarea` (autovacuum gets
# there on its own, later).

import django.contrib.postgres.indexes
from django.db import migrations, models

import protected_areas.models


class Migration(migrations.Migration):
    dependencies = [
        ("protected_areas", "0008_low_zoom_tiles"),
    ]

    operations = [
        migrations.RunSQL(
            "DROP INDEX IF EXISTS pa_search_text_trgm",
            "CREATE INDEX pa_search_text_trgm ON protected_areas_protectedarea "
            "USING gin (protected_area_search_text(name, orig_name, name_eng) gin_trgm_ops)",
        ),
        migrations.AddField(
            model_name="protectedarea",
            name="search_name",
            field=models.GeneratedField(
                db_persist=True,
                expression=protected_areas.models._SearchName(
                    models.F("name"), models.F("orig_name"), models.F("name_eng")
                ),
                output_field=models.TextField(),
            ),
        ),
        migrations.RunSQL(
            "DROP INDEX IF EXISTS pa_name_order; "
            "CREATE INDEX pa_name_order ON protected_areas_protectedarea (name, id) INCLUDE (search_name)",
            "DROP INDEX IF EXISTS pa_name_order; CREATE INDEX pa_name_order ON protected_areas_protectedarea (name, id)",
        ),
        migrations.AddIndex(
            model_name="protectedarea",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["search_name"], name="pa_search_name_trgm", opclasses=["gin_trgm_ops"]
            ),
        ),
    ]
