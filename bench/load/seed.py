"""Seed the load-test database: 300 sites, 300 assessments (15,000 answers), 30,000 evidence items,
one site manager per site, 10 experts, public visitors need nothing.

Run by bench/load/run.sh against its own database (never the development one).
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "greenlist.settings")

import django  # noqa: E402

django.setup()

from django.core.files.base import ContentFile  # noqa: E402
from django.db import transaction  # noqa: E402

from accounts.choices import Role  # noqa: E402
from accounts.models import User  # noqa: E402
from accounts.services import role_grant  # noqa: E402
from assessments.models import Answer, Assessment  # noqa: E402
from assessments.services import assessment_create  # noqa: E402
from evidence.models import EvidenceItem  # noqa: E402
from protected_areas.models import ProtectedArea  # noqa: E402
from protected_areas.tests.factories import square  # noqa: E402
from standards.models import Jurisdiction  # noqa: E402

SITES = int(os.environ.get("LOAD_SITES", 300))
EVIDENCE_PER_ASSESSMENT = int(os.environ.get("LOAD_EVIDENCE_PER_ASSESSMENT", 100))
PASSWORD = "load-test-password"  # noqa: S105


def main() -> None:
    if ProtectedArea.objects.filter(key__startswith="load:").count() >= SITES:
        print("already seeded")
        return
    jurisdiction, _ = Jurisdiction.objects.get_or_create(code="load", defaults={"name": "Load", "countries": ["VNM"]})
    areas = [
        ProtectedArea(
            key=f"load:{i}",
            wdpa_id=700000 + i,
            wdpa_pid=str(700000 + i),
            name=f"Load Reserve {i:03d}",
            iso3=["VNM"],
            parent_iso3=["VNM"],
            iucn_category="IV",
            geom=square(102 + (i % 20) * 0.3, 10 + (i // 20) * 0.3, 0.2),
            geom_display=square(102 + (i % 20) * 0.3, 10 + (i // 20) * 0.3, 0.2),
            area_km2=480.0,
        )
        for i in range(SITES)
    ]
    ProtectedArea.objects.bulk_create(areas, batch_size=500)
    areas = list(ProtectedArea.objects.filter(key__startswith="load:").order_by("wdpa_id"))
    for n in range(10):
        expert = User.objects.create_user(f"expert{n}@load.test", PASSWORD, full_name=f"Expert {n}")
        role_grant(user=expert, role=Role.EXPERT, granted_by=None, jurisdiction=jurisdiction)
    shared = EvidenceItem._meta.get_field("file").storage.save("load/evidence.pdf", ContentFile(b"%PDF-1.4\n% load"))
    for i, area in enumerate(areas):
        with transaction.atomic():
            manager = User.objects.create_user(f"manager{i}@load.test", PASSWORD, full_name=f"Manager {i}")
            role_grant(user=manager, role=Role.SITE_MANAGER, granted_by=None, protected_area=area)
            assessment = assessment_create(protected_area=area, user=manager, year=2026)
            Assessment.objects.filter(pk=assessment.pk).update(status="candidate")  # seed data, not a workflow step
            Answer.objects.filter(assessment=assessment).update(rating="meets", justification="Seeded answer " * 10)
            EvidenceItem.objects.bulk_create(
                [
                    EvidenceItem(
                        assessment=assessment,
                        title=f"Evidence {i}-{k}",
                        file=shared,
                        original_filename="e.pdf",
                        size=16,
                        content_type="application/pdf",
                        uploaded_by=manager,
                        processing_status="ready",
                    )
                    for k in range(EVIDENCE_PER_ASSESSMENT)
                ]
            )
        if i % 50 == 0:
            print(f"seeded {i + 1}/{SITES} sites", flush=True)
    print(
        f"sites={ProtectedArea.objects.filter(key__startswith='load:').count()} "
        f"answers={Answer.objects.count()} evidence={EvidenceItem.objects.count()}"
    )


if __name__ == "__main__":
    main()
