"""The monitoring API: an area's datasets (list, upload), one dataset, its values (JSON or CSV) and
processing it again. The same selectors, services, rules and errors as the pages."""

from __future__ import annotations

import csv
import io

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import renderers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import ErrorSerializer, JSONParser
from core.errors import DomainError, NotAllowed
from monitoring import error_codes, rules, selectors, services
from monitoring.choices import Metric, Zone
from protected_areas.models import ProtectedArea

from .serializers import MonitoringDatasetSerializer, MonitoringValueSerializer, UploadSerializer

ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Invalid input (stable `code`), e.g. a parameter out of range"),
    403: OpenApiResponse(ErrorSerializer, description="Not signed in, or your role may not see or add this data"),
    404: OpenApiResponse(ErrorSerializer, description="Not found or not visible to you"),
}
CONFLICT = {409: OpenApiResponse(ErrorSerializer, description="The dataset is being processed")}
PARAMS = ("min_confidence", "year", "duration_s", "canopy_threshold", "buffer_km", "min_trap_nights", "min_records")
CSV_COLUMNS = list(MonitoringValueSerializer.Meta.fields)


def _area_for(user, pk: int) -> ProtectedArea:
    area = get_object_or_404(ProtectedArea, pk=pk)
    if not rules.can_view_monitoring(user, area):
        raise NotAllowed(
            error_codes.MONITORING_ROLE,
            _("Only the site team, IUCN staff and the experts reviewing this area see its monitoring data."),
        )
    return area


def _dataset_for(user, pk: int):
    return get_object_or_404(selectors.datasets_visible_to(user).prefetch_related("files", "transitions"), pk=pk)


class AreaMonitoringView(APIView):
    """An area's monitoring datasets (GET), or add one (POST, multipart: the site team and IUCN staff).
    A new dataset is `received`; a worker reads it (`processing`), then it is `ready` with its values or
    `failed` with its problems (file, row, column)."""

    # Files come as multipart; a JSON body (no files) is parsed to say what is missing, not refused as 415.
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(responses={200: MonitoringDatasetSerializer(many=True), **ERRORS})
    def get(self, request, pk):
        area = _area_for(request.user, pk)
        datasets = selectors.area_datasets(area).prefetch_related("files", "transitions")
        return Response(MonitoringDatasetSerializer(datasets, many=True).data)

    @extend_schema(
        request={"multipart/form-data": UploadSerializer}, responses={201: MonitoringDatasetSerializer, **ERRORS}
    )
    def post(self, request, pk):
        area = _area_for(request.user, pk)
        if not rules.can_add_monitoring(request.user, area):  # before the body is read
            raise NotAllowed(
                error_codes.MONITORING_ROLE, _("Only the site team of this area and IUCN staff add monitoring data.")
            )
        data = UploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        dataset = services.add_dataset(
            area=area,
            title=values["title"],
            files=[(f.name, f) for f in values["files"]],
            by=request.user,
            kind=values.get("kind", ""),
            params={name: values[name] for name in PARAMS if name in values},
            sensitive=values["sensitive"],
        )
        return Response(MonitoringDatasetSerializer(_dataset_for(request.user, dataset.pk)).data, status=201)


class MonitoringDatasetView(APIView):
    """One dataset: its status and moves, its files (names, sizes, SHA-256), the problems its reading met
    and the summary of what was found."""

    @extend_schema(responses={200: MonitoringDatasetSerializer, **ERRORS})
    def get(self, request, pk):
        return Response(MonitoringDatasetSerializer(_dataset_for(request.user, pk)).data)


class CSVRenderer(renderers.BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(data if isinstance(data, list) else [])
        return out.getvalue().encode("utf-8")


class MonitoringValuesView(APIView):
    """A dataset's tidy values, one row per metric × taxon × zone × period (empty until the dataset is
    ready): JSON, or CSV with `?format=csv` or `Accept: text/csv`. `comparable` is false where the period
    is not to be compared with others, and `not_comparable_reason` says why (`effort`: too little;
    `sites`: camera traps at other sites than in the other years; `coverage`: a zone the raster
    covers only in part); `ci_low`/`ci_high` are the 95 % interval where the
    method gives one (docs/monitoring.md)."""

    renderer_classes = [renderers.JSONRenderer, CSVRenderer]

    @extend_schema(
        parameters=[
            OpenApiParameter("metric", enum=Metric.values, required=False),
            OpenApiParameter("zone", enum=Zone.values, required=False),
            OpenApiParameter("taxon", str, required=False, description="The scientific name, exactly."),
            OpenApiParameter("format", enum=["json", "csv"], required=False),
        ],
        responses={
            (200, "application/json"): MonitoringValueSerializer(many=True),
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="The same rows as CSV"),
            **ERRORS,
        },
    )
    def get(self, request, pk):
        dataset = _dataset_for(request.user, pk)
        values = selectors.ready_values([dataset]).select_related("boundary")
        for name, allowed in (("metric", Metric.values), ("zone", Zone.values)):
            chosen = request.query_params.get(name)
            if chosen is None:
                continue
            if chosen not in allowed:
                raise DomainError(
                    error_codes.MONITORING_FILTER_INVALID,
                    _("“%(value)s” is not a %(name)s; use one of: %(allowed)s.")
                    % {"value": chosen[:100], "name": name, "allowed": ", ".join(allowed)},
                    field=name,
                )
            values = values.filter(**{name: chosen})
        if "taxon" in request.query_params:
            values = values.filter(taxon=request.query_params["taxon"])
        body = MonitoringValueSerializer(values, many=True).data
        headers = {}
        if request.accepted_renderer.format == "csv":
            headers["Content-Disposition"] = f'attachment; filename="monitoring-{dataset.pk}.csv"'
        return Response(body, headers=headers)

    def handle_exception(self, exc):
        # Errors are the API's one JSON error body, whatever format the values were asked in.
        self.request.accepted_renderer = renderers.JSONRenderer()
        self.request.accepted_media_type = "application/json"
        return super().handle_exception(exc)


class MonitoringProcessView(APIView):
    """Process the dataset again (the site team and IUCN staff), e.g. after a fix of its reader: 202, and
    a worker replaces its values in one transaction."""

    @extend_schema(request=None, responses={202: MonitoringDatasetSerializer, **ERRORS, **CONFLICT})
    def post(self, request, pk):
        dataset = _dataset_for(request.user, pk)
        dataset = services.request_processing(dataset, by=request.user)
        return Response(MonitoringDatasetSerializer(dataset).data, status=status.HTTP_202_ACCEPTED)
