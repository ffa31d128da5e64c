# Issue 19: protected-area name search that ignores case and accents ("Phong Dien" finds
# "Phong Điền"), fast on a whole WDPA release (300,000 areas).
#
# unaccent() is only STABLE (its dictionary could change), so an index cannot use it directly:
# `greenlist_fold` is the IMMUTABLE wrapper. PostgreSQL's unaccent.rules maps Đ/đ to D/d and drops
# combining marks (so a decomposed "e" + grave folds as "è" does); checked on 15, and
# protected_areas/tests/test_name_search.py fails on a server whose rules lack them.
# `protected_area_search_text` is the one text searched (published, original and English names),
# so one trigram index serves the three names and the query's expression matches the index's. Its
# body repeats the fold rather than calling greenlist_fold: a SQL function calling another is not
# inlined, and the trigram index's recheck runs it on every candidate row (5 times slower nested).
# pa_name_order: the list's order (name, id), so a page of 300,000 areas is read from an index
# rather than sorted whole on every request.

from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations

FOLD = """
CREATE OR REPLACE FUNCTION greenlist_fold(value text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, value)) $$;

CREATE OR REPLACE FUNCTION protected_area_search_text(name text, orig_name text, name_eng text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT lower(public.unaccent('public.unaccent'::regdictionary, concat_ws(' ', name, orig_name, name_eng)))
$$;
"""

INDEX = (
    "CREATE INDEX pa_search_text_trgm ON protected_areas_protectedarea "
    "USING gin (protected_area_search_text(name, orig_name, name_eng) gin_trgm_ops)"
)


class Migration(migrations.Migration):
    dependencies = [
        ("protected_areas", "0005_basemap_place"),
    ]

    operations = [
        UnaccentExtension(),
        migrations.RunSQL(
            FOLD,
            "DROP FUNCTION IF EXISTS protected_area_search_text(text, text, text); "
            "DROP FUNCTION IF EXISTS greenlist_fold(text);",
        ),
        migrations.RunSQL(INDEX, "DROP INDEX IF EXISTS pa_search_text_trgm"),
        migrations.RunSQL(
            "CREATE INDEX pa_name_order ON protected_areas_protectedarea (name, id)",
            "DROP INDEX IF EXISTS pa_name_order",
        ),
    ]
