"""The restore drill's platform, built and observed inside `manage.py shell` against the drill's own
database and storage (test_restore_drill.py runs it as a subprocess, as an operator would run the
commands). Prints one JSON line.

    build    a site certified after review, with processed evidence, an export and the certificate's PDF
    observe  what must be the same after a restore: pages (status and content), every stored file's
             SHA-256, the audit chain's verification, the certificate's public verification
"""

from __future__ import annotations

import hashlib
import json
import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse


def build() -> dict:
    from accounts.tests.factories import Role, make_user
    from assessments.models import Answer
    from assessments.services import assessment_create
    from assessments.workflow import transition
    from certification.services import certificate_render_pdf
    from certification.tests.factories import make_panel_member, panel_decide_for_tests
    from eligibility.tests.factories import make_eligible
    from evidence.pipeline import evidence_process
    from evidence.services import evidence_upload
    from protected_areas.tests.factories import ProtectedAreaFactory
    from reports.services import export_job_create, export_job_run
    from reviews.tests.factories import PNG, make_standard
    from reviews.tests.helpers import review_to_conclusion
    from standards.models import Jurisdiction

    make_standard(3)
    area = ProtectedAreaFactory(name="Réserve Drill")
    jurisdiction = Jurisdiction.objects.get_or_create(code="vn", defaults={"name": "Viet Nam", "countries": ["VNM"]})[0]
    manager = make_user(Role.SITE_MANAGER, email="drill-manager@example.org", protected_area=area)
    staff = make_user(Role.IUCN_STAFF, email="drill-staff@example.org")
    review_staff = make_user(Role.IUCN_STAFF, email="drill-review-staff@example.org")
    expert = make_user(Role.EXPERT, email="drill-expert@example.org", jurisdiction=jurisdiction)
    reviewer = make_user(Role.INDEPENDENT_REVIEWER, email="drill-reviewer@example.org")

    assessment = assessment_create(protected_area=area, user=manager, year=2024)
    make_eligible(assessment, expert=expert, reviewer=reviewer)
    transition(assessment, "candidate", by=review_staff)
    answers = list(Answer.objects.filter(assessment=assessment).order_by("indicator__position"))
    from assessments.services import answer_save

    for answer in answers:
        answer_save(
            answer=answer,
            user=manager,
            expected_version=answer.version,
            changes={"rating": "meets", "justification": f"Suivi {answer.pk}."},
        )
    item = evidence_upload(
        assessment=assessment,
        user=manager,
        file=SimpleUploadedFile("relevé.png", PNG, content_type="image/png"),
        title="Relevé drill",
        indicators=[answers[0].indicator],
    )
    evidence_process(item.pk)
    transition(assessment, "submitted", by=manager)
    review_to_conclusion(assessment, staff=review_staff)
    decision = panel_decide_for_tests(
        assessment=assessment,
        user=staff,
        outcome="granted",
        reasons="Gestion solide.",
        public_summary="Gestion solide.",
        members=[make_panel_member(email=f"drill-panel{n}@example.org") for n in (1, 2)],
    )
    certificate_render_pdf(certificate_id=decision.certificate.pk)
    export = export_job_create(assessment=assessment, user=manager, fmt="csv")
    export_job_run(export.pk)
    return {
        "assessment": assessment.pk,
        "evidence": item.pk,
        "certificate": decision.certificate.number,
        "manager": manager.email,
        "staff": staff.email,
    }


_VOLATILE = [
    re.compile(rb'nonce="[^"]*"'),
    re.compile(rb'name="csrfmiddlewaretoken" value="[^"]*"'),
    re.compile(rb'name="csrf-token" content="[^"]*"'),
    re.compile(rb'data-csrf="[^"]*"'),
    # the public verification page says when it was asked ("Checked on 6 December 2026, 05:31 UTC")
    re.compile(rb'<time class="checked-at"[^>]*>[^<]*</time>'),
]


def _page_digest(body: bytes) -> str:
    for pattern in _VOLATILE:
        body = pattern.sub(b"", body)
    return hashlib.sha256(body).hexdigest()


def observe(ids: dict) -> dict:
    from accounts.models import User
    from audit.chain import verify
    from operations.manifest import file_columns, storages_by_key

    by_key = storages_by_key()
    files = {}
    from django.db import connection

    with connection.cursor() as cursor:
        for column in file_columns():
            cursor.execute(f'SELECT "{column.column}" FROM "{column.table}" WHERE "{column.column}" <> \'\'')  # noqa: S608
            for (name,) in cursor.fetchall():
                with by_key[column.storage_key].open(name, "rb") as handle:
                    files[f"{column.storage_key}:{name}"] = hashlib.sha256(handle.read()).hexdigest()
    chain = verify()
    pages = {}
    for who, urls in (
        (None, [reverse("certification:verify", args=[ids["certificate"]]), reverse("certification:green-list")]),
        (
            ids["manager"],
            [
                reverse("assessments:detail", args=[ids["assessment"]]),
                reverse("evidence:download", args=[ids["evidence"]]),
            ],
        ),
    ):
        client = Client(SERVER_NAME="localhost")
        if who:
            client.force_login(User.objects.get(email=who))
        for url in urls:
            response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
            body = b"".join(response.streaming_content) if response.streaming else response.content
            pages[url] = {"status": response.status_code, "digest": _page_digest(body), "size": len(body)}
    from certification.selectors import verify as verify_certificate

    return {
        "files": files,
        "audit": {"ok": chain.ok, "checked": chain.checked, "problems": chain.problems[:5]},
        "pages": pages,
        "certificate_valid": verify_certificate(ids["certificate"]).valid,
    }


def main() -> None:
    """`DRILL_ACTION=build|observe` (observe reads the ids build printed from `DRILL_IDS`)."""
    import os

    if os.environ["DRILL_ACTION"] == "build":
        print(json.dumps(build()))  # noqa: T201
    else:
        print(json.dumps(observe(json.loads(os.environ["DRILL_IDS"]))))  # noqa: T201
