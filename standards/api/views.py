from django.db.models import Prefetch
from rest_framework import viewsets

from standards.models import Component, Criterion, Indicator
from standards.selectors import standards_visible

from .serializers import StandardDetailSerializer, StandardSerializer


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
