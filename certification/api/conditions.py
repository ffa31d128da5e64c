"""API of the conditions on a listing (issue 16): list and read (whoever may see them), add (IUCN
staff or the Panel's chair), the site team's progress reports, the checker's and staff's moves,
and the open conditions of listed sites, overdue first (the Panel and the secretariat)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from certification import condition_selectors, conditions, error_codes, rules
from certification.choices import ConditionChecker, ConditionStatus
from certification.models import TEXT_MAX, ConditionProgress, ConditionTransition, ListingCondition
from core.api import ErrorSerializer
from core.errors import NotAllowed

ERRORS = {code: ErrorSerializer for code in (400, 403, 404, 409)}


class ConditionItemSerializer(serializers.Serializer):
    """One condition as the Panel's grant or a new condition gives it. The due date and the checker
    are checked by certification.conditions, which answers each field's own code."""

    text = serializers.CharField(max_length=TEXT_MAX, allow_blank=True)
    due_on = serializers.CharField(max_length=32, allow_blank=True, help_text="YYYY-MM-DD")
    checked_by = serializers.CharField(
        max_length=32, allow_blank=True, help_text="One of: " + ", ".join(ConditionChecker.values)
    )


class ConditionCreateSerializer(ConditionItemSerializer):
    certificate = serializers.CharField(max_length=40, help_text="The certificate's number")
    origin = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ConditionProgressSerializer(serializers.ModelSerializer):
    by: serializers.StringRelatedField[Any] = serializers.StringRelatedField()

    class Meta:
        model = ConditionProgress
        fields = ["id", "text", "by", "at"]
        read_only_fields = fields


class ConditionProgressCreateSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=TEXT_MAX)


class ConditionTransitionSerializer(serializers.ModelSerializer):
    by: serializers.StringRelatedField[Any] = serializers.StringRelatedField()

    class Meta:
        model = ConditionTransition
        fields = ["from_status", "to_status", "by", "at", "note"]
        read_only_fields = fields


class ConditionMoveSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=[c for c in ConditionStatus.choices if c[0] != ConditionStatus.OPEN])
    note = serializers.CharField(max_length=TEXT_MAX)


class ListingConditionSerializer(serializers.ModelSerializer):
    certificate: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="number", read_only=True)
    protected_area = serializers.IntegerField(source="certificate.protected_area_id", read_only=True)
    status = serializers.ChoiceField(choices=ConditionStatus.choices, read_only=True)
    checked_by = serializers.ChoiceField(choices=ConditionChecker.choices, read_only=True)
    overdue = serializers.SerializerMethodField()
    origin = serializers.CharField(source="origin_label", read_only=True)
    progress = ConditionProgressSerializer(many=True, read_only=True)
    transitions = ConditionTransitionSerializer(many=True, read_only=True)

    class Meta:
        model = ListingCondition
        fields = [
            "id",
            "certificate",
            "protected_area",
            "decision",
            "text",
            "due_on",
            "checked_by",
            "origin",
            "status",
            "status_note",
            "status_changed_at",
            "overdue",
            "added_at",
            "progress",
            "transitions",
        ]
        read_only_fields = fields

    def get_overdue(self, obj: ListingCondition) -> bool:
        return obj.is_overdue_on(timezone.localdate())


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("certificate", str, description="A certificate's number"),
            OpenApiParameter("status", str, enum=ConditionStatus.values),
        ]
    )
)
class ListingConditionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Conditions on listings: the site team's own, those of the assessments one reviewed, and every
    one for IUCN staff and the Panel's members. Soonest due first."""

    serializer_class = ListingConditionSerializer
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        qs = (
            ListingCondition.objects.visible_to(self.request.user)
            .select_related("certificate")
            .prefetch_related("progress__by", "transitions__by")
            .order_by("due_on", "id")
        )
        number = self.request.query_params.get("certificate")
        if number:
            qs = qs.filter(certificate__number=number[:40])
        wanted = self.request.query_params.get("status")
        if wanted:
            qs = qs.filter(status=wanted if wanted in ConditionStatus.values else "")
        return qs

    def get_object(self):
        condition = condition_selectors.get_condition_for_user(self.request.user, self.kwargs["pk"])
        return self.get_queryset().get(pk=condition.pk)

    def _answer(self, condition: ListingCondition, code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=condition.pk)).data, status=code)

    @extend_schema(request=ConditionCreateSerializer, responses={201: ListingConditionSerializer, **ERRORS})
    def create(self, request, *args, **kwargs):
        """Add a condition to a listed certificate (IUCN staff or the Panel's chair): e.g. a concern's
        outcome or after a mid-term review, said in `origin`."""
        if not rules.can_add_condition(request.user):
            raise NotAllowed(
                error_codes.CONDITION_NOT_ALLOWED, _("Only IUCN staff or the Panel's chair add conditions.")
            )
        data = ConditionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        certificate = condition_selectors.get_certificate_with_conditions_for_user(
            request.user, values.pop("certificate")
        )
        condition = conditions.condition_add(certificate=certificate, by=request.user, **values)
        return self._answer(condition, status.HTTP_201_CREATED)

    @extend_schema(request=ConditionProgressCreateSerializer, responses={201: ListingConditionSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def progress(self, request, pk=None):
        """The site team reports progress on an open condition."""
        condition = condition_selectors.get_condition_for_user(request.user, pk)
        if not rules.can_report_condition_progress(request.user, condition):
            raise NotAllowed(error_codes.CONDITION_NOT_ALLOWED, _("Only the site team reports progress."))
        data = ConditionProgressCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        conditions.condition_report_progress(condition=condition, by=request.user, text=data.validated_data["text"])
        return self._answer(condition, status.HTTP_201_CREATED)

    @extend_schema(request=ConditionMoveSerializer, responses={200: ListingConditionSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """The checker marks the condition fulfilled or not fulfilled; IUCN staff may waive it. A note
        is required."""
        condition = condition_selectors.get_condition_for_user(request.user, pk)
        if not (
            rules.can_waive_condition(request.user)
            or rules.can_check_condition(request.user, condition, condition.decision.assessment)
        ):
            raise NotAllowed(error_codes.CONDITION_ROLE, _("Only the condition's checker or IUCN staff do this."))
        data = ConditionMoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        conditions.condition_transition(condition=condition, by=request.user, **data.validated_data)
        return self._answer(condition)

    @extend_schema(responses={200: ListingConditionSerializer(many=True), **ERRORS})
    @action(detail=False, methods=["get"])
    def open(self, request):
        """Open conditions of listed sites, overdue first (the Panel and IUCN staff)."""
        if not rules.can_see_open_conditions(request.user):
            raise PermissionDenied()
        qs = condition_selectors.open_conditions_of_listed().prefetch_related("progress__by", "transitions__by")
        page = self.paginate_queryset(qs)
        if page is not None:
            return self.get_paginated_response(self.get_serializer(page, many=True).data)
        return Response(self.get_serializer(qs, many=True).data)
