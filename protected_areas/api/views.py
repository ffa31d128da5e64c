from drf_spectacular.utils import extend_schema
from rest_framework import permissions, viewsets
from rest_framework.decorators import action
from rest_framework_gis.pagination import GeoJsonPagination

from core.pagination import CheckedPageNumberMixin
from protected_areas.filters import ProtectedAreaFilter
from protected_areas.models import BoundaryVersion, ProtectedArea
from protected_areas.pagination import NameSearchPaginator
from protected_areas.selectors import LIST_DEFERRED, MAP_ONLY

from .serializers import BoundaryVersionSerializer, ProtectedAreaDetailSerializer, ProtectedAreaListSerializer


class Pagination(CheckedPageNumberMixin, GeoJsonPagination):
    page_size = 50
    max_page_size = 500

    def paginate_queryset(self, queryset, request, view=None):
        # A name search counts its matches up to SEARCH_COUNT_CAP and picks a page's ids from an index
        # (protected_areas.pagination); `count` then says at most 1,000.
        if request.query_params.get("q", "").strip() and getattr(view, "action", None) == "list":
            self.django_paginator_class = NameSearchPaginator
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response_schema(self, schema):
        # rest_framework_gis keeps DRF's "results" in `required` and documents "features" as a whole
        # FeatureCollection; the body carries a list of Feature objects there (schemathesis caught it).
        collection = super().get_paginated_response_schema(schema)
        ref = collection["properties"]["features"].get("$ref", "")
        if ref.endswith("List"):
            collection["properties"]["features"] = {"type": "array", "items": {"$ref": ref[: -len("List")]}}
        collection["required"] = ["type", "count", "features"]
        return collection


class ProtectedAreaViewSet(viewsets.ReadOnlyModelViewSet):
    """Protected and conserved areas as GeoJSON. WDPA data is public: anyone may read it."""

    permission_classes = [permissions.AllowAny]
    pagination_class = Pagination
    filterset_class = ProtectedAreaFilter
    queryset = ProtectedArea.objects.none()

    def get_queryset(self):
        qs = ProtectedArea.objects.visible_to(self.request.user)
        if self.action == "list":
            return qs.defer(*LIST_DEFERRED)
        return qs.defer(*MAP_ONLY)

    def get_serializer_class(self):
        if self.action == "list":
            return ProtectedAreaListSerializer
        if self.action == "boundary_versions":
            return BoundaryVersionSerializer
        return ProtectedAreaDetailSerializer

    # A list, paginated like the area list (a GeoJSON FeatureCollection with `count` and `page`):
    # without `many=True` the schema documented one Feature and no `page`.
    @extend_schema(filters=False, responses=BoundaryVersionSerializer(many=True))
    @action(detail=True, url_path="boundary-versions", filterset_class=None)
    def boundary_versions(self, request, pk=None):
        """The boundaries this area has had, newest first, each with its area change and shift."""
        area = self.get_object()
        versions = BoundaryVersion.objects.filter(protected_area=area).order_by("-version")
        page = self.paginate_queryset(versions)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
