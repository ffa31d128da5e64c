import copy
from typing import Any

from rest_framework import serializers
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from protected_areas.models import BoundaryVersion, ProtectedArea

LIST_FIELDS = (
    "id",
    "wdpa_id",
    "wdpa_pid",
    "site_type",
    "name",
    "orig_name",
    "name_eng",
    "designation",
    "designation_eng",
    "designation_type",
    "iucn_category",
    "governance_type",
    "ownership_type",
    "management_authority",
    "management_plan",
    "realm",
    "status",
    "status_year",
    "iso3",
    "parent_iso3",
    "reported_area_km2",
    "reported_marine_area_km2",
    "area_km2",
    "updated_at",
)


class ProtectedAreaListSerializer(GeoFeatureModelSerializer):
    """A protected area as a GeoJSON feature with its simplified (display) boundary."""

    url = serializers.HyperlinkedIdentityField(view_name="protected_areas:detail")

    class Meta:
        model = ProtectedArea
        geo_field = "geom_display"
        fields = (*LIST_FIELDS, "url")


class ProtectedAreaDetailSerializer(GeoFeatureModelSerializer):
    """A protected area with its full boundary, the point for point-only sites, and source attributes."""

    url = serializers.HyperlinkedIdentityField(view_name="protected_areas:detail")

    class Meta:
        model = ProtectedArea
        geo_field = "geom"
        fields = (*LIST_FIELDS, "point", "attributes", "source", "created_at", "url")


class BoundaryVersionSerializer(GeoFeatureModelSerializer):
    """One boundary an area has had; the highest version is the current one."""

    # Serialises versions read with BoundaryVersion.objects.with_boundary(): the current version's
    # boundary is stored once, on the area (models.BoundaryVersion).

    class Meta:
        model = BoundaryVersion
        geo_field = "geom"
        fields = ("id", "version", "point", "area_km2", "area_change_km2", "shift_km", "source", "created_at")

    def to_representation(self, instance: Any) -> dict:
        if instance.geom is None and instance.point is None:
            instance = copy.copy(instance)
            instance.geom, instance.point = instance.boundary_geom, instance.boundary_point
        return super().to_representation(instance)
