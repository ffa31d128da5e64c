from drf_spectacular.utils import extend_schema
from rest_framework import permissions, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework_gis.pagination import GeoJsonPagination

from core.pagination import CheckedPageNumberMixin
from core.replica import reads_from_replica
from protected_areas.filters import ProtectedAreaFilter
from protected_areas.models import BoundaryVersion, ProtectedArea
from protected_areas.pagination import Cursor, LargeTablePaginator, NameSearchPaginator, keyset_page, sort_key_of
from protected_areas.selectors import LIST_DEFERRED, MAP_ONLY

from .serializers import BoundaryVersionSerializer, ProtectedAreaDetailSerializer, ProtectedAreaListSerializer


class Pagination(CheckedPageNumberMixin, GeoJsonPagination):
    page_size = 50
    max_page_size = 500

    def get_paginated_response_schema(self, schema):
        # rest_framework_gis keeps DRF's "results" in `required` and documents "features" as a whole
        # FeatureCollection; the body carries a list of Feature objects there (schemathesis caught it).
        collection = super().get_paginated_response_schema(schema)
        ref = collection["properties"]["features"].get("$ref", "")
        if ref.endswith("List"):
            collection["properties"]["features"] = {"type": "array", "items": {"$ref": ref[: -len("List")]}}
        collection["required"] = ["type", "count", "features"]
        return collection


class AreaListPagination(Pagination):
    """The area list in keyset pages (protected_areas.pagination): `next` and `previous` continue
    from the row at the edge of this page (`after`, `before`), so every page takes the time of the
    first, however deep. `page` is still answered (by OFFSET, slower the deeper) and `count`
    is the table's estimate when unfiltered, as on the list page."""

    django_paginator_class = LargeTablePaginator
    cursor_params = ("after", "before")

    def paginate_queryset(self, queryset, request, view=None):
        # A name search counts its matches up to SEARCH_COUNT_CAP and picks a page's ids from an index
        # (protected_areas.pagination); `count` then says at most 1,000.
        searching = bool(request.query_params.get("q", "").strip())
        self.django_paginator_class = NameSearchPaginator if searching else LargeTablePaginator
        self.request = request
        self.keyset = None
        queryset = queryset.annotate(keyset_key=sort_key_of(queryset))
        raw = {param: request.query_params.get(param) for param in self.cursor_params}
        if not any(raw.values()):
            rows = super().paginate_queryset(queryset, request, view)
            self.edges = (rows[0], rows[-1]) if rows else None
            return rows
        size = self.get_page_size(request)
        cursors = {param: Cursor.decode(value, field=param) for param, value in raw.items() if value}
        self.keyset = keyset_page(queryset, size=size, **cursors)
        self.count = self.django_paginator_class(queryset, size).count
        return self.keyset.rows

    def get_paginated_response(self, data):
        if self.keyset is None:
            return super().get_paginated_response(data)
        return Response(
            {
                "type": "FeatureCollection",
                "count": self.count,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "features": data["features"],
            }
        )

    def _link(self, param: str, cursor: Cursor | None) -> str | None:
        if cursor is None:
            return None
        url = self.request.build_absolute_uri()
        for other in (self.page_query_param, *self.cursor_params):
            url = remove_query_param(url, other)
        return replace_query_param(url, param, cursor.encode())

    def get_next_link(self):
        if self.keyset is not None:
            return self._link("after", self.keyset.next_cursor)
        if not self.page.has_next() or self.edges is None:
            return None
        last = self.edges[1]
        return self._link("after", Cursor(last.keyset_key, last.pk))

    def get_previous_link(self):
        if self.keyset is not None:
            return self._link("before", self.keyset.previous_cursor)
        return super().get_previous_link()

    def get_schema_operation_parameters(self, view):
        return [
            *super().get_schema_operation_parameters(view),
            *(
                {
                    "name": param,
                    "required": False,
                    "in": "query",
                    "description": description,
                    "schema": {"type": "string"},
                }
                for param, description in (
                    ("after", "The page after this cursor (the `next` link's; stable while areas are added)."),
                    ("before", "The page before this cursor (the `previous` link's)."),
                )
            ),
        ]


@reads_from_replica
class ProtectedAreaViewSet(viewsets.ReadOnlyModelViewSet):
    """Protected and conserved areas as GeoJSON. WDPA data is public: anyone may read it."""

    permission_classes = [permissions.AllowAny]
    pagination_class = AreaListPagination
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
    @action(detail=True, url_path="boundary-versions", filterset_class=None, pagination_class=Pagination)
    def boundary_versions(self, request, pk=None):
        """The boundaries this area has had, newest first, each with its area change and shift."""
        area = self.get_object()
        versions = BoundaryVersion.objects.filter(protected_area=area).with_boundary().order_by("-version")
        page = self.paginate_queryset(versions)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
