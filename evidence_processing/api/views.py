from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.response import Response

from assessments.selectors import get_assessment_for_user
from evidence.selectors import get_evidence_for_user

from .. import selectors
from ..models import EvidenceFacts
from .serializers import FactsSerializer, SearchResultSerializer

API_SEARCH_LIMIT = 50


@extend_schema(
    parameters=[OpenApiParameter("q", str, description='Words, "phrases", -excluded, OR (web search syntax).')],
    responses=SearchResultSerializer(many=True),
)
@api_view(["GET"])
def evidence_search(request, pk):
    """Full-text search in the titles and text of an assessment's evidence (best first)."""
    assessment = get_assessment_for_user(request.user, pk)
    results = selectors.search_evidence(assessment, request.user, request.query_params.get("q", ""))
    return Response(SearchResultSerializer(results[:API_SEARCH_LIMIT], many=True).data)


@extend_schema(
    responses=inline_serializer(
        "EvidenceStatus",
        {
            "assessment": serializers.IntegerField(),
            "pending": serializers.IntegerField(),
            "items": serializers.ListField(child=serializers.DictField()),
        },
    )
)
@api_view(["GET"])
def evidence_status(request, pk):
    """Processing status of every evidence item of an assessment this person may see."""
    assessment = get_assessment_for_user(request.user, pk)
    rows = selectors.status_for(assessment, request.user)
    pending = sum(1 for r in rows if r["status"] in ("pending", "processing"))
    return Response({"assessment": assessment.pk, "pending": pending, "items": rows})


@extend_schema(responses=FactsSerializer)
@api_view(["GET"])
def evidence_facts(request, item_id):
    """What processing found out about one evidence file."""
    item = get_evidence_for_user(request.user, item_id)
    facts = EvidenceFacts.objects.select_related("item").filter(pk=item.pk).first()
    if facts is None:
        return Response({"code": "not_processed", "detail": "This file has not been processed yet."}, status=404)
    return Response(FactsSerializer(facts).data)
