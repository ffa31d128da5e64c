"""The database flush after each test that commits (a browser test, a worker test), made cheap.

Django empties the database after such a test with one TRUNCATE of every table (93 here). TRUNCATE
gives each table, its indexes and its TOAST table new files, which PostgreSQL creates and syncs at
commit whether the table held rows or not: 0.4–1 s per test on these machines, minutes of the slow
group. After any one test most tables are empty and the rest hold a few rows, which DELETE removes
without touching a file. So the flush here is one statement, in the flush's own transaction:

- every table is first locked as TRUNCATE would lock it (ACCESS EXCLUSIVE), so a request or worker
  still writing when the test ends is waited for and its rows are seen, exactly as before;
- a table holding rows is emptied by DELETE (foreign keys are all deferred to the commit, so the
  order does not matter), and the pass repeats while a trigger's writes (the map's vacated boxes,
  the evidence status counts) leave rows behind;
- TRUNCATE stays for a table that refuses DELETE (the append-only audit trail) and for one holding
  many rows (an import's), where it is the cheaper of the two; CASCADE takes the tables referencing
  them, as Django's own flush would have emptied them too.

The outcome is Django's: every table empty, then post_migrate makes content types and permissions
again. With reset_sequences (no test here asks for it) Django's own statement runs.
"""

from django.contrib.gis.db.backends.postgis.operations import PostGISOperations

_djangos_sql_flush = PostGISOperations.sql_flush

# Above this many rows TRUNCATE's fixed cost is cheaper than DELETE's per row.
DELETE_AT_MOST = 1000

FLUSH = """
DO $flush$
DECLARE
    tables text[] := %(tables)s;
    to_truncate text[] := '{}';
    name text;
    held integer;
    pass integer;
    deleted boolean;
BEGIN
    EXECUTE 'LOCK TABLE ' || (SELECT string_agg(format('%%I', t), ', ') FROM unnest(tables) t)
        || ' IN ACCESS EXCLUSIVE MODE';
    SET CONSTRAINTS ALL DEFERRED;
    FOR pass IN 1..5 LOOP
        deleted := false;
        FOREACH name IN ARRAY tables LOOP
            CONTINUE WHEN name = ANY (to_truncate);
            EXECUTE format('SELECT count(*) FROM (SELECT FROM %%I LIMIT %(at_most)s + 1) sample', name) INTO held;
            CONTINUE WHEN held = 0;
            IF held > %(at_most)s OR EXISTS (
                SELECT FROM pg_trigger
                WHERE tgrelid = name::regclass AND NOT tgisinternal
                    AND tgtype & 2 <> 0 AND tgtype & 8 <> 0  -- BEFORE DELETE: it may refuse
            ) THEN
                to_truncate := to_truncate || name;
            ELSE
                EXECUTE format('DELETE FROM %%I', name);
                deleted := true;
            END IF;
        END LOOP;
        EXIT WHEN NOT deleted;
    END LOOP;
    IF cardinality(to_truncate) > 0 THEN
        EXECUTE 'TRUNCATE ' || (SELECT string_agg(format('%%I', t), ', ') FROM unnest(to_truncate) t)
            || ' CASCADE';
    END IF;
END
$flush$
"""


def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
    if not tables or reset_sequences:
        return _djangos_sql_flush(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
    array = "ARRAY[" + ", ".join(_literal(table) for table in tables) + "]::text[]"
    return [FLUSH % {"tables": array, "at_most": DELETE_AT_MOST}]


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def install() -> None:
    PostGISOperations.sql_flush = sql_flush
