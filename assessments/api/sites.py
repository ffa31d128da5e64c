"""The API of a multi-site application's sites (issue 16): list, add, remove; the same rules, service
and errors as the page (assessments.sites)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from assessments import error_codes, rules, selectors, sites
from assessments.models import CONNECTION_MAX, AssessmentSite
from core.api import ErrorSerializer
from core.errors import DomainError, NotAllowed

ASSESSMENT_PK = OpenApiParameter("assessment_pk", int, OpenApiParameter.PATH, description="Assessment id")
ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Invalid input (stable `code`)"),
    403: OpenApiResponse(
        ErrorSerializer,
        description="Not allowed (`application_sites_not_allowed`; `application_site_not_managed`: a site team adds "
        "only an area it also manages)",
    ),
    404: OpenApiResponse(ErrorSerializer, description="Not found or not visible to you"),
    409: OpenApiResponse(
        ErrorSerializer,
        description="Past the application phase, evaluated by the group already, already added, or in another "
        "open application (stable `code`)",
    ),
}


class ApplicationSiteSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="protected_area.name", read_only=True)
    wdpa_id = serializers.IntegerField(source="protected_area.wdpa_id", read_only=True, allow_null=True)
    added_by = serializers.StringRelatedField()  # type: ignore[var-annotated]

    class Meta:
        model = AssessmentSite
        fields = ["id", "protected_area", "name", "wdpa_id", "connection", "shared_values", "added_by", "added_at"]
        read_only_fields = fields


class ApplicationSiteCreateSerializer(serializers.Serializer):
    protected_area = serializers.IntegerField(
        required=False, min_value=1, help_text="The protected area's id on the platform (or give `wdpa_id`)."
    )
    wdpa_id = serializers.IntegerField(required=False, min_value=1, help_text="The site's WDPA id.")
    connection = serializers.CharField(
        max_length=CONNECTION_MAX, help_text="How the site is ecologically connected to the others."
    )
    shared_values = serializers.CharField(max_length=CONNECTION_MAX, help_text="Which key values they share.")


@extend_schema(parameters=[ASSESSMENT_PK])
@extend_schema_view(
    list=extend_schema(responses={200: ApplicationSiteSerializer(many=True), 404: ERRORS[404]}),
    create=extend_schema(request=ApplicationSiteCreateSerializer, responses={201: ApplicationSiteSerializer, **ERRORS}),
    destroy=extend_schema(responses={204: None, **ERRORS}),
)
class ApplicationSiteViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """The sites an application covers besides its main site, each with the applicant's statement of how
    it is connected to the others and which key values they share. The site team and IUCN staff add and
    remove them in the application phase only."""

    serializer_class = ApplicationSiteSerializer
    pagination_class = None

    def get_assessment(self):
        if not hasattr(self, "_assessment"):
            self._assessment = selectors.get_assessment_for_user(self.request.user, self.kwargs["assessment_pk"])
        return self._assessment

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return AssessmentSite.objects.none()
        return (
            AssessmentSite.objects.filter(assessment=self.get_assessment())
            .select_related("protected_area", "added_by")
            .order_by("protected_area__name", "id")
        )

    def _check_rule(self, assessment) -> None:
        # The rule before the body: whoever may see but never change gets 403, not a 400 about fields.
        if not rules.can_change_application_sites(self.request.user, assessment):
            raise NotAllowed(
                error_codes.SITES_NOT_ALLOWED, _("Only the site team and IUCN staff can change the sites.")
            )

    def create(self, request, *args, **kwargs):
        assessment = self.get_assessment()
        self._check_rule(assessment)
        sites.check_may_change(assessment, request.user)  # the phase (409) before the body (400)
        data = ApplicationSiteCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if "protected_area" not in values and "wdpa_id" not in values:
            raise DomainError(
                error_codes.SITE_AREA_NOT_FOUND,
                _("Name the site: `protected_area` or `wdpa_id`."),
                field="protected_area",
            )
        area = sites.find_area(pk=values.get("protected_area"), wdpa_id=values.get("wdpa_id"))
        site = sites.site_add(
            assessment=assessment,
            area=area,
            by=request.user,
            connection=values["connection"],
            shared_values=values["shared_values"],
        )
        return Response(ApplicationSiteSerializer(site).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, *args, **kwargs):
        assessment = self.get_assessment()
        site = sites.get_site(assessment, kwargs["pk"])
        self._check_rule(assessment)
        sites.site_remove(site=site, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
