"""The assessment package: a versioned JSON file with a whole assessment (the site, answers, evidence
metadata, findings, requests and the scores), for sites with poor connectivity and for archiving.

`build_package` reads; `reports.services.assessment_import` writes it into another instance, where
re-scoring gives the same scores (the package names the Standard version by its content hash).
Evidence files themselves are not in the package (they can be gigabytes); their metadata and
SHA-256 are, so that files sent separately can be matched.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from accounts import rules
from assessments.models import Answer, Assessment
from evidence.models import EvidenceItem
from monitoring.selectors import package_series
from scoring import services as scoring_services

FORMAT = "greenlist-assessment-package"
VERSION = 1
SUPPORTED_VERSIONS = {1}


def _date(value) -> str | None:
    return value.isoformat() if value else None


def build_package(assessment: Assessment, user=None) -> dict[str, Any]:
    """The package of one assessment. With `user`, only what that person may see goes in (as in the
    other exports); without (the management command, run by an operator), everything."""
    from reviews.models import GroupFinding, IndicatorReview, InformationRequest

    from . import selectors

    area = assessment.protected_area
    standard = assessment.standard
    show_findings = user is None or selectors.may_see_findings(user, assessment)
    show_reviews = user is None or rules.is_iucn_staff(user)
    evidence_qs = EvidenceItem.objects.all() if user is None else EvidenceItem.objects.visible_to(user)
    evidence = list(
        evidence_qs.filter(Q(assessment=assessment) | Q(answers__assessment=assessment)).distinct().order_by("id")
    )
    evidence_ids = {e.pk for e in evidence}
    answers = list(
        Answer.objects.filter(assessment=assessment)
        .select_related("indicator")
        .prefetch_related("evidence")
        .order_by("indicator__position")
    )
    geometry = area.geom or area.point
    scores = scoring_services.ensure_current(assessment)
    package: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": timezone.now().isoformat(),
        "source": settings.SITE_URL,
        "standard": {"code": standard.code, "version": standard.version, "sha256": standard.source_sha256},
        "adapted_set": (
            {"jurisdiction": assessment.adapted_set.jurisdiction.code, "title": assessment.adapted_set.title}
            if assessment.adapted_set is not None
            else None
        ),
        "protected_area": {
            "key": area.key,
            "wdpa_id": area.wdpa_id,
            "wdpa_pid": area.wdpa_pid,
            "site_type": area.site_type,
            "name": area.name,
            "orig_name": area.orig_name,
            "designation_eng": area.designation_eng,
            "iucn_category": area.iucn_category,
            "iso3": area.iso3,
            "parent_iso3": area.parent_iso3,
            "area_km2": area.area_km2,
            "geometry": json.loads(geometry.geojson) if geometry is not None else None,
        },
        "assessment": {
            "id": assessment.pk,
            "cycle": assessment.cycle,
            "year": assessment.year,
            "status": assessment.status,
            "created_at": assessment.created_at.isoformat(),
            "submitted_at": _date(assessment.submitted_at),
        },
        "answers": [
            {
                "indicator": a.indicator.code,
                "number": a.indicator.number,
                "rating": a.rating,
                "justification": a.justification,
                "evidence_date": _date(a.evidence_date),
                "action_text": a.action_text,
                "action_owner": a.action_owner,
                "action_due": _date(a.action_due),
                "carried_over": a.carried_over,
                "version": a.version,
                "evidence": [f"ev-{e.pk}" for e in a.evidence.all() if e.pk in evidence_ids],
            }
            for a in answers
        ],
        "evidence": [
            {
                "uid": f"ev-{e.pk}",
                "title": e.title,
                "original_filename": e.original_filename,
                "size": e.size,
                "content_type": e.content_type,
                "evidence_date": _date(e.evidence_date),
                "uploaded_at": e.uploaded_at.isoformat(),
                "sensitivity": e.sensitivity,
                "sha256": e.sha256,
            }
            for e in evidence
        ],
        # The site's monitoring series (issue 18): the ready datasets' values the person may see, never
        # their map points (locations stay on the platform, generalised where sensitive).
        "monitoring": package_series(area, user),
        "findings": [],
        "expert_reviews": [],
        "information_requests": [],
        "scores": {
            kind: {
                "inputs_hash": s.inputs_hash,
                "computed_at": s.computed_at.isoformat(),
                "overall": s.results["overall"],
            }
            for kind, s in scores.items()
            if kind == "self" or show_findings
        },
    }
    if show_findings:
        package["findings"] = [
            {"indicator": code, "rating": rating, "finding": finding, "answer_version": version}
            for code, rating, finding, version in GroupFinding.objects.filter(answer__assessment=assessment)
            .order_by("answer__indicator__position")
            .values_list("answer__indicator__code", "rating", "finding", "answer_version")
        ]
    if show_reviews:
        package["expert_reviews"] = [
            {
                "indicator": code,
                "expert": email,
                "rating": rating,
                "finding": finding,
                "comment": comment,
                "shared": shared,
            }
            for code, email, rating, finding, comment, shared in IndicatorReview.objects.filter(
                answer__assessment=assessment, **({} if user is None else {"shared": True})
            )
            .order_by("answer__indicator__position", "assignment__user__email")
            .values_list("answer__indicator__code", "assignment__user__email", "rating", "finding", "comment", "shared")
        ]
    package["information_requests"] = [
        {
            "indicator": req.answer.indicator.code,
            "asked_by": req.asked_by.email,
            "question": req.question,
            "status": req.status,
            "created_at": req.created_at.isoformat(),
            "closed_at": _date(req.closed_at),
            "replies": [
                {"author": r.author.email, "text": r.text, "created_at": r.created_at.isoformat()}
                for r in req.replies.all()
            ],
        }
        for req in InformationRequest.objects.filter(answer__assessment=assessment)
        .select_related("answer__indicator", "asked_by")
        .prefetch_related("replies__author")
        .order_by("created_at", "id")
    ]
    return package


def package_bytes(package: dict[str, Any]) -> bytes:
    return json.dumps(package, ensure_ascii=False, indent=1, sort_keys=False).encode("utf-8")
