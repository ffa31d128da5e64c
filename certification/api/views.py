"""Certification API: decisions and certificates (staff; a site team reads its own certificates),
and the public Green List feed and verification (no login)."""

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import rules
from assessments.selectors import get_assessment_for_user
from certification import error_codes, panel, selectors, services
from certification.files import certificate_pdf_response
from certification.models import Certificate, CertificateTransition, Decision, PanelSeat
from core.api import ErrorSerializer
from core.errors import DomainError, NotAllowed
from core.replica import reads_from_replica

from .serializers import (
    CertificateSerializer,
    CertificateStatusChangeSerializer,
    DecisionCreateSerializer,
    DecisionSerializer,
    FeedEntrySerializer,
    GreenListFeedSerializer,
    GreenListMapSerializer,
    PanelCaseCreateSerializer,
    PanelCaseSerializer,
    PanelCloseSerializer,
    PanelDeclareSerializer,
    PanelVoteCreateSerializer,
    VerificationSerializer,
)

ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Invalid input (stable `code`)"),
    403: OpenApiResponse(ErrorSerializer, description="Not allowed"),
    404: OpenApiResponse(ErrorSerializer, description="Not found or not visible to you"),
    409: OpenApiResponse(ErrorSerializer, description="Not in a state that allows it"),
}


@extend_schema_view(
    create=extend_schema(request=DecisionCreateSerializer, responses={201: DecisionSerializer, **ERRORS})
)
class DecisionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Certification decisions (IUCN staff)."""

    serializer_class = DecisionSerializer
    filterset_fields = ["outcome", "assessment"]

    def get_queryset(self):
        qs = Decision.objects.select_related("decided_by", "certificate").order_by("-decided_at", "-id")
        return qs if rules.can_manage_certificates(self.request.user) else qs.none()

    def create(self, request, *args, **kwargs):
        """Gone (issue 16): nobody decides alone. Answers 403 `panel_decides` (after the usual 404
        for an assessment one may not see); the Panel's cases are under
        /api/v1/certification/panel-cases/."""
        data = DecisionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        get_assessment_for_user(request.user, fields.pop("assessment"))
        raise NotAllowed(
            error_codes.PANEL_DECIDES,
            services.panel_decides_message(),
            data={"panel_cases": services.PANEL_CASES_URL},
        )


class PanelCaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The Green List Panel's cases (issue 16): every case for IUCN staff, a member's own cases for
    a Panel member. Staff open a case; members declare conflicts and vote; the chair (or staff)
    records the Panel's decision once the rule (settings GREENLIST_PANEL_QUORUM and
    GREENLIST_PANEL_RULE) is met."""

    serializer_class = PanelCaseSerializer
    filterset_fields = ["status", "assessment"]
    lookup_value_regex = r"[0-9]+"  # any other id is no case: 404 from the router, never a 500

    def get_queryset(self):
        from django.db.models import Prefetch

        return (
            selectors.panel_cases_for(self.request.user)
            .prefetch_related(Prefetch("seats", PanelSeat.objects.select_related("user", "vote")))
            .order_by("-opened_at", "-id")
            .distinct()
        )

    def _case(self):
        case, _seat = selectors.get_panel_case_for_user(self.request.user, self.kwargs["pk"])
        return case

    def _answer(self, case, code=status.HTTP_200_OK):
        return Response(self.get_serializer(self.get_queryset().get(pk=case.pk)).data, status=code)

    @extend_schema(request=PanelCaseCreateSerializer, responses={201: PanelCaseSerializer, **ERRORS})
    def create(self, request, *args, **kwargs):
        """Open a case on a recommended / not recommended assessment, naming the members who sit
        (IUCN staff). A member who reviewed the assessment is refused (`panel_member_reviewed`)."""
        from accounts.selectors import panel_members

        if not rules.can_open_panel_case(request.user):
            raise NotAllowed(error_codes.PANEL_NOT_STAFF, _("Only IUCN staff open Panel cases."))
        data = PanelCaseCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        assessment = get_assessment_for_user(request.user, data.validated_data["assessment"])
        wanted = set(data.validated_data["members"])
        members = list(panel_members().filter(pk__in=wanted))
        if len(members) != len(wanted):
            raise DomainError(
                error_codes.PANEL_NOT_MEMBER, _("Every member must hold the Panel role today."), field="members"
            )
        case = panel.panel_case_open(assessment=assessment, by=request.user, members=members)
        return self._answer(case, status.HTTP_201_CREATED)

    @extend_schema(request=PanelDeclareSerializer, responses={200: PanelCaseSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def declare(self, request, pk=None):
        """The member's declaration of conflicts of interest on the case (once)."""
        case = self._case()
        data = PanelDeclareSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        panel.panel_declare(case=case, by=request.user, **data.validated_data)
        return self._answer(case)

    @extend_schema(request=PanelVoteCreateSerializer, responses={200: PanelCaseSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def vote(self, request, pk=None):
        """The member's vote with reasons (conditions with `grant_with_conditions`); may be changed
        while the case is open. A conflicted member's vote: 403 `panel_member_conflicted`."""
        case = self._case()
        data = PanelVoteCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        panel.panel_vote(case=case, by=request.user, **data.validated_data)
        return self._answer(case)

    @extend_schema(request=PanelCloseSerializer, responses={200: PanelCaseSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Record the Panel's decision (the chair, or IUCN staff): 409 `panel_no_quorum` or
        `panel_no_majority` until the rule is met."""
        case = self._case()
        data = PanelCloseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        panel.panel_case_close(case=case, by=request.user, **data.validated_data)
        return self._answer(case)


class CertificateViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Certificates: all of them for IUCN staff, a site's own for its team."""

    serializer_class = CertificateSerializer
    lookup_field = "number"
    lookup_value_regex = r"[^/]+"
    filterset_fields = ["status", "protected_area"]

    def get_queryset(self):
        from django.db.models import Prefetch

        return (
            Certificate.objects.visible_to(self.request.user)
            .select_related("protected_area")
            .prefetch_related(Prefetch("transitions", CertificateTransition.objects.select_related("by")))
            .order_by("-granted_on", "-id")
        )

    def get_object(self):
        # One certificate through the one lookup the pages use: the same rule and the same 404.
        certificate = selectors.get_certificate_for_user(self.request.user, self.kwargs["number"])
        self.check_object_permissions(self.request, certificate)
        return certificate

    def perform_content_negotiation(self, request, force=False):
        # The PDF is not rendered: `Accept: application/pdf` is no 406 (errors still come as JSON).
        return super().perform_content_negotiation(request, force=force or self.action == "pdf")

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The certificate, as a PDF"),
            404: OpenApiResponse(ErrorSerializer, description="Not found, or not yours to download"),
            409: OpenApiResponse(
                ErrorSerializer, description="Still being made (code `certificate_pdf_not_ready`); try again soon"
            ),
        }
    )
    @action(detail=True, methods=["get"])
    def pdf(self, request, number=None):
        """Download the certificate PDF: IUCN staff and the certified site's team, as on the
        certificate page (anyone else gets 404). `pdf_url` on the certificate says when it is ready."""
        return certificate_pdf_response(selectors.get_certificate_pdf_for_user(request.user, number))

    @extend_schema(request=CertificateStatusChangeSerializer, responses={200: CertificateSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def transition(self, request, number=None):
        """Suspend, reinstate (to `active`) or withdraw, with a reason (IUCN staff)."""
        certificate = self.get_object()
        data = CertificateStatusChangeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.certificate_transition(certificate=certificate, user=request.user, **data.validated_data)
        return Response(self.get_serializer(self.get_object()).data)


@reads_from_replica
class GreenListViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The public Green List: each area's current certificate (listed, suspended, expired or
    withdrawn), with WDPA ids, status, expiry and page URL. No login."""

    serializer_class = FeedEntrySerializer
    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    filterset_fields = ["status"]

    def get_queryset(self):
        return selectors.with_application_sites(selectors.public_certificates(listed_only=False))


class PublicView(APIView):
    """No login, no session, no token: public data for any site or script."""

    permission_classes = [permissions.AllowAny]
    authentication_classes = []
    # JSON whatever the Accept header says (no browsable page, no 406), as these addresses always
    # answered: maps, registries and scripts read them.
    renderer_classes = [JSONRenderer]

    def perform_content_negotiation(self, request, force=False):
        return super().perform_content_negotiation(request, force=True)


AREA = OpenApiParameter(
    "area", int, description="One area's boundary (its page's map), whatever its status; else every listed area."
)


@reads_from_replica
class GreenListMapView(PublicView):
    """The Green List map: listed areas' boundaries as GeoJSON (the public pages' maps)."""

    @extend_schema(parameters=[AREA], responses={200: GreenListMapSerializer})
    def get(self, request):
        raw = request.query_params.get("area")
        area_id = None
        if raw is not None:
            # An id, not any integer: a number past bigint would reach the database as an error.
            if not (raw.isascii() and raw.isdigit() and len(raw) <= 18):
                raise DomainError(error_codes.AREA_INVALID, _("area must be a number."), field="area")
            area_id = int(raw)
        return Response(selectors.public_map(area_id=area_id))


@reads_from_replica
class GreenListFeedView(PublicView):
    """The Green List for registries (Protected Planet and others): every area's current status,
    in one document; readable from any origin."""

    @extend_schema(responses={200: GreenListFeedSerializer})
    def get(self, request):
        certificates = selectors.with_application_sites(selectors.public_certificates(listed_only=False))
        data = FeedEntrySerializer(certificates, many=True, context={"request": request}).data
        response = Response({"generated_at": timezone.now().isoformat(), "count": len(data), "results": data})
        response["Access-Control-Allow-Origin"] = "*"  # public data, meant to be read by other sites
        return response


class VerificationViewSet(viewsets.ViewSet):
    """Is a certificate number valid today? Always answers (unknown and malformed numbers too)."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    lookup_field = "number"
    lookup_value_regex = r"[^/]+"

    @extend_schema(responses={200: VerificationSerializer})
    def retrieve(self, request, number=None):
        result = selectors.verify(number)
        return Response(
            VerificationSerializer(
                {
                    "number": result.number,
                    "verdict": result.verdict,
                    "valid": result.valid,
                    "message": str(result.message),
                    "certificate": result.certificate,
                }
            ).data
        )


class LegacyGreenListMapView(GreenListMapView):
    """The map at its first address (/green-list.geojson), kept for links and caches: the same
    view, documented once, under /api/v1/green-list/map/."""

    schema = None


class LegacyGreenListFeedView(GreenListFeedView):
    """The feed at the address registries know (/green-list.json); documented under
    /api/v1/green-list/feed/."""

    schema = None
