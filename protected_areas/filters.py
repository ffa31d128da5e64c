"""Filters shared by the list page and the API."""

import django_filters
from django import forms
from django.contrib.gis.geos import Polygon
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from . import error_codes
from .choices import IucnCategory
from .models import ProtectedArea
from .search import with_name_containing


class BBoxField(forms.CharField):
    """`min_lon,min_lat,max_lon,max_lat` in WGS 84."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        try:
            west, south, east, north = (float(part) for part in value.split(","))
        except ValueError:
            raise forms.ValidationError(
                _("Give four numbers: min_lon,min_lat,max_lon,max_lat."), code=error_codes.BBOX_INVALID
            )
        if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
            raise forms.ValidationError(
                _("The box must have min < max, longitudes within ±180 and latitudes within ±90."),
                code=error_codes.BBOX_INVALID,
            )
        return Polygon.from_bbox((west, south, east, north))


@extend_schema_field(OpenApiTypes.STR)
class BBoxFilter(django_filters.Filter):
    field_class = BBoxField

    def filter(self, qs, value):
        if value is None:
            return qs
        value.srid = 4326
        return qs.filter(Q(geom_display__bboverlaps=value) | Q(geom__isnull=True, point__intersects=value))


class ProtectedAreaFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Name"), max_length=200)
    country = django_filters.CharFilter(method="filter_country", label=_("Country (ISO3)"), max_length=3, min_length=3)
    iucn_category = django_filters.ChoiceFilter(choices=IucnCategory.choices, label=_("IUCN category"))
    designation = django_filters.CharFilter(method="filter_designation", label=_("Designation"), max_length=200)
    bbox = BBoxFilter(label=_("Bounding box (min_lon,min_lat,max_lon,max_lat)"))

    class Meta:
        model = ProtectedArea
        fields = ["q", "country", "iucn_category", "designation", "bbox"]

    def filter_q(self, qs, name, value):
        # Accents and case ignored (protected_areas.search), in the list's own order: pages come from
        # NameSearchPaginator, which picks a page's ids from pa_name_order without reading the rows
        # that do not match.
        return with_name_containing(qs, value).order_by("name", "id")

    def filter_country(self, qs, name, value):
        return qs.filter(iso3__contains=[value.upper()])

    def filter_designation(self, qs, name, value):
        return qs.filter(Q(designation_eng__icontains=value) | Q(designation__icontains=value))
