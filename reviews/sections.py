"""What the reviews app hands down to the assessment page (assessments.sections)."""

from __future__ import annotations

from accounts import rules
from assessments.models import Assessment
from assessments.sections import OpenQuestion

from .choices import RequestStatus
from .models import InformationRequest


def assessment_open_questions(assessment: Assessment, user) -> list[OpenQuestion]:
    """The questions still open on this assessment, for whoever may answer or follow them (one query)."""
    if not rules.can_reply_to_request(user, assessment):
        return []
    rows = (
        InformationRequest.objects.filter(answer__assessment=assessment, status=RequestStatus.OPEN)
        .select_related("answer__indicator", "asked_by")
        .order_by("created_at", "id")
    )
    return [
        OpenQuestion(
            answer_id=req.answer_id,
            number=req.answer.indicator.number,
            question=req.question,
            asked_by=req.asked_by.get_short_name(),
            asked_at=req.created_at,
            answer_url=req.get_absolute_url(),
        )
        for req in rows
    ]
