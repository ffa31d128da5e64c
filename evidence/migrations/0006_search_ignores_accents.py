# Issue 19: evidence full-text search ignores accents ("dien" finds "Điền", "foret" finds "forêt").
#
# A text search configuration of our own: `simple` (no language's stemming: evidence is in many
# languages) with the unaccent dictionary before it, so words are folded when the vector is written
# and when the query is parsed, by the same rules. The existing vectors are rewritten once here
# (evidence.search.update_search_vectors' statement over every row).

from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations

CONFIG = """
CREATE TEXT SEARCH CONFIGURATION greenlist_search (COPY = pg_catalog.simple);
ALTER TEXT SEARCH CONFIGURATION greenlist_search
    ALTER MAPPING FOR word, hword, hword_part, asciiword, asciihword, hword_asciipart
    WITH public.unaccent, pg_catalog.simple;
"""

REWRITE = """
UPDATE evidence_processing_evidencefacts f
SET search = setweight(to_tsvector('{config}'::regconfig, COALESCE(i.title, '')), 'A')
          || setweight(to_tsvector('{config}'::regconfig, COALESCE(f.text, '')), 'B')
FROM evidence_evidenceitem i
WHERE i.id = f.item_id AND f.search IS NOT NULL
"""


class Migration(migrations.Migration):
    dependencies = [
        ("evidence", "0005_resumable_uploads_and_device_capture"),
    ]

    operations = [
        UnaccentExtension(),
        migrations.RunSQL(CONFIG, "DROP TEXT SEARCH CONFIGURATION IF EXISTS greenlist_search"),
        migrations.RunSQL(REWRITE.format(config="greenlist_search"), REWRITE.format(config="simple")),
    ]
