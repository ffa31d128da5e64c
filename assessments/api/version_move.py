"""The API of moving a running assessment to another version of the Standard (issue 14): the same
rules, service and errors as the pages (assessments.version_move)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, mixins, serializers, status, viewsets
from rest_framework.response import Response

from accounts import rules
from assessments import error_codes, selectors, version_move
from assessments.models import AssessmentVersionMove
from core.api import ErrorSerializer
from core.errors import DomainError, NotAllowed
from standards.models import Standard

ASSESSMENT_PK = OpenApiParameter("assessment_pk", int, OpenApiParameter.PATH, description="Assessment id")


class ReportLineSerializer(serializers.Serializer):
    number_from = serializers.CharField(allow_null=True, help_text="The indicator's number before the move.")
    number_to = serializers.CharField(allow_null=True, help_text="Its number in the version moved to.")
    lineage = serializers.CharField()
    title = serializers.CharField()
    outcome = serializers.ChoiceField(choices=AssessmentVersionMove.Outcome.choices)
    answer = serializers.IntegerField(
        allow_null=True, help_text="The answer's id (a dropped answer's former id; none in a dry run's new answers)."
    )
    rating_cleared = serializers.CharField(
        allow_null=True, help_text="A rating the new scale lacks, cleared from the carried answer."
    )


class CountsSerializer(serializers.Serializer):
    carried = serializers.IntegerField()
    carried_reworded = serializers.IntegerField()
    needs_answer = serializers.IntegerField()
    dropped = serializers.IntegerField()


class VersionMoveSerializer(serializers.ModelSerializer):
    by: serializers.StringRelatedField[Any] = serializers.StringRelatedField()
    from_version = serializers.CharField(source="from_standard.version", read_only=True)
    to_version = serializers.CharField(source="to_standard.version", read_only=True)
    counts = CountsSerializer(read_only=True)
    report = ReportLineSerializer(many=True, read_only=True)

    class Meta:
        model = AssessmentVersionMove
        fields = [
            "id",
            "assessment",
            "from_standard",
            "from_version",
            "to_standard",
            "to_version",
            "from_adapted_set",
            "to_adapted_set",
            "by",
            "at",
            "counts",
            "report",
        ]
        read_only_fields = fields


class VersionMoveRequestSerializer(serializers.Serializer):
    standard = serializers.IntegerField(help_text="The published version to move to.")
    dry_run = serializers.BooleanField(default=False, help_text="Only report what the move would do.")


class VersionMovePreviewSerializer(serializers.Serializer):
    """A dry run: what the move would do, nothing written."""

    dry_run = serializers.BooleanField()
    to_standard = serializers.IntegerField()
    to_version = serializers.CharField()
    to_adapted_set = serializers.IntegerField(allow_null=True)
    counts = CountsSerializer()
    report = ReportLineSerializer(many=True)


ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="No such version, a draft, another Standard, or the same one"),
    403: OpenApiResponse(ErrorSerializer, description="Not IUCN staff (`version_move_not_allowed`)"),
    404: OpenApiResponse(ErrorSerializer, description="Not found or not visible to you"),
    409: OpenApiResponse(
        ErrorSerializer,
        description="The assessment was submitted and keeps its version (`assessment_submitted_keeps_version`)",
    ),
}


class VersionMoveViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The moves of an assessment to other versions of the Standard, each with its report: for IUCN
    staff and the site's team, who write again what the move could not carry."""

    serializer_class = VersionMoveSerializer
    pagination_class = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return AssessmentVersionMove.objects.none()
        assessment = selectors.get_assessment_for_user(self.request.user, self.kwargs["assessment_pk"])
        version_move.check_may_view_moves(self.request.user, assessment)
        return (
            AssessmentVersionMove.objects.filter(assessment=assessment)
            .select_related("from_standard", "to_standard", "by")
            .order_by("-at", "-id")
        )


class MoveVersionView(generics.GenericAPIView):
    """Move the assessment to another published version of the Standard (IUCN staff; never a
    submitted assessment): 201 with the move and its report; with `dry_run`, 200 with the report of
    what the move would do, nothing written."""

    serializer_class = VersionMoveRequestSerializer

    @extend_schema(
        parameters=[ASSESSMENT_PK],
        request=VersionMoveRequestSerializer,
        responses={200: VersionMovePreviewSerializer, 201: VersionMoveSerializer, **ERRORS},
    )
    def post(self, request, assessment_pk: int):
        assessment = selectors.get_assessment_for_user(request.user, assessment_pk)  # 404 before anything else
        if not rules.can_move_assessment_version(request.user):
            raise NotAllowed(
                error_codes.VERSION_MOVE_NOT_ALLOWED, _("Only IUCN staff can move an assessment to another version.")
            )
        data = VersionMoveRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        target = Standard.objects.filter(pk=data.validated_data["standard"]).first()
        if target is None:
            raise DomainError(
                error_codes.VERSION_TARGET_INVALID, _("No such version of the Standard."), field="standard"
            )
        if data.validated_data["dry_run"]:
            plan = version_move.version_move_preview(assessment, target)
            body = {
                "dry_run": True,
                "to_standard": target.pk,
                "to_version": target.version,
                "to_adapted_set": plan.adapted_set.pk if plan.adapted_set else None,
                "counts": plan.counts,
                "report": plan.lines,
            }
            return Response(VersionMovePreviewSerializer(body).data)
        move = version_move.version_move(assessment, target, by=request.user)
        return Response(VersionMoveSerializer(move).data, status=status.HTTP_201_CREATED)
