"""Latency and SQL query count of the expert review page: 50 indicators, 1,000 evidence items, two
experts' shared reviews, group findings and a question with an answer on every indicator.

Creates a scratch test database (dropped afterwards), builds the assessment through the real
services, then requests /reviews/assessments/<id>/ and one indicator's details fragment (what the page
loads when the indicator is opened) N times each, interleaved, with Django's test client as an expert.
Prints HTML size, query count and p95 of both against issue 19's targets (150 ms, 200 KiB).

    .venv/bin/python bench/bench_review_page.py [--requests 30] [--evidence 1000] [--indicators 50]
"""

import argparse
import datetime
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
    parser.add_argument("--indicators", type=int, default=50)
    parser.add_argument("--dump", help="write the page's HTML to this file (to see what its bytes are)")
    args = parser.parse_args()

    with scratch_database("bench_review_page"):
        from django.test import Client
        from django.urls import reverse
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
        # An indicator's details (evidence list, questions thread), loaded when it is opened: one
        # from the middle of the page (each holds 1/50 of the items here).
        middle = answers[len(answers) // 2]
        details = reverse("reviews:indicator-part", args=[assessment.pk, middle.pk])
        if args.dump:
            with open(args.dump, "wb") as out:
                out.write(client.get(url).content)
        if os.environ.get("BENCH_PROFILE"):
            measure_page(client, url, requests=1, profile_sort="tottime")
        figures = measure_pages(client, {"page": url, "details": details}, requests=args.requests)
        print(
            f"review page: {len(answers)} indicators, {args.evidence} evidence items, "
            f"{2 * len(answers)} expert reviews, {len(answers)} questions"
        )
        print_figures(
            figures["page"],
            requests=args.requests,
            p95_target_ms=DETAIL_PAGE_P95_TARGET_MS,
            html_target_kib=DETAIL_PAGE_HTML_TARGET_KIB,
        )
        print(f"one indicator's details, loaded when it is opened ({details}):")
        print_figures(figures["details"], requests=args.requests, p95_target_ms=DETAIL_PAGE_P95_TARGET_MS)


if __name__ == "__main__":
    main()
