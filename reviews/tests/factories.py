"""Review fixtures built through the real services: a Standard of any size, an assessment filled in,
with evidence, submitted by its site team."""

from __future__ import annotations

import datetime
import itertools

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from assessments import services as assessment_services
from assessments.choices import Status
from assessments.models import Answer
from assessments.workflow import transition
from eligibility.tests.factories import make_eligible
from evidence.services import evidence_upload
from standards.models import Component, Criterion, Indicator, Standard

RATING_SCALE = [
    {
        "code": "meets",
        "label": "Meets",
        "counts_as_met": True,
        "score": 1.0,
        "requires_justification": True,
        "requires_action": False,
        "allowed_on_submit": True,
        "description": "",
    },
    {
        "code": "partially_meets",
        "label": "Partially meets",
        "counts_as_met": False,
        "score": 0.5,
        "requires_justification": True,
        "requires_action": True,
        "allowed_on_submit": True,
        "description": "",
    },
    {
        "code": "does_not_meet",
        "label": "Does not meet",
        "counts_as_met": False,
        "score": 0.0,
        "requires_justification": True,
        "requires_action": True,
        "allowed_on_submit": True,
        "description": "",
    },
    {
        "code": "not_applicable",
        "label": "Not applicable",
        "counts_as_met": True,
        "score": None,
        "requires_justification": True,
        "requires_action": False,
        "allowed_on_submit": True,
        "description": "",
    },
    {
        "code": "not_assessed",
        "label": "Not yet assessed",
        "counts_as_met": False,
        "score": 0.0,
        "requires_justification": False,
        "requires_action": False,
        "allowed_on_submit": False,
        "description": "",
    },
]

_seq = itertools.count(1)


def _png(width: int = 160, height: int = 120) -> bytes:
    """A small real photo-like PNG (sky over forest), so thumbnails show something."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (width, height), (120, 170, 210))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, height // 2, width, height), fill=(40, 110, 60))
    draw.polygon([(10, height // 2), (40, 15), (70, height // 2)], fill=(25, 80, 45))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


PNG = _png()


def make_standard(n_indicators: int = 3) -> Standard:
    """A Standard version with `n_indicators` indicators in one component and criterion."""
    n = next(_seq)
    standard = Standard.objects.create(
        code="GLS",
        version=f"9.{n}",
        title="Test Standard",
        rules={},
        rating_scale=RATING_SCALE,
        source_sha256=f"{n:064d}",
    )
    component = Component.objects.create(standard=standard, number="1", title="Good governance", position=1)
    criterion = Criterion.objects.create(component=component, number="1.1", title="Legitimacy and voice", position=1)
    Indicator.objects.bulk_create(
        Indicator(
            criterion=criterion,
            standard=standard,
            code=f"T{n}-1.1.{i}",
            number=f"1.1.{i}",
            title=f"Indicator {i} title",
            text=f"The site shows indicator {i} is met.",
            means_of_verification=["Minutes, plans, reports."],
            lineage=f"T{n}-1.1.{i}",
            position=i,
        )
        for i in range(1, n_indicators + 1)
    )
    return standard


def submitted_assessment(
    *, area, manager, staff, n_indicators: int = 3, evidence_per_indicator: int = 1, ratings=None, year=None
):
    """An assessment of `area` against a fresh Standard, filled in and submitted by `manager`."""
    make_standard(n_indicators)
    assessment = assessment_services.assessment_create(
        protected_area=area, user=manager, year=year or timezone.localdate().year
    )
    make_eligible(assessment, staff=staff)
    transition(assessment, Status.CANDIDATE, by=staff)
    answers = list(
        Answer.objects.filter(assessment=assessment).select_related("indicator").order_by("indicator__position")
    )
    for i, answer in enumerate(answers):
        rating = (ratings or {}).get(answer.indicator.number, "meets")
        changes = {"rating": rating, "justification": f"Justification for {answer.indicator.number}."}
        if rating in ("partially_meets", "does_not_meet"):
            changes.update(action_text="Write a plan.", action_owner="Director", action_due=datetime.date(2030, 1, 1))
        assessment_services.answer_save(answer=answer, user=manager, expected_version=answer.version, changes=changes)
        for j in range(evidence_per_indicator):
            evidence_upload(
                assessment=assessment,
                user=manager,
                file=SimpleUploadedFile(f"photo-{i}-{j}.png", PNG, content_type="image/png"),
                title=f"Photo {answer.indicator.number} #{j + 1}",
                indicators=[answer.indicator],
            )
    transition(assessment, Status.SUBMITTED, by=manager)
    return assessment


def in_review_with_expert(assessment, *, expert, staff, due_in_days: int = 20):
    """`assessment` opened for review by `staff`, with `expert` seated (no conflict declared); the seat."""
    from reviews import services as review_services

    review_services.review_start(assessment=assessment, by=staff)
    seat = review_services.assignment_create(
        assessment=assessment,
        assignee=expert,
        role="expert",
        due_date=timezone.localdate() + datetime.timedelta(days=due_in_days),
        by=staff,
    )
    review_services.conflict_declare(assignment=seat, by=expert, has_conflict=False)
    return seat


def answers_of(assessment):
    return list(
        Answer.objects.filter(assessment=assessment).select_related("indicator").order_by("indicator__position")
    )
