"""Latency and SQL query count of the assessment page: 50 indicators and 1,000 evidence items.

Prints the HTML size, the SQL query count, wall-clock latency (median, p95, max), CPU time and
the load average (the machine is shared: compare figures at similar load), against issue 19's
targets (p95 under 150 ms, HTML under 200 KiB), for the page and for one indicator's linked-evidence
fragment (what the page loads when the list is asked for), their requests interleaved.

Creates a scratch test database (dropped afterwards), loads the shipped Standard, starts an
assessment, links 1,000 evidence items across its answers, fills every answer, then requests the
page N times with Django's test client as the site manager.

    .venv/bin/python bench/bench_assessment_page.py [--requests 30] [--evidence 1000]
"""

import argparse
import os

from _pages import (
    DETAIL_PAGE_HTML_TARGET_KIB,
    DETAIL_PAGE_P95_TARGET_MS,
    measure_page,
    measure_pages,
    print_figures,
    scratch_database,
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--evidence", type=int, default=1000)
    parser.add_argument("--dump", help="write the page's HTML to this file (to see what its bytes are)")
    args = parser.parse_args()

    with scratch_database("bench_assessment_page"):
        from django.test import Client
        from django.urls import reverse

        from accounts.tests.factories import Role, make_user
        from assessments.models import Answer
        from assessments.services import assessment_create
        from assessments.tests.helpers import fill_all
        from assessments.workflow import transition
        from eligibility.tests.factories import make_eligible
        from evidence.models import EvidenceItem
        from protected_areas.tests.factories import ProtectedAreaFactory
        from standards.tests.factories import load_gls

        load_gls()
        area = ProtectedAreaFactory(name="Bench Reserve")
        manager = make_user(Role.SITE_MANAGER, email="bench-manager@example.org", protected_area=area)
        staff = make_user(Role.IUCN_STAFF, email="bench-staff@example.org")
        assessment = assessment_create(protected_area=area, user=manager, year=2026)
        make_eligible(assessment, staff=staff)
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
        # One indicator's linked evidence, loaded when asked for (issue 19): one from the middle.
        middle = sorted(answers, key=lambda a: a.pk)[len(answers) // 2]
        linked = reverse("evidence:answer-linked", args=[assessment.pk, middle.pk])
        if args.dump:
            with open(args.dump, "wb") as out:
                out.write(client.get(url).content)
        if os.environ.get("BENCH_PROFILE"):
            measure_page(client, url, requests=1, profile_sort="cumulative")
        figures = measure_pages(client, {"page": url, "linked": linked}, requests=args.requests)
        print(f"assessment page: {len(answers)} indicators, {args.evidence} evidence items")
        print_figures(
            figures["page"],
            requests=args.requests,
            p95_target_ms=DETAIL_PAGE_P95_TARGET_MS,
            html_target_kib=DETAIL_PAGE_HTML_TARGET_KIB,
        )
        print(f"one indicator's linked evidence, loaded when asked for ({linked}):")
        print_figures(figures["linked"], requests=args.requests, p95_target_ms=DETAIL_PAGE_P95_TARGET_MS)


if __name__ == "__main__":
    main()
