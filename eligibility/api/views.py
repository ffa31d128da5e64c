"""The eligibility gate's API: the same selectors, services, rules and errors as its page."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import ErrorSerializer
from eligibility import selectors, services

from .serializers import (
    CheckWriteSerializer,
    EvaluationWriteSerializer,
    GateStateSerializer,
    OverrideWriteSerializer,
    RecordSerializer,
)

ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Invalid input (stable `code`), e.g. reasons missing"),
    403: OpenApiResponse(ErrorSerializer, description="Your role may not record this step"),
    404: OpenApiResponse(ErrorSerializer, description="Not found or not visible to you"),
    409: OpenApiResponse(ErrorSerializer, description="Not in the application phase, or nothing to check yet"),
}


def _state_body(assessment) -> dict:
    state = selectors.gate_state(assessment)
    return {
        "assessment": assessment.pk,
        "status": assessment.status,
        "established": state.established,
        "missing": [{"code": m.code, "text": str(m.text)} for m in state.missing],
        "precheck": [
            {"code": i.code, "name": str(i.label), "passed": i.passed, "reason": str(i.reason)} for i in state.precheck
        ],
        "sites": [
            {
                "protected_area": entry.site.protected_area_id,
                "name": entry.site.protected_area.name,
                "wdpa_id": entry.site.protected_area.wdpa_id,
                "connection": entry.site.connection,
                "shared_values": entry.site.shared_values,
                "precheck": [
                    {"code": i.code, "name": str(i.label), "passed": i.passed, "reason": str(i.reason)}
                    for i in entry.items
                ],
            }
            for entry in state.sites
        ],
        "answers": [
            {
                "number": a.indicator.number,
                "rating": a.rating,
                "rating_label": label,
                "justification": a.justification,
            }
            for a, label in state.answers
        ],
        "evaluation": state.evaluation,
        "check": state.check,
        "override": state.override,
        "history": state.history,
    }


class EligibilityStateView(APIView):
    """The eligibility gate of an assessment (application → candidate): the WDPA pre-check, the
    site's answers to 2.1.1/2.1.2, the records in effect and what is missing."""

    @extend_schema(responses={200: GateStateSerializer, **ERRORS})
    def get(self, request, pk):
        assessment, _jurisdiction = selectors.get_assessment_for_eligibility(request.user, pk)
        return Response(GateStateSerializer(_state_body(assessment)).data)


class _RecordView(APIView):
    write_serializer: type = EvaluationWriteSerializer

    def post(self, request, pk):
        assessment, _jurisdiction = selectors.get_assessment_for_eligibility(request.user, pk)
        data = self.write_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        record = self.record(assessment, request.user, data.validated_data)
        return Response(RecordSerializer(record).data, status=status.HTTP_201_CREATED)


class EvaluationView(_RecordView):
    """The Expert Assessment Group's evaluation (an active accredited expert of the site's jurisdiction)."""

    write_serializer = EvaluationWriteSerializer

    @extend_schema(request=EvaluationWriteSerializer, responses={201: RecordSerializer, **ERRORS})
    def post(self, request, pk):
        return super().post(request, pk)

    def record(self, assessment, user, data):
        return services.evaluation_record(
            assessment=assessment, by=user, eligible=data["eligible"], reasons=data["reasons"]
        )


class CheckView(_RecordView):
    """The independent reviewer's check of the group's evaluation in effect."""

    write_serializer = CheckWriteSerializer

    @extend_schema(request=CheckWriteSerializer, responses={201: RecordSerializer, **ERRORS})
    def post(self, request, pk):
        return super().post(request, pk)

    def record(self, assessment, user, data):
        return services.check_record(
            assessment=assessment, by=user, confirmed=data["confirmed"], reasons=data["reasons"]
        )


class OverrideView(_RecordView):
    """IUCN staff's override: the assessment may become a candidate without both positive records."""

    write_serializer = OverrideWriteSerializer

    @extend_schema(request=OverrideWriteSerializer, responses={201: RecordSerializer, **ERRORS})
    def post(self, request, pk):
        return super().post(request, pk)

    def record(self, assessment, user, data):
        return services.override_record(assessment=assessment, by=user, reasons=data["reasons"])
