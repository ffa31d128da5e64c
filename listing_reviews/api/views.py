"""The listed site's reviews' API: the same selectors, services, rules and errors as their pages."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import ErrorSerializer, JSONParser
from core.errors import NotAllowed
from listing_reviews import error_codes, rules, selectors, services

from .serializers import (
    GroupReviewSerializer,
    MidtermEvidenceAddedSerializer,
    MidtermEvidenceAddSerializer,
    MidtermReviewSerializer,
    OpenReviewsSerializer,
    PanelSerializer,
    RenewalReviewSerializer,
    UpdateSerializer,
)

ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Invalid input (stable `code`), e.g. a required text missing"),
    403: OpenApiResponse(ErrorSerializer, description="Your role may not take this step"),
    404: OpenApiResponse(ErrorSerializer, description="Not found or not visible to you"),
    409: OpenApiResponse(ErrorSerializer, description="Not this step's turn, or the review is closed"),
}


def _refuse(allowed: bool, code: str, message: str) -> None:
    # Before the body is read: a role that may not act learns that, not what was wrong with its input.
    # `message` is the English sentence (a step's `refusal` is only marked): translated here, when refused.
    if not allowed:
        raise NotAllowed(code, _(message) if message else message)  # gettext("") is the catalog's header


class OpenReviewsView(APIView):
    """Staff's worklist: the mid-term reviews the Panel has not closed and the renewals not decided."""

    @extend_schema(responses={200: OpenReviewsSerializer, **ERRORS})
    def get(self, request):
        _refuse(
            rules.can_list_reviews(request.user),
            error_codes.MIDTERM_ROLE,
            gettext_noop("Only IUCN staff see every review."),
        )
        open_reviews = selectors.open_reviews()
        return Response(
            {
                "midterm": MidtermReviewSerializer(open_reviews.midterm, many=True).data,
                "renewal": RenewalReviewSerializer(open_reviews.renewal, many=True).data,
            }
        )


class MidtermReviewView(APIView):
    """One mid-term review: the site's update, the group's findings, the Panel's note, its steps."""

    @extend_schema(responses={200: MidtermReviewSerializer, **ERRORS})
    def get(self, request, pk):
        return Response(MidtermReviewSerializer(selectors.get_midterm_for_user(request.user, pk)).data)


class _MidtermStep(APIView):
    write_serializer: type[serializers.Serializer] = UpdateSerializer
    allowed = staticmethod(rules.can_file_update)
    refusal = ""

    def post(self, request, pk):
        review = selectors.get_midterm_for_user(request.user, pk)
        _refuse(self.allowed(request.user, review), error_codes.MIDTERM_ROLE, self.refusal)
        data = self.write_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = self.act(review, request.user, data.validated_data)
        if result is not None:
            return result
        return Response(MidtermReviewSerializer(selectors.get_midterm_for_user(request.user, pk)).data)

    def act(self, review, user, data):
        raise NotImplementedError


class MidtermUpdateView(_MidtermStep):
    """The site team files its update (opened → update filed)."""

    refusal = gettext_noop("Only the site's team files the mid-term update.")

    @extend_schema(request=UpdateSerializer, responses={200: MidtermReviewSerializer, **ERRORS})
    def post(self, request, pk):
        return super().post(request, pk)

    def act(self, review, user, data):
        services.midterm_update_file(review=review, by=user, **data)


class MidtermEvidenceView(_MidtermStep):
    """The site team adds a monitoring file to its update (through the evidence pipeline)."""

    write_serializer = MidtermEvidenceAddSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    refusal = gettext_noop("Only the site's team adds the update's monitoring evidence.")

    @extend_schema(
        request={"multipart/form-data": MidtermEvidenceAddSerializer},
        responses={201: MidtermEvidenceAddedSerializer, **ERRORS},
    )
    def post(self, request, pk):
        return super().post(request, pk)

    def act(self, review, user, data):
        item = services.midterm_evidence_add(review=review, by=user, file=data["file"], title=data.get("title", ""))
        return Response(MidtermEvidenceAddedSerializer(item).data, status=status.HTTP_201_CREATED)


class MidtermGroupReviewView(_MidtermStep):
    """An expert of the group that reviewed the listed cycle records the group's review."""

    write_serializer = GroupReviewSerializer
    allowed = staticmethod(rules.can_review_update)
    refusal = gettext_noop("Only an expert of the group that reviewed the listed cycle records the group's review.")

    @extend_schema(request=GroupReviewSerializer, responses={200: MidtermReviewSerializer, **ERRORS})
    def post(self, request, pk):
        return super().post(request, pk)

    def act(self, review, user, data):
        services.midterm_group_review(review=review, by=user, findings=data["findings"])


class MidtermPanelView(_MidtermStep):
    """The Panel's chair records that the Panel took note, or asks for action, with a note."""

    write_serializer = PanelSerializer
    allowed = staticmethod(rules.can_record_panel_outcome)
    refusal = gettext_noop("Only the Green List Panel's chair records the Panel's view.")

    @extend_schema(request=PanelSerializer, responses={200: MidtermReviewSerializer, **ERRORS})
    def post(self, request, pk):
        return super().post(request, pk)

    def act(self, review, user, data):
        services.midterm_panel_record(review=review, by=user, outcome=data["outcome"], note=data["note"])


class RenewalReviewView(APIView):
    """One renewal review: its cycle, its state, the certificate's status rule meanwhile."""

    @extend_schema(responses={200: RenewalReviewSerializer, **ERRORS})
    def get(self, request, pk):
        return Response(RenewalReviewSerializer(selectors.get_renewal_for_user(request.user, pk)).data)


class RenewalStartView(APIView):
    """The site team starts the renewal cycle, prefilled from the listed one."""

    @extend_schema(request=None, responses={201: RenewalReviewSerializer, **ERRORS})
    def post(self, request, pk):
        review = selectors.get_renewal_for_user(request.user, pk)
        _refuse(
            rules.can_start_renewal(request.user, review),
            error_codes.RENEWAL_ROLE,
            gettext_noop("Only the site's team starts the renewal cycle."),
        )
        services.renewal_start(review=review, by=request.user)
        return Response(
            RenewalReviewSerializer(selectors.get_renewal_for_user(request.user, pk)).data,
            status=status.HTTP_201_CREATED,
        )
