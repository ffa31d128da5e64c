"""The evidence API beside the upload and list (assessments/api): search, processing status and
facts, and the files themselves. Files go through the same rule and the same response as the
download pages (evidence.selectors.get_evidence_for_user, evidence.files, .files), so a script with
a personal token gets exactly what its person gets in the browser."""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.response import Response
from rest_framework.views import APIView

from assessments.selectors import get_assessment_for_user
from core.downloads import FileAnswerMixin
from evidence.files import evidence_file_response
from evidence.selectors import get_evidence_for_user

from .. import selectors
from ..files import thumbnail_response
from ..models import EvidenceFacts
from .serializers import EvidenceErrorSerializer, FactsSerializer, SearchResultSerializer

ITEM_PK = OpenApiParameter("id", int, OpenApiParameter.PATH, description="Evidence item id")
NOT_VISIBLE = OpenApiResponse(EvidenceErrorSerializer, description="No such evidence, or not visible to you")

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
    for row in rows:
        # The page's thumbnail URL takes a browser session only; the API's takes a token too.
        if row["thumbnail"]:
            row["thumbnail"] = reverse("evidence-thumbnail", args=[row["id"]])
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


class EvidenceFileView(FileAnswerMixin, APIView):
    @extend_schema(
        parameters=[ITEM_PK],
        responses={
            (200, "*/*"): OpenApiResponse(
                OpenApiTypes.BINARY,
                description="The file: PDFs and images inline as their type (sniffed from the bytes), "
                "anything else as an attachment of application/octet-stream.",
            ),
            404: NOT_VISIBLE,
        },
    )
    def get(self, request, pk):
        """Download an evidence file: whoever may see the item in the evidence list may download it
        (marked "site team only": its site team and IUCN staff); anyone else gets 404."""
        return evidence_file_response(get_evidence_for_user(request.user, pk))


class EvidenceThumbnailView(FileAnswerMixin, APIView):
    @extend_schema(
        parameters=[ITEM_PK],
        responses={
            (200, "image/jpeg"): OpenApiResponse(OpenApiTypes.BINARY, description="A small JPEG, without metadata."),
            404: OpenApiResponse(
                EvidenceErrorSerializer,
                description="No such evidence, not visible to you, or no thumbnail (not an image, not processed yet)",
            ),
        },
    )
    def get(self, request, pk):
        """The thumbnail processing made of an image, for whoever may see the item."""
        return thumbnail_response(get_evidence_for_user(request.user, pk))
