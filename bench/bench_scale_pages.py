"""Pages and search at the programme's whole size (issue 19), on the database bench/seed_scale.py
builds (300,000 areas, 3,000 assessments, 1,000,000 evidence items; built on first use, then reused):

- the staff dashboard, the public Green List and the protected-area list: p95 under 300 ms;
- protected-area name search (accents ignored) and evidence full-text search: p95 under 100 ms;
- the query count of each: the same as on a small database (5,000 areas, 30 assessments, 20,000
  evidence items, measured by this script in a child process), so it does not grow with data.

    .venv/bin/python bench/bench_scale_pages.py [--requests 30] [--rebuild] [--db NAME --small-db NAME] [--only WORD]

--db and --small-db name the two databases (default bench_greenlist_scale and
bench_greenlist_scale_small), so several people can each measure on their own copy; --only keeps the
cases whose label contains WORD (e.g. "search").
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

PAGE_TARGET_MS = 300.0
SEARCH_TARGET_MS = 100.0
SMALL = {"areas": 5_000, "assessments": 30, "evidence": 20_000}


def cases() -> list[tuple[str, str, str | None, float | None]]:
    """(label, url, who: 'staff' | 'team' | None for anonymous, target ms; None: measured, no target)."""
    from django.urls import reverse

    from assessments.models import Assessment

    busiest = Assessment.objects.order_by("id").values_list("id", flat=True).first()
    return [
        ("staff dashboard", reverse("reports:dashboard"), "staff", PAGE_TARGET_MS),
        ("public Green List", reverse("certification:green-list"), None, PAGE_TARGET_MS),
        ("protected-area list", reverse("protected_areas:list"), None, PAGE_TARGET_MS),
        # The same depth two ways: the "Next" link the page makes there (a keyset page), and the
        # numbered link kept from before keyset pages (OFFSET, answered for old bookmarks).
        (
            "protected-area list, page 2,000 (its Next link)",
            reverse("protected_areas:list") + "?after=" + _cursor_at(2_000 * 25 - 25),
            None,
            PAGE_TARGET_MS,
        ),
        ("protected-area list, ?page=2000 (old link)", reverse("protected_areas:list") + "?page=2000", None, None),
        ("public Green List, page 2 (its Next link)", _green_list_page_2(), None, PAGE_TARGET_MS),
        (
            # An area both the small and the large database have (the small one stops at 5,000).
            "name search 'bach ma 1407' (7 areas)",
            reverse("protected_areas:list") + "?q=bach+ma+1407",
            None,
            SEARCH_TARGET_MS,
        ),
        (
            "name search 'phong dien' (15,000 areas)",
            reverse("protected_areas:list") + "?q=phong+dien",
            None,
            SEARCH_TARGET_MS,
        ),
        (
            "name search 'reserve' (90,000 areas)",
            reverse("protected_areas:list") + "?q=reserve",
            None,
            SEARCH_TARGET_MS,
        ),
        (
            "name search 'phong dien', page 40 (the last a search offers)",
            reverse("protected_areas:list") + "?q=phong+dien&page=40",
            None,
            SEARCH_TARGET_MS,
        ),
        ("name search API 'DONANA'", reverse("protected-area-list") + "?q=DONANA", None, SEARCH_TARGET_MS),
        (
            "evidence search 'dam lay' (API)",
            reverse("evidence-search", args=[busiest]) + "?q=dam+lay",
            "staff",
            SEARCH_TARGET_MS,
        ),
        (
            "evidence search 'foret' (page)",
            reverse("evidence:search", args=[busiest]) + "?q=foret",
            "staff",
            SEARCH_TARGET_MS,
        ),
    ]


def _cursor_at(offset: int) -> str:
    """The cursor of the row before the page starting at `offset` of the area list, as its link has it."""
    from protected_areas.models import ProtectedArea
    from protected_areas.pagination import Cursor

    rows = ProtectedArea.objects.order_by("name", "id").values_list("name", "id")
    # The small database (5,000 areas) has no page 2,000: its page as deep as it goes.
    row = rows[min(offset, rows.count() - 25) - 1]
    return Cursor(*row).encode()


def _green_list_page_2() -> str:
    from django.urls import reverse

    from certification.selectors import public_certificates
    from certification.views import GREEN_LIST_PAGE_SIZE
    from protected_areas.pagination import Cursor

    rows = public_certificates().values_list("protected_area__name", "id")
    # The small database lists fewer than a page: continue from its first row, so that "page 2" holds
    # rows there too and the two databases' query counts compare like with like.
    row = rows[GREEN_LIST_PAGE_SIZE - 1 if rows.count() > GREEN_LIST_PAGE_SIZE else 0]
    return reverse("certification:green-list") + "?after=" + Cursor(*row).encode()


def run(requests: int, *, reuse: bool, sizes: dict[str, int], only: str = "") -> dict[str, dict]:
    from seed_scale import scale_database

    results: dict[str, dict] = {}
    with scale_database(reuse=reuse, **sizes):
        from _pages import measure_page
        from django.test import Client

        from accounts.models import User

        staff = User.objects.get(email="bench-staff-1@example.org")
        for label, url, who, target in cases():
            if only not in label:
                continue
            client = Client()
            if who == "staff":
                client.force_login(staff)
            figures = measure_page(client, url, requests=requests)
            results[label] = {"url": url, "target": target, **figures.__dict__}
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--rebuild", action="store_true", help="build the scale database again")
    parser.add_argument("--db", default="bench_greenlist_scale", help="the scale database")
    parser.add_argument("--small-db", default="bench_greenlist_scale_small", help="the small database")
    parser.add_argument("--only", default="", help="measure only the cases whose label contains this")
    parser.add_argument("--small", action="store_true", help=argparse.SUPPRESS)  # the child's run
    args = parser.parse_args()
    os.environ["GREENLIST_TEST_DB"] = args.small_db if args.small else args.db
    if args.small:
        print(json.dumps(run(3, reuse=True, sizes=SMALL, only=args.only)))
        return 0
    child = subprocess.run(
        [sys.executable, __file__, "--small", "--small-db", args.small_db, "--only", args.only],
        env=os.environ,
        capture_output=True,
        text=True,
        check=True,
    )
    small = json.loads(child.stdout.strip().splitlines()[-1])
    large = run(args.requests, reuse=not args.rebuild, sizes={}, only=args.only)
    ok = True
    print(f"at 300,000 areas, 3,000 assessments, 1,000,000 evidence items; {args.requests} requests each")
    for label, f in large.items():
        constant = f["queries"] <= small[label]["queries"]  # never more queries than on a small database
        target = "no target (kept for old links)" if f["target"] is None else f"target < {f['target']:.0f} ms"
        fine = (f["target"] is None or f["p95_ms"] < f["target"]) and constant
        ok &= fine
        print(
            f"  {label}: p95 {f['p95_ms']:.0f} ms (median {f['median_ms']:.0f}, CPU {f['cpu_median_ms']:.0f}) "
            f"{target}; {f['queries']} queries (small database: {small[label]['queries']}); "
            f"{f['kib']:.0f} KiB {'ok' if fine else 'MISSED'}"
        )
    print(f"  load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
