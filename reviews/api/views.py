"""The review API: the same selectors, services, rules and errors as the pages."""

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import rules
from assessments.models import Assessment
from assessments.selectors import get_assessment_for_user
from core import error_codes as core_codes
from core.api import ErrorSerializer, JSONParser
from core.errors import DomainError
from reviews import error_codes, review_page, selectors, services
from reviews.models import AssessmentReview, GroupFinding, IndicatorReview, InformationRequest, ReviewAssignment

from .serializers import (
    AgreementSerializer,
    AssignmentCreateSerializer,
    AssignmentSerializer,
    ConfirmSerializer,
    DeclarationSerializer,
    GroupFindingSerializer,
    GroupFindingWriteSerializer,
    IndicatorReviewSerializer,
    IndicatorReviewWriteSerializer,
    IndicatorRowSerializer,
    InformationRequestSerializer,
    InformationRequestWriteSerializer,
    PhaseResultSerializer,
    PhaseSerializer,
    RecommendationSerializer,
    RecommendationWriteSerializer,
    ReplySerializer,
    ReplyWriteSerializer,
)

ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Invalid input (stable `code`)"),
    403: OpenApiResponse(ErrorSerializer, description="Not allowed"),
    404: OpenApiResponse(ErrorSerializer, description="Not found or not visible to you"),
    409: OpenApiResponse(ErrorSerializer, description="State forbids it (closed, not in review, already declared)"),
}


class ReviewAssignmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Review assignments: your own; staff see all. `?assessment=<id>` narrows the list."""

    serializer_class = AssignmentSerializer
    queryset = ReviewAssignment.objects.none()

    def get_queryset(self):
        qs = ReviewAssignment.objects.current().select_related("user").order_by("assessment_id", "role", "id")
        if not rules.is_iucn_staff(self.request.user):
            qs = qs.filter(user=self.request.user)
        assessment = self.request.query_params.get("assessment")
        if assessment is not None:
            if not (assessment.isascii() and assessment.isdigit()):
                raise DomainError(core_codes.INVALID, _("`assessment` must be an id."), field="assessment")
            qs = qs.filter(assessment_id=int(assessment))
        return qs

    def get_object(self):
        return selectors.get_assignment_for_user(self.request.user, self.kwargs["pk"])

    def get_serializer_context(self):
        return {
            **super().get_serializer_context(),
            "show_warnings": rules.can_see_assignment_warnings(self.request.user),
        }

    @extend_schema(request=AssignmentCreateSerializer, responses={201: AssignmentSerializer, **ERRORS})
    def create(self, request):
        data = AssignmentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        # 404 unless they may assign its reviewers: they may not know the assessment exists, or its phase.
        assessment = selectors.get_managed_assessment_for_user(request.user, d["assessment"])
        # None for a person a chair is not offered, as for a missing id: no name comes back.
        assignee = selectors.assignee_for(request.user, assessment, d["user"], d["role"])
        if assignee is None:
            raise DomainError(error_codes.ASSIGNEE_UNKNOWN, _("No such person."), field="user")
        assignment = services.assignment_create(
            assessment=assessment, assignee=assignee, role=d["role"], due_date=d["due_date"], by=request.user
        )
        return Response(self.get_serializer(assignment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DeclarationSerializer, responses={200: AssignmentSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def declare(self, request, pk=None):
        """The assignee's conflict-of-interest declaration (once)."""
        assignment = self.get_object()
        if assignment.user_id != request.user.pk:
            raise Http404("No such assignment.")
        data = DeclarationSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.conflict_declare(
            assignment=assignment,
            by=request.user,
            has_conflict=data.validated_data["has_conflict"],
            note=data.validated_data.get("note", ""),
        )
        return Response(self.get_serializer(assignment).data)

    @extend_schema(request=None, responses={200: AssignmentSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        assignment = services.assignment_remove(assignment=self.get_object(), by=request.user)
        return Response(self.get_serializer(assignment).data)


class ReviewAssessmentViewSet(viewsets.GenericViewSet):
    """An assessment under review, for its site team, staff and assigned conflict-free reviewers.

    Its four lists (indicators, indicator reviews, findings, requests) are paginated like every
    other list of the API, with `count`/`next`/`previous`/`results` and `?page=`, as the schema has
    always said: they grow with the Standard's indicators, the experts assigned and the questions
    asked, and clients generated from the schema expect pages. (They used to return a bare array and
    ignore `page`.) Each page is cut from the review picture the page view shows whole
    (`review_page.review_page`), in indicator order, so pages are stable while nothing changes."""

    queryset = Assessment.objects.none()
    serializer_class = IndicatorRowSerializer

    def get_assessment(self) -> Assessment:
        if not hasattr(self, "_assessment"):
            self._assessment = get_assessment_for_user(self.request.user, self.kwargs["pk"])
        return self._assessment

    @extend_schema(responses={200: IndicatorRowSerializer(many=True), **ERRORS})
    @action(detail=True, methods=["get"])
    def indicators(self, request, pk=None):
        """Per indicator, side by side: wording, the site's rating, evidence, reviews, findings, questions."""
        return self._page(self._rows(), IndicatorRowSerializer)

    def _rows(self):
        return review_page.review_page(self.get_assessment(), self.request.user)["rows"]

    def _page(self, items: list, serializer_class):
        """One page of `items` (404 past the last page, 400 for a malformed `page`)."""
        page = self.paginate_queryset(items)
        return self.get_paginated_response(serializer_class(page, many=True).data)

    @extend_schema(methods=["GET"], responses={200: IndicatorReviewSerializer(many=True), **ERRORS})
    @extend_schema(
        methods=["POST"], request=IndicatorReviewWriteSerializer, responses={200: IndicatorReviewSerializer, **ERRORS}
    )
    @action(detail=True, methods=["get", "post"], url_path="indicator-reviews")
    def indicator_reviews(self, request, pk=None):
        """Your own reviews and the shared reviews of the other experts; POST saves yours on one indicator."""
        assessment = self.get_assessment()
        if request.method == "GET":
            reviews = [
                r for row in self._rows() for r in ([row.my_review] if row.my_review else []) + row.other_reviews
            ]
            return self._page(reviews, IndicatorReviewSerializer)
        data = IndicatorReviewWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        review = services.indicator_review_save(
            assessment=assessment,
            answer=d["answer"],
            by=request.user,
            rating=d["rating"],
            finding=d["finding"],
            comment=d["comment"],
            shared=d["shared"],
            seen=d["seen"],
        )
        review = IndicatorReview.objects.select_related("assignment__user", "answer__indicator").get(pk=review.pk)
        return Response(IndicatorReviewSerializer(review).data)

    @extend_schema(methods=["GET"], responses={200: GroupFindingSerializer(many=True), **ERRORS})
    @extend_schema(
        methods=["POST"], request=GroupFindingWriteSerializer, responses={200: GroupFindingSerializer, **ERRORS}
    )
    @action(detail=True, methods=["get", "post"])
    def findings(self, request, pk=None):
        """The group's consolidated findings (site teams: once released)."""
        assessment = self.get_assessment()
        if request.method == "GET":
            rows = self._rows()
            found = []
            for row in rows:
                if row.group_finding is not None:
                    row.group_finding.out_of_date = row.group_out_of_date
                    found.append(row.group_finding)
            return self._page(found, GroupFindingSerializer)
        data = GroupFindingWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        finding = services.group_finding_save(
            assessment=assessment, answer=d["answer"], by=request.user, rating=d["rating"], finding=d["finding"]
        )
        finding = GroupFinding.objects.select_related("recorded_by", "answer__indicator").get(pk=finding.pk)
        return Response(GroupFindingSerializer(finding).data)

    @extend_schema(methods=["GET"], responses={200: InformationRequestSerializer(many=True), **ERRORS})
    @extend_schema(
        methods=["POST"],
        request=InformationRequestWriteSerializer,
        responses={201: InformationRequestSerializer, **ERRORS},
    )
    @action(detail=True, methods=["get", "post"])
    def requests(self, request, pk=None):
        """Requests for information with their threads; POST asks the site a question on one indicator."""
        assessment = self.get_assessment()
        if request.method == "GET":
            reqs = [r for row in self._rows() for r in row.requests]
            return self._page(reqs, InformationRequestSerializer)
        data = InformationRequestWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        req = services.information_request_create(
            assessment=assessment,
            answer=data.validated_data["answer"],
            by=request.user,
            question=data.validated_data["question"],
        )
        return Response(InformationRequestSerializer(req).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], responses={200: RecommendationSerializer, **ERRORS})
    @extend_schema(
        methods=["POST"], request=RecommendationWriteSerializer, responses={200: RecommendationSerializer, **ERRORS}
    )
    @action(detail=True, methods=["get", "post"])
    def recommendation(self, request, pk=None):
        """The group's recommendation and the independent reviewer's check."""
        assessment = self.get_assessment()
        if request.method == "GET":
            summary = AssessmentReview.objects.filter(assessment=assessment).first()
            released = bool(summary and summary.findings_released_at)
            if summary is None or not rules.can_see_group_findings(request.user, assessment, released):
                raise Http404("No recommendation visible.")
            return Response(RecommendationSerializer(summary).data)
        data = RecommendationWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        summary = services.recommendation_make(
            assessment=assessment,
            by=request.user,
            outcome=data.validated_data["outcome"],
            reasons=data.validated_data["reasons"],
        )
        return Response(RecommendationSerializer(summary).data)

    @extend_schema(request=ConfirmSerializer, responses={200: RecommendationSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """The independent reviewer confirms the process (the assessment moves on) or returns it."""
        data = ConfirmSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        summary = services.process_confirm(
            assessment=self.get_assessment(),
            by=request.user,
            confirmed=data.validated_data["confirmed"],
            note=data.validated_data["note"],
        )
        return Response(RecommendationSerializer(summary).data)

    @extend_schema(request=PhaseSerializer, responses={200: PhaseResultSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def phase(self, request, pk=None):
        """Staff: start the review, send it back to the site with the open questions, release findings."""
        assessment = self.get_assessment()
        data = PhaseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        what = data.validated_data["action"]
        released = None
        if what == "start":
            services.review_start(assessment=assessment, by=request.user)
        elif what == "send_back":
            services.review_send_back(assessment=assessment, by=request.user, note=data.validated_data["note"])
        else:
            released = services.findings_release(assessment=assessment, by=request.user).findings_released_at
        return Response({"status": assessment.status, "findings_released_at": released})


class InformationRequestViewSet(viewsets.GenericViewSet):
    """Threads of requests for information (listed per assessment under review-assessments)."""

    queryset = InformationRequest.objects.none()
    serializer_class = InformationRequestSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(request=ReplyWriteSerializer, responses={201: ReplySerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def replies(self, request, pk=None):
        """Answer a question (the site team may attach evidence: ids, or a new `file` as multipart)."""
        req = selectors.get_request_for_user(request.user, pk)
        data = ReplyWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        reply = services.information_reply_create(
            request=req,
            by=request.user,
            text=d["text"],
            evidence_ids=d["evidence"],
            file=d.get("file"),
            file_title=d["file_title"],
        )
        return Response(ReplySerializer(reply).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: InformationRequestSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        req = selectors.get_request_for_user(request.user, pk)
        services.information_request_close(request=req, by=request.user)
        return Response(InformationRequestSerializer(req).data)


class AgreementView(APIView):
    """Staff: agreement between sites and experts, per assessment and per expert."""

    @extend_schema(responses={200: AgreementSerializer, **ERRORS})
    def get(self, request):
        if not rules.can_see_agreement(request.user):
            raise Http404
        return Response(
            AgreementSerializer(
                {"per_assessment": selectors.assessment_agreement(), "per_expert": selectors.expert_agreement()}
            ).data
        )
