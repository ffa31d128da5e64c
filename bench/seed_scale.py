"""A database at the programme's whole size (issue 19): 300,000 protected areas, 3,000 assessments
(50 answers each, reviews, decisions, certificates, scores) and 1,000,000 evidence items with their
facts and search vectors, for bench/bench_scale_pages.py.

    .venv/bin/python bench/seed_scale.py            # (re)build it, print the build time
    .venv/bin/python bench/seed_scale.py --reuse    # keep a database already built (migrated again)

Set-based: the 3,000 assessments come from reports.tests.portfolio (bulk_create), everything
counted in hundreds of thousands is one INSERT … SELECT over generate_series each, cloning one
template row made through the ORM (so every column the model requires gets a valid value) and
overriding the columns that vary. The database (test settings, GREENLIST_TEST_DB, default
bench_greenlist_scale) is kept afterwards: rebuilding it takes minutes.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "greenlist.settings_test")
os.environ.setdefault("GREENLIST_TEST_DB", "bench_greenlist_scale")
os.environ.setdefault("MEDIA_ROOT", str(ROOT / "var" / "bench-scale-media"))

AREAS, ASSESSMENTS, EVIDENCE = 300_000, 3_000, 1_000_000

# Names in the languages the programme works in, accents and Đ included, for the name search.
FIRST = [
    "Phong Điền", "Bạch Mã", "Cúc Phương", "Đà Lạt", "Sơn Trà", "Cát Tiên", "Forêt de Brocéliande",
    "Cévennes", "Écrins", "Doñana", "Sierra Nevada", "Picos de Europa", "Montseny", "Lago Titicaca",
    "Kakadu", "Serengeti", "Yellowstone", "Białowieża", "Hohe Tauern", "Plitvička jezera",
]  # fmt: skip
SECOND = [
    "Vườn quốc gia", "Khu bảo tồn", "Réserve naturelle", "Parc national", "Parque Nacional",
    "Reserva Natural", "Nature Reserve", "Marine Park", "Wetland", "Forest Reserve",
]  # fmt: skip
WORDS = [
    "rừng", "chim", "sếu", "đầm lầy", "forêt", "espèces", "oiseaux", "zone humide", "bosque", "aves",
    "humedal", "especies", "survey", "patrol", "camera", "wetland", "report", "mangrove", "coral", "turtle",
]  # fmt: skip


def _array(values: list[str]) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        literal = cursor.mogrify("(%s::text[])", [values])
    return literal.decode() if isinstance(literal, bytes) else literal


def clone(model, template_pk: int, count_sql: str, overrides: dict[str, str], source: str = "") -> int:
    """INSERT `model` rows copying the template row `t`, one per `g` in generate_series(1, count),
    with `overrides` (column → SQL expression over t, g and `source`'s relations). Returns rows made."""
    from django.db import connection

    qn = connection.ops.quote_name
    columns, values = [], []
    for field in model._meta.concrete_fields:
        if field.primary_key or getattr(field, "generated", False):
            continue
        columns.append(qn(field.column))
        values.append(overrides.get(field.column, f"t.{qn(field.column)}"))
    table = qn(model._meta.db_table)
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(values)} "  # noqa: S608 - our own names
        f"FROM {table} t, generate_series(1, {count_sql}) AS g {source} WHERE t.id = {int(template_pk)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)  # no parameters: the expressions' % are SQL's modulo
        return cursor.rowcount


def seed(areas: int, assessments: int, evidence: int) -> dict[str, float]:
    from django.db import connection, transaction

    from evidence.models import EvidenceFacts, EvidenceItem
    from evidence.search import SEARCH_CONFIG
    from protected_areas.models import ProtectedArea
    from reports.tests.portfolio import make_portfolio
    from scoring.services import rescore_many

    steps: dict[str, float] = {}
    start = time.perf_counter()
    with transaction.atomic():
        ids = make_portfolio(assessments, evidence=1, seed=1)
    steps["assessments (ORM bulk)"] = time.perf_counter() - start

    start = time.perf_counter()
    rescore_many(ids)
    steps["scores"] = time.perf_counter() - start

    start = time.perf_counter()
    template = ProtectedArea.objects.filter(key__startswith="bench:").order_by("id").first()
    assert template is not None
    square = (
        "ST_Multi(ST_MakeEnvelope(-179.9 + (g % 1200) * 0.3, -60 + (g / 1200) * 0.45, "
        "-179.9 + (g % 1200) * 0.3 + 0.05, -60 + (g / 1200) * 0.45 + 0.05, 4326))"
    )
    first, second = _array(FIRST), _array(SECOND)
    clone(
        ProtectedArea,
        template.pk,
        str(max(0, areas - assessments)),
        {
            "key": "'scale:' || g",
            "wdpa_id": "3000000 + g",
            "wdpa_pid": "(3000000 + g)::text",
            "name": f"{second}[1 + g % {len(SECOND)}] || ' ' || {first}[1 + (g / 7) % {len(FIRST)}] || ' ' || g",
            "iso3": "ARRAY[(ARRAY['VNM','FRA','ESP','COL','KEN','CHN','PER','AUS'])[1 + g % 8]]",
            "geom": square,
            "geom_display": square,
            "geom_hash": "NULL",
        },
    )
    steps["areas (SQL)"] = time.perf_counter() - start

    start = time.perf_counter()
    item = EvidenceItem.objects.order_by("id").first()
    assert item is not None
    words = _array(WORDS)
    ordered = "(SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM assessments_assessment) AS a"
    clone(
        EvidenceItem,
        item.pk,
        str(max(0, evidence - 1)),
        {
            "assessment_id": "a.id",
            "title": f"'Evidence ' || g || ' ' || {words}[1 + g % {len(WORDS)}] "
            f"|| ' ' || {first}[1 + g % {len(FIRST)}]",
            "file": "'bench/' || g || '.pdf'",
            "original_filename": "g || '.pdf'",
            "processing_status": "'ready'",
        },
        source=f"JOIN {ordered} ON a.k = g % {len(ids)}",
    )
    steps["evidence items (SQL)"] = time.perf_counter() - start

    start = time.perf_counter()
    facts_table = EvidenceFacts._meta.db_table
    text = (
        f"{words}[1 + i.id % {len(WORDS)}] || ' ' || {words}[1 + (i.id / 20) % {len(WORDS)}] || ' ' || "
        f"{first}[1 + (i.id / 3) % {len(FIRST)}] || ' ' || {words}[1 + (i.id / 400) % {len(WORDS)}]"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {facts_table} (item_id, kind, mime_type, description, text, camera_make, camera_model, "  # noqa: S608
            "location_check, duplicate, thumbnail, display, details, error_code, attempts, claim_task, search) "
            f"SELECT i.id, 'pdf', 'application/pdf', '', {text}, '', '', 'none', '', '', '', '{{}}', '', 0, '', "
            f"setweight(to_tsvector('{SEARCH_CONFIG}', i.title), 'A') "
            f"|| setweight(to_tsvector('{SEARCH_CONFIG}', {text}), 'B') "
            f"FROM evidence_evidenceitem i WHERE NOT EXISTS (SELECT 1 FROM {facts_table} f WHERE f.item_id = i.id)"
        )
    steps["facts + search vectors (SQL)"] = time.perf_counter() - start

    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    steps["analyze"] = time.perf_counter() - start
    return steps


def is_seeded(evidence: int) -> bool:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM evidence_evidenceitem")
        return cursor.fetchone()[0] >= evidence


@contextlib.contextmanager
def scale_database(*, reuse: bool, areas: int = AREAS, assessments: int = ASSESSMENTS, evidence: int = EVIDENCE):
    """Django set up on the scale database, built unless `reuse` finds it built. Kept afterwards."""
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=reuse, serialize=False)
    if not (reuse and is_seeded(evidence)):
        if reuse:  # a partial build: start again from an empty database
            connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False, serialize=False)
        start = time.perf_counter()
        steps = seed(areas, assessments, evidence)
        total = time.perf_counter() - start
        for step, seconds in steps.items():
            print(f"  {step}: {seconds:.0f} s")
        print(
            f"built {areas:,} areas, {assessments:,} assessments, {evidence:,} evidence items in {total:.0f} s "
            f"(load average {' '.join(f'{x:.2f}' for x in os.getloadavg())})"
        )
    yield


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reuse", action="store_true", help="keep the database if already built")
    parser.add_argument("--areas", type=int, default=AREAS)
    parser.add_argument("--assessments", type=int, default=ASSESSMENTS)
    parser.add_argument("--evidence", type=int, default=EVIDENCE)
    return parser.parse_args(argv)


def main() -> int:
    args = parse()
    with scale_database(reuse=args.reuse, areas=args.areas, assessments=args.assessments, evidence=args.evidence):
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
