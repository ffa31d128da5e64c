"""The staff dashboard with 300 sites and 10,000 evidence items: target under 300 ms, with the same
query count as with 30 sites. Runs on a throw-away database (test settings), through the real URL."""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "greenlist.settings_test")
os.environ.setdefault("GREENLIST_TEST_DB", "bench_greenlist_dash")

import django  # noqa: E402

django.setup()

TARGET_MS = 300.0


def measure(client, rounds=15):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get("/reports/dashboard/")  # warm-up
    times = []
    for _ in range(rounds):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get("/reports/dashboard/")
            times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    return statistics.median(times), len(queries), len(response.content)


def main() -> int:
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    old = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        from accounts.models import User
        from reports.tests.portfolio import make_portfolio
        from scoring.services import rescore_many

        ids = make_portfolio(30, evidence=1000, seed=1)
        rescore_many(ids)
        client = Client()
        client.force_login(User.objects.get(email="bench-staff-1@example.org"))
        small_ms, small_q, _ = measure(client)
        ids += make_portfolio(270, evidence=9000, seed=2)
        rescore_many(ids)
        large_ms, large_q, size = measure(client)
        print(f"staff dashboard,  30 sites,  1,000 evidence items: median {small_ms:.0f} ms, {small_q} queries")
        print(
            f"staff dashboard, 300 sites, 10,000 evidence items: median {large_ms:.0f} ms, {large_q} queries, "
            f"{size / 1024:.0f} KiB; target < {TARGET_MS:.0f} ms and a constant query count"
        )
        return 0 if large_ms < TARGET_MS and large_q == small_q else 1
    finally:
        connection.creation.destroy_test_db(old, verbosity=0)


if __name__ == "__main__":
    sys.exit(main())
