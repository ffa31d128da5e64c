"""The site visits' API: the same selectors, services, rules and errors as their pages."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from assessments.selectors import get_assessment_for_user
from core.api import ErrorSerializer, JSONParser
from core.errors import NotAllowed
from visits import error_codes, rules, selectors, services

from .serializers import (
    CancelSerializer,
    EvidenceAddedSerializer,
    EvidenceAddSerializer,
    HeldSerializer,
    PlanSerializer,
    SiteVisitSerializer,
)

ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Invalid input (stable `code`), e.g. a held date in the future"),
    403: OpenApiResponse(ErrorSerializer, description="Your role may not manage site visits"),
    404: OpenApiResponse(ErrorSerializer, description="Not found or not visible to you"),
    409: OpenApiResponse(ErrorSerializer, description="Not in the candidate phase or its review, or a final status"),
}


def _refuse_unless_manager(user, assessment) -> None:
    # Before the body is read: a role that may not act learns that, not what was wrong with its input.
    if not rules.can_manage_visits(user, assessment):
        raise NotAllowed(error_codes.VISIT_ROLE, _("Only IUCN staff and the assigned expert group manage site visits."))


def _body(request, visit) -> dict:
    visit.show_notes = rules.can_see_visit_notes(
        request.user, visit.assessment, released=visit.notes_released_at is not None
    )
    return SiteVisitSerializer(visit).data


class AssessmentVisitsView(APIView):
    """An assessment's site visits (GET), or plan one (POST: staff and the assigned experts)."""

    @extend_schema(responses={200: SiteVisitSerializer(many=True), **ERRORS})
    def get(self, request, pk):
        assessment = get_assessment_for_user(request.user, pk)
        return Response([_body(request, v) for v in selectors.visits_of(assessment.pk, request.user)])

    @extend_schema(request=PlanSerializer, responses={201: SiteVisitSerializer, **ERRORS})
    def post(self, request, pk):
        assessment = get_assessment_for_user(request.user, pk)
        _refuse_unless_manager(request.user, assessment)
        data = PlanSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        visit = services.visit_plan(assessment=assessment, by=request.user, **data.validated_data)
        visit = selectors.get_visit_for_user(request.user, visit.pk)
        return Response(_body(request, visit), status=status.HTTP_201_CREATED)


class SiteVisitView(APIView):
    """One site visit: its dates, agenda, participants, evidence and moves; the group's notes as the
    caller may read them."""

    @extend_schema(responses={200: SiteVisitSerializer, **ERRORS})
    def get(self, request, pk):
        return Response(_body(request, selectors.get_visit_for_user(request.user, pk)))


class _VisitAction(APIView):
    write_serializer: type = HeldSerializer

    def post(self, request, pk):
        visit = selectors.get_visit_for_user(request.user, pk)
        _refuse_unless_manager(request.user, visit.assessment)
        data = self.write_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = self.act(visit, request.user, data.validated_data)
        if result is not None:
            return result
        return Response(_body(request, selectors.get_visit_for_user(request.user, pk)))


class VisitHeldView(_VisitAction):
    """Record the visit as held (planned → held): the dates it took place (not before it was planned,
    not in the future), the group's notes."""

    write_serializer = HeldSerializer

    @extend_schema(request=HeldSerializer, responses={200: SiteVisitSerializer, **ERRORS})
    def post(self, request, pk):
        return super().post(request, pk)

    def act(self, visit, user, data):
        services.visit_record_held(visit=visit, by=user, **data)


class VisitCancelView(_VisitAction):
    """Cancel a planned visit, with the reason."""

    write_serializer = CancelSerializer

    @extend_schema(request=CancelSerializer, responses={200: SiteVisitSerializer, **ERRORS})
    def post(self, request, pk):
        return super().post(request, pk)

    def act(self, visit, user, data):
        services.visit_cancel(visit=visit, by=user, reason=data["reason"])


class VisitReleaseNotesView(_VisitAction):
    """Let the site team read the group's notes of a held visit."""

    write_serializer = serializers.Serializer  # nothing to send

    @extend_schema(request=None, responses={200: SiteVisitSerializer, **ERRORS})
    def post(self, request, pk):
        return super().post(request, pk)

    def act(self, visit, user, data):
        services.visit_notes_release(visit=visit, by=user)


class VisitEvidenceView(_VisitAction):
    """Add a photo or GPS track of a held visit as evidence of the assessment (the evidence pipeline
    checks and processes it like any upload), linked to `indicators`."""

    write_serializer = EvidenceAddSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        request={"multipart/form-data": EvidenceAddSerializer}, responses={201: EvidenceAddedSerializer, **ERRORS}
    )
    def post(self, request, pk):
        return super().post(request, pk)

    def act(self, visit, user, data):
        item = services.visit_evidence_add(
            visit=visit, by=user, file=data["file"], title=data.get("title", ""), indicators=data.get("indicators", [])
        )
        return Response(EvidenceAddedSerializer(item).data, status=status.HTTP_201_CREATED)
