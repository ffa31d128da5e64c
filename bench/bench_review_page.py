"""Latency and SQL query count of the expert review page: 50 indicators, 1,000 evidence items, two
experts' shared reviews, group findings and a question with an answer on every indicator.

Creates a scratch test database (dropped afterwards), builds the assessment through the real
services, then requests /reviews/assessments/<id>/ N times with Django's test client as an expert.

    .venv/bin/python bench/bench_review_page.py [--requests 30] [--evidence 1000] [--indicators 50]
"""

import argparse
import datetime
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "greenlist.settings_test")
os.environ.setdefault("GREENLIST_TEST_DB", "bench_review_page")
os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="bench-media-"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--evidence", type=int, default=1000)
    parser.add_argument("--indicators", type=int, default=50)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    old = setup_databases(verbosity=0, interactive=False, serialized_aliases=set())
    try:
        from django.test import Client
        from django.utils import timezone

        from accounts.tests.factories import Role, make_user
        from assessments.models import Answer
        from evidence.models import EvidenceItem
        from protected_areas.tests.factories import ProtectedAreaFactory
        from reviews import services
        from reviews.tests.factories import answers_of, submitted_assessment
        from standards.models import Jurisdiction

        jurisdiction = Jurisdiction.objects.create(code="vn", name="Viet Nam", countries=["VNM"])
        area = ProtectedAreaFactory(name="Bench Reserve")
        manager = make_user(Role.SITE_MANAGER, email="bench-manager@example.org", protected_area=area)
        staff = make_user(Role.IUCN_STAFF, email="bench-staff@example.org")
        experts = [
            make_user(Role.EXPERT, email=f"bench-expert{i}@example.org", jurisdiction=jurisdiction) for i in (1, 2)
        ]
        assessment = submitted_assessment(
            area=area, manager=manager, staff=staff, n_indicators=args.indicators, evidence_per_indicator=0
        )
        items = EvidenceItem.objects.bulk_create(
            EvidenceItem(
                assessment=assessment,
                title=f"Evidence document {i}",
                file=f"bench/{i}.pdf",
                original_filename=f"{i}.pdf",
                content_type="application/pdf",
                size=1000 + i,
                uploaded_by=manager,
            )
            for i in range(args.evidence)
        )
        answers = answers_of(assessment)
        through = Answer.evidence.through
        through.objects.bulk_create(
            through(answer_id=answers[i % len(answers)].pk, evidenceitem_id=item.pk) for i, item in enumerate(items)
        )
        services.review_start(assessment=assessment, by=staff)
        due = timezone.localdate() + datetime.timedelta(days=30)
        for expert in experts:
            a = services.assignment_create(
                assessment=assessment, assignee=expert, role="expert", due_date=due, by=staff
            )
            services.conflict_declare(assignment=a, by=expert, has_conflict=False)
        for answer in answers:
            for expert in experts:
                services.indicator_review_save(
                    assessment=assessment, answer=answer, by=expert, rating="meets", finding="Fine.", shared=True
                )
            services.group_finding_save(
                assessment=assessment, answer=answer, by=experts[0], rating="meets", finding="Met."
            )
            req = services.information_request_create(
                assessment=assessment, answer=answer, by=experts[0], question="Minutes?"
            )
            services.information_reply_create(request=req, by=manager, text="Attached.")

        client = Client()
        client.force_login(experts[0])
        url = f"/reviews/assessments/{assessment.pk}/"
        client.get(url)  # warm-up
        queries = []
        with connection.execute_wrapper(lambda execute, sql, *a: queries.append(sql) or execute(sql, *a)):
            response = client.get(url)
        assert response.status_code == 200, response.status_code
        if os.environ.get("BENCH_PROFILE"):
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.runcall(client.get, url)
            pstats.Stats(profiler).sort_stats(os.environ.get("BENCH_SORT", "tottime")).print_stats(20)
        times = []
        for _ in range(args.requests):
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200
        times.sort()
        p95 = times[min(len(times) - 1, int(round(0.95 * len(times))) - 1)]
        print(
            f"review page: {len(answers)} indicators, {args.evidence} evidence items, "
            f"{2 * len(answers)} expert reviews, {len(answers)} questions; {len(response.content) / 1024:.0f} KiB"
        )
        print(f"  SQL queries per request: {len(queries)}")
        print(
            f"  latency over {args.requests} requests (test client, in-process): "
            f"median {statistics.median(times):.0f} ms, p95 {p95:.0f} ms, max {times[-1]:.0f} ms"
        )
    finally:
        teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    main()
