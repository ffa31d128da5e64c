"""Filters of the people, role and accreditation lists (the staff API)."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from . import selectors
from .choices import Role
from .models import RoleAssignment, User

# Far enough ahead for any accreditation; small enough that the date stays in range.
MAX_LAPSING_DAYS = 3650


@extend_schema_field(OpenApiTypes.INT)
class DaysFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class PersonFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(
        method="filter_search", max_length=200, label=_("E-mail address, name or organisation contains")
    )
    role = django_filters.ChoiceFilter(choices=Role.choices, method="filter_role", label=_("Holds this role today"))
    is_active = django_filters.BooleanFilter()

    class Meta:
        model = User
        fields = ["search", "role", "is_active"]

    def filter_search(self, qs, name, value):
        return qs.filter(Q(email__icontains=value) | Q(full_name__icontains=value) | Q(organisation__icontains=value))

    def filter_role(self, qs, name, value):
        return qs.filter(pk__in=RoleAssignment.objects.active().filter(role=value).values("user_id"))


class RoleAssignmentFilter(django_filters.FilterSet):
    role = django_filters.ChoiceFilter(choices=Role.choices)
    active = django_filters.BooleanFilter(method="filter_active", label=_("Held today"))
    lapsing_within = DaysFilter(
        method="filter_lapsing",
        min_value=0,
        max_value=MAX_LAPSING_DAYS,
        label=_("Held today and ending within this many days"),
    )

    class Meta:
        model = RoleAssignment
        fields = ["user", "role", "protected_area", "jurisdiction", "is_chair", "active", "lapsing_within"]

    def filter_active(self, qs, name, value):
        active = RoleAssignment.objects.active().values("pk")
        return qs.filter(pk__in=active) if value else qs.exclude(pk__in=active)

    def filter_lapsing(self, qs, name, value):
        # The same rows as the staff home page's "accreditations lapsing" list.
        return qs.filter(pk__in=selectors.accreditations_lapsing(within_days=value).values("pk"))
