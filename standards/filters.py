"""Filters of the jurisdiction list (the API)."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Jurisdiction


class JurisdictionFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(method="filter_search", max_length=200, label=_("Code or name contains"))
    country = django_filters.CharFilter(
        method="filter_country", max_length=3, min_length=3, label=_("Covers this country (ISO3)")
    )

    class Meta:
        model = Jurisdiction
        fields = ["search", "country"]

    def filter_search(self, qs, name, value):
        return qs.filter(Q(code__icontains=value) | Q(name__icontains=value))

    def filter_country(self, qs, name, value):
        return qs.filter(countries__contains=[value.upper()])
