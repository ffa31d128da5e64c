"""Latency and SQL query count of the assessment page: 50 indicators and 1,000 evidence items.

Prints the HTML size, the SQL query count, wall-clock latency (median, p95, max), CPU time and
the load average (the machine is shared: compare figures at similar load).

Creates a scratch test database (dropped afterwards), loads the shipped Standard, starts an
assessment, links 1,000 evidence items across its answers, fills every answer, then requests the
page N times with Django's test client as the site manager.

    .venv/bin/python bench/bench_assessment_page.py [--requests 30] [--evidence 1000]
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "greenlist.settings_test")
os.environ.setdefault("GREENLIST_TEST_DB", "bench_assessment_page")
os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="bench-media-"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--evidence", type=int, default=1000)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    # Not setup_test_environment(): its instrumented template rendering would inflate the timings.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    old = setup_databases(verbosity=0, interactive=False, serialized_aliases=set())
    try:
        from django.test import Client

        from accounts.tests.factories import Role, make_user
        from assessments.models import Answer
        from assessments.services import assessment_create
        from assessments.tests.helpers import fill_all
        from assessments.workflow import transition
        from evidence.models import EvidenceItem
        from protected_areas.tests.factories import ProtectedAreaFactory
        from standards.tests.factories import load_gls

        load_gls()
        area = ProtectedAreaFactory(name="Bench Reserve")
        manager = make_user(Role.SITE_MANAGER, email="bench-manager@example.org", protected_area=area)
        staff = make_user(Role.IUCN_STAFF, email="bench-staff@example.org")
        assessment = assessment_create(protected_area=area, user=manager, year=2026)
        transition(assessment, "candidate", by=staff)
        fill_all(assessment, manager)
        items = EvidenceItem.objects.bulk_create(
            EvidenceItem(
                assessment=assessment,
                title=f"Evidence document {i}",
                file=f"bench/{i}.pdf",
                original_filename=f"{i}.pdf",
                size=1000 + i,
                uploaded_by=manager,
            )
            for i in range(args.evidence)
        )
        answers = list(Answer.objects.filter(assessment=assessment))
        through = Answer.evidence.through
        through.objects.bulk_create(
            through(answer_id=answers[i % len(answers)].pk, evidenceitem_id=item.pk) for i, item in enumerate(items)
        )
        client = Client()
        client.force_login(manager)
        url = f"/assessments/{assessment.pk}/"
        client.get(url)  # warm-up (templates compiled, connection open)
        queries = []
        with connection.execute_wrapper(lambda execute, sql, *a: queries.append(sql) or execute(sql, *a)):
            response = client.get(url)
        assert response.status_code == 200, response.status_code
        if os.environ.get("BENCH_PROFILE"):
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.runcall(client.get, url)
            pstats.Stats(profiler).sort_stats(os.environ.get("BENCH_SORT", "cumulative")).print_stats(25)
        times, cpu = [], []
        for _ in range(args.requests):
            start, start_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
            assert response.status_code == 200
        times.sort()
        p95 = times[min(len(times) - 1, int(round(0.95 * len(times))) - 1)]
        print(
            f"assessment page: {len(answers)} indicators, {args.evidence} evidence items, "
            f"{len(response.content) / 1024:.0f} KiB of HTML"
        )
        print(f"  SQL queries per request: {len(queries)}")
        print(
            f"  latency over {args.requests} requests (test client, in-process): "
            f"median {statistics.median(times):.0f} ms, p95 {p95:.0f} ms, max {times[-1]:.0f} ms"
        )
        # This process's CPU time, which other load on a shared machine inflates less than wall time.
        print(f"  CPU time of this process per request: median {statistics.median(cpu):.0f} ms")
        print(f"  load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    finally:
        teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    main()
