"""The scores API: the reports page's scores, through the same selectors and rules."""

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.decorators import api_view
from rest_framework.response import Response

from assessments.selectors import get_assessment_for_user
from core.api import ErrorSerializer

from .. import services
from .serializers import AssessmentScoresSerializer

ASSESSMENT_PK = OpenApiParameter("id", int, OpenApiParameter.PATH, description="Assessment id")


@extend_schema(
    parameters=[ASSESSMENT_PK],
    responses={
        200: AssessmentScoresSerializer,
        404: OpenApiResponse(ErrorSerializer, description="No such assessment, or not visible to you"),
    },
)
@api_view(["GET"])
def assessment_scores(request, pk):
    """The latest score snapshots of an assessment, as its reports page shows them.

    Who may see it: whoever may see the assessment (its site team, IUCN staff, reviewers assigned
    without conflict); anyone else gets 404. Like the page, scores are brought up to date on read:
    if the answers or the group's findings changed since the latest snapshot, a new one is computed
    and stored first (`scoring.services.ensure_current`), so `self` is always present.

    `expert` holds the Expert Assessment Group's scores (from its consolidated findings) for reviewers
    and staff once the group has recorded a finding, and for the site team only once staff have
    released the findings; otherwise it is null and `expert_status` says why. Each snapshot carries
    the overall result, each component and criterion (down to the indicators), when it was computed
    and exactly what from (`inputs`: the engine version, the Standard, its rules and scale, and every
    rating; `inputs_hash` is their SHA-256)."""
    assessment = get_assessment_for_user(request.user, pk)
    scores = services.visible_scores(assessment, request.user)
    if scores["expert"] is not None:
        expert_status = "available"
    else:
        expert_status = "none_yet" if scores["show_findings"] else "not_released"
    data = {
        "assessment": assessment.pk,
        "self": scores["self"],
        "expert": scores["expert"],
        "expert_status": expert_status,
    }
    return Response(AssessmentScoresSerializer(data).data)
