"""The evidence API: an assessment's evidence (list and upload), search, processing status and
facts, the picker's linkable items, and the files themselves.

Files go through the same rule and the same response as the download pages
(`selectors.get_evidence_for_user`, `files`), so a script with a personal token gets exactly what its
person gets in the browser. The status poll and the picker are also served at their page URLs
(`evidence.urls`), for the pages' scripts, by the same views left out of the schema.
"""

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import api_view
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import rules
from assessments import error_codes as assessment_errors
from assessments.models import Answer
from assessments.selectors import get_assessment_for_user
from core.api import ErrorSerializer, JSONParser
from core.downloads import NO_STORE, FileAnswerMixin
from core.errors import DomainError, NotAllowed
from core.pagination import page_number

from .. import error_codes, selectors
from ..choices import ProcessingStatus
from ..files import evidence_file_response, thumbnail_response
from ..models import EvidenceFacts, EvidenceItem
from ..search import search_evidence
from ..services import evidence_upload
from .serializers import (
    EvidenceSerializer,
    EvidenceStatusSerializer,
    EvidenceUploadSerializer,
    FactsSerializer,
    LinkablePageSerializer,
    SearchResultSerializer,
)

ITEM_PK = OpenApiParameter("id", int, OpenApiParameter.PATH, description="Evidence item id")
ASSESSMENT_PK = OpenApiParameter("assessment_pk", int, OpenApiParameter.PATH, description="Assessment id")
NOT_VISIBLE = OpenApiResponse(ErrorSerializer, description="No such evidence, or not visible to you")
ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Invalid input (stable `code`)"),
    403: OpenApiResponse(ErrorSerializer, description="Not allowed"),
    404: OpenApiResponse(ErrorSerializer, description="Not found or not visible to you"),
    409: OpenApiResponse(ErrorSerializer, description="The assessment is frozen"),
}

API_SEARCH_LIMIT = 50
LINKABLE_QUERY_MAX = 300


class NotProcessed(DomainError):
    http_status = 404


@extend_schema(parameters=[ASSESSMENT_PK])
@extend_schema_view(
    create=extend_schema(
        request={"multipart/form-data": EvidenceUploadSerializer}, responses={201: EvidenceSerializer, **ERRORS}
    ),
)
class EvidenceViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Evidence of the assessment (its own and any carried over) that you may see; upload with
    multipart/form-data."""

    serializer_class = EvidenceSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def get_assessment(self):
        if not hasattr(self, "_assessment"):
            self._assessment = get_assessment_for_user(self.request.user, self.kwargs["assessment_pk"])
        return self._assessment

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return EvidenceItem.objects.none()
        assessment = self.get_assessment()
        return selectors.evidence_for(assessment, self.request.user).prefetch_related(
            Prefetch("answers", queryset=Answer.objects.filter(assessment=assessment).only("id", "indicator_id"))
        )

    def create(self, request, *args, **kwargs):
        assessment = self.get_assessment()  # 404 before anything else for people who may not see it
        # Then the rule, before the upload is read: 403, not a 400 about the file (checked again
        # by the service under its lock).
        if not rules.can_edit_assessment(request.user, assessment):
            raise NotAllowed(assessment_errors.NOT_SITE_TEAM, _("Only the site's team can add evidence."))
        data = EvidenceUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        item = evidence_upload(
            assessment=assessment,
            user=request.user,
            file=v["file"],
            title=v["title"],
            indicators=v["indicators"],
            sensitivity=v["sensitivity"],
            evidence_date=v["evidence_date"],
            site=v.get("site"),
        )
        item = self.get_queryset().get(pk=item.pk)
        return Response(EvidenceSerializer(item).data, status=status.HTTP_201_CREATED)


class EvidenceLinkableView(APIView):
    """Evidence of the assessment's site (any cycle) you may see, whose title contains `q`: what may
    be linked to an answer of this assessment, `PICKER_PAGE_SIZE` a page (`page`, from 1). With
    `linked_to`, only the items linked to that answer of the assessment."""

    @extend_schema(
        parameters=[
            ASSESSMENT_PK,
            OpenApiParameter("q", str, description="Part of the title."),
            OpenApiParameter("page", int, description="Page number, from 1."),
            OpenApiParameter("linked_to", int, description="Id of an answer of this assessment."),
        ],
        responses={200: LinkablePageSerializer, 400: ERRORS[400], 404: ERRORS[404]},
    )
    def get(self, request, assessment_pk=None, pk=None):
        assessment = get_assessment_for_user(request.user, assessment_pk if assessment_pk is not None else pk)
        query = request.query_params.get("q", "")[:LINKABLE_QUERY_MAX]
        number = page_number(request.query_params.get("page"))  # checked: a huge page overflowed the OFFSET
        items = selectors.linkable_evidence(assessment, request.user, query)
        linked_to = request.query_params.get("linked_to")
        if linked_to is not None:
            # The links of one answer (the assessment page loads those it did not list at first).
            if not (linked_to.isascii() and linked_to.isdigit()):
                raise DomainError(
                    error_codes.LINKED_TO_INVALID,
                    _("linked_to must be the id of an answer of this assessment."),
                    field="linked_to",
                )
            items = items.filter(answers__pk=int(linked_to), answers__assessment=assessment)
        size = selectors.PICKER_PAGE_SIZE
        # One row more than the page tells whether there is a next page without a COUNT query.
        rows = list(items[(number - 1) * size : number * size + 1])
        pattern = selectors.download_url_pattern()
        results = [
            {
                "id": item.pk,
                "title": item.title,
                "download_url": pattern.format(item.pk),
                "evidence_date": item.evidence_date,
                "earlier_cycle": item.assessment_id != assessment.pk,
            }
            for item in rows[:size]
        ]
        body = LinkablePageSerializer({"results": results, "page": number, "has_next": len(rows) > size}).data
        return Response(body, headers={"Cache-Control": NO_STORE})


class EvidencePickerPageView(EvidenceLinkableView):
    """The same at the page URL the assessment page's script calls (not in the schema: a twin)."""

    schema = None


@extend_schema(
    parameters=[OpenApiParameter("q", str, description='Words, "phrases", -excluded, OR (web search syntax).')],
    responses=SearchResultSerializer(many=True),
)
@api_view(["GET"])
def evidence_search(request, pk):
    """Full-text search in the titles and text of an assessment's evidence (best first)."""
    assessment = get_assessment_for_user(request.user, pk)
    results = search_evidence(assessment, request.user, request.query_params.get("q", ""))
    return Response(SearchResultSerializer(results[:API_SEARCH_LIMIT], many=True).data)


class EvidenceStatusView(APIView):
    # The thumbnails' URLs: the API's take a token too; the page's twin gives the pages' (kept an
    # hour by the browser).
    thumbnail_url_name = "evidence-thumbnail"

    @extend_schema(responses=EvidenceStatusSerializer)
    def get(self, request, pk):
        """Processing status of every evidence item of an assessment this person may see."""
        assessment = get_assessment_for_user(request.user, pk)
        pattern = selectors.url_pattern(self.thumbnail_url_name)
        rows = selectors.status_for(assessment, request.user, thumbnail_url_pattern=pattern)
        pending = sum(1 for r in rows if r["status"] in (ProcessingStatus.PENDING, ProcessingStatus.PROCESSING))
        body = EvidenceStatusSerializer({"assessment": assessment.pk, "pending": pending, "items": rows}).data
        return Response(body, headers={"Cache-Control": NO_STORE})


class EvidenceStatusPageView(EvidenceStatusView):
    """The status poll of the evidence overview page (not in the schema: a twin)."""

    schema = None
    thumbnail_url_name = "evidence:thumbnail"


@extend_schema(responses={200: FactsSerializer, 404: NOT_VISIBLE})
@api_view(["GET"])
def evidence_facts(request, item_id):
    """What processing found out about one evidence file."""
    item = selectors.get_evidence_for_user(request.user, item_id)
    facts = EvidenceFacts.objects.select_related("item").filter(pk=item.pk).first()
    if facts is None:
        raise NotProcessed(error_codes.NOT_PROCESSED, _("This file has not been processed yet."))
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
        return evidence_file_response(selectors.get_evidence_for_user(request.user, pk))


class EvidenceThumbnailView(FileAnswerMixin, APIView):
    @extend_schema(
        parameters=[ITEM_PK],
        responses={
            (200, "image/jpeg"): OpenApiResponse(OpenApiTypes.BINARY, description="A small JPEG, without metadata."),
            404: OpenApiResponse(
                ErrorSerializer,
                description="No such evidence, not visible to you, or no thumbnail (not an image, not processed yet)",
            ),
        },
    )
    def get(self, request, pk):
        """The thumbnail processing made of an image, for whoever may see the item."""
        return thumbnail_response(selectors.get_evidence_for_user(request.user, pk))
