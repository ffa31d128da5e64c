"""A synthetic portfolio for the benchmarks (bench/): hundreds of sites in bulk, fast.

Rows are bulk-created, skipping the services on purpose (300 × 50 answers through `answer_save`
would take minutes); phases are spread over the workflow's statuses as they would be in a real
programme. Never used by the product.
"""

import datetime
import random

from django.utils import timezone


def make_portfolio(n: int, *, evidence: int = 0, seed: int = 8) -> list[int]:
    from accounts.tests.factories import Role, make_user
    from assessments.choices import Status
    from assessments.models import Answer, Assessment, AssessmentTransition
    from certification.models import Certificate, Decision
    from evidence.models import EvidenceItem
    from protected_areas.models import ProtectedArea
    from protected_areas.tests.factories import square
    from reviews.models import AssessmentReview
    from standards.models import Jurisdiction
    from standards.tests.factories import load_gls

    rng = random.Random(seed)
    standard = load_gls()
    staff = make_user(Role.IUCN_STAFF, email=f"bench-staff-{seed}@example.org")
    jurisdictions = {
        code: Jurisdiction.objects.get_or_create(code=code, defaults={"name": name, "countries": countries})[0]
        for code, name, countries in (("vn", "Viet Nam", ["VNM"]), ("cn", "China", ["CHN"]), ("ke", "Kenya", ["KEN"]))
    }
    countries = ["VNM", "CHN", "KEN", "COL", "FRA", "ESP", "PER", "AUS"]
    areas = ProtectedArea.objects.bulk_create(
        [
            ProtectedArea(
                key=f"bench:{seed}:{i}",
                name=f"Bench Reserve {i}",
                iso3=[rng.choice(countries)],
                geom=square(-170 + (i % 60) * 5.5, -50 + (i // 60) * 9, 0.3),
                geom_display=square(-170 + (i % 60) * 5.5, -50 + (i // 60) * 9, 0.3),
                area_km2=100.0,
            )
            for i in range(n)
        ]
    )
    statuses = [s for s in Status.values]
    assessments = Assessment.objects.bulk_create(
        [
            Assessment(
                protected_area=a, cycle=1, year=2026, standard=standard, created_by=staff, status=rng.choice(statuses)
            )
            for a in areas
        ]
    )
    indicators = list(standard.indicators.order_by("position"))
    codes = ["meets", "meets", "partially_meets", "does_not_meet", "not_applicable", ""]
    Answer.objects.bulk_create(
        [Answer(assessment=a, indicator=i, rating=rng.choice(codes)) for a in assessments for i in indicators],
        batch_size=5000,
    )
    now = timezone.now()
    submitted = [a for a in assessments if a.status not in (Status.APPLICATION, Status.CANDIDATE)]
    AssessmentTransition.objects.bulk_create(
        [
            AssessmentTransition(assessment=a, from_status=Status.CANDIDATE, to_status=Status.SUBMITTED, by=staff)
            for a in submitted
        ]
    )
    AssessmentTransition.objects.filter(assessment__in=submitted).update(at=now - datetime.timedelta(days=120))
    # Past review only through the review path (assessments.workflow guards it): a group
    # recommendation the independent reviewer confirmed, matching the phase (decided ones were
    # recommended, as their Decision rows below say).
    expert = make_user(Role.EXPERT, email=f"bench-expert-{seed}@example.org", jurisdiction=jurisdictions["vn"])
    reviewer = make_user(Role.INDEPENDENT_REVIEWER, email=f"bench-reviewer-{seed}@example.org")
    concluded = {Status.RECOMMENDED: "recommend", Status.DECIDED: "recommend", Status.NOT_RECOMMENDED: "not_yet"}
    AssessmentReview.objects.bulk_create(
        [
            AssessmentReview(
                assessment=a,
                outcome=concluded[a.status],
                reasons="Bench.",
                recommended_by=expert,
                recommended_at=now,
                reviewer_decision="confirmed",
                reviewer=reviewer,
                reviewer_at=now,
            )
            for a in assessments
            if a.status in concluded
        ]
    )
    decided = [a for a in assessments if a.status == Status.DECIDED]
    decisions = Decision.objects.bulk_create(
        [
            Decision(
                assessment=a,
                outcome=rng.choice(["granted", "declined"]),
                reasons="Bench.",
                decided_by=staff,
                recommendation="recommended",
            )
            for a in decided
        ]
    )
    Certificate.objects.bulk_create(
        [
            Certificate(
                number=f"B{seed}-{d.pk:06d}",
                decision=d,
                protected_area_id=d.assessment.protected_area_id,
                standard=standard,
                standard_version="1.1",
                granted_on=timezone.localdate() - datetime.timedelta(days=rng.randint(1, 1800)),
                expires_on=timezone.localdate() + datetime.timedelta(days=rng.randint(1, 400)),
            )
            for d in decisions
            if d.outcome == "granted"
        ]
    )
    if evidence:
        EvidenceItem.objects.bulk_create(
            [
                EvidenceItem(
                    assessment=assessments[k % n],
                    title=f"Evidence {k}",
                    file=f"bench/{k}.pdf",
                    original_filename=f"{k}.pdf",
                    size=1000,
                    uploaded_by=staff,
                    processing_status=rng.choice(["ready", "ready", "pending", "failed"]),
                )
                for k in range(evidence)
            ],
            batch_size=5000,
        )
    return [a.pk for a in assessments]
