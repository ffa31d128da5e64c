from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from core.api import ErrorSerializer
from standards import services
from standards.filters import JurisdictionFilter
from standards.models import Component, Criterion, Indicator
from standards.selectors import jurisdictions_visible, standards_visible

from .serializers import (
    JurisdictionSerializer,
    JurisdictionWriteSerializer,
    StandardDetailSerializer,
    StandardSerializer,
)


class StandardViewSet(viewsets.ReadOnlyModelViewSet):
    """Versions of the Green List Standard; the detail holds components → criteria → indicators."""

    def get_queryset(self):
        qs = standards_visible(self.request.user).order_by("-loaded_at", "-id")
        if self.action == "retrieve":
            qs = qs.prefetch_related(
                Prefetch(
                    "components",
                    queryset=Component.objects.order_by("position").prefetch_related(
                        Prefetch(
                            "criteria",
                            queryset=Criterion.objects.order_by("position").prefetch_related(
                                Prefetch("indicators", queryset=Indicator.objects.order_by("position"))
                            ),
                        )
                    ),
                )
            )
        return qs

    def get_serializer_class(self):
        return StandardDetailSerializer if self.action == "retrieve" else StandardSerializer


ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Invalid input (stable `code`)"),
    403: OpenApiResponse(ErrorSerializer, description="Not allowed (code `not_staff`)"),
    404: OpenApiResponse(ErrorSerializer, description="Not found"),
}


@extend_schema_view(
    retrieve=extend_schema(responses={200: JurisdictionSerializer, 404: ERRORS[404]}),
    create=extend_schema(request=JurisdictionWriteSerializer, responses={201: JurisdictionSerializer, **ERRORS}),
    partial_update=extend_schema(
        request=JurisdictionWriteSerializer, responses={200: JurisdictionSerializer, **ERRORS}
    ),
)
class JurisdictionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Jurisdictions: the countries or regions whose Expert Assessment Group applies the Standard
    there. Anyone logged in reads them; whoever the admin lets (IUCN staff) adds and changes them.
    They are not deleted: roles, invitations and adapted indicator sets point to them."""

    serializer_class = JurisdictionSerializer
    filterset_class = JurisdictionFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return jurisdictions_visible(self.request.user)

    def create(self, request, *args, **kwargs):
        services.jurisdiction_editor_required(request.user)
        data = JurisdictionWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        jurisdiction = services.jurisdiction_create(by=request.user, **data.validated_data)
        return Response(JurisdictionSerializer(jurisdiction).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        jurisdiction = self.get_object()
        services.jurisdiction_editor_required(request.user)
        data = JurisdictionWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        jurisdiction = services.jurisdiction_update(
            jurisdiction=jurisdiction, by=request.user, changes=dict(data.validated_data)
        )
        return Response(JurisdictionSerializer(jurisdiction).data)
