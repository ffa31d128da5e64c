"""The stakeholder consultation's API for staff and the expert group: the same selectors, services,
rules and errors as its pages. (The public comments through the page's form only.)"""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import ErrorSerializer
from core.errors import DomainError, NotAllowed
from protected_areas.models import ProtectedArea
from stakeholders import error_codes, rules, selectors, services

from .serializers import (
    CommentSerializer,
    ConsiderationSerializer,
    ConsiderationWriteSerializer,
    ModerationWriteSerializer,
    SiteMatchSerializer,
    SiteQuerySerializer,
    WindowSerializer,
    WindowWriteSerializer,
)

ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Invalid input (stable `code`)"),
    403: OpenApiResponse(ErrorSerializer, description="Your role may not do this"),
    404: OpenApiResponse(ErrorSerializer, description="Not found or not visible to you"),
    409: OpenApiResponse(ErrorSerializer, description="The window or comment is not in a state that allows it"),
}


def _staff_only(user) -> None:
    if not rules.can_manage_consultations(user):
        raise NotAllowed(error_codes.CONSULTATION_NOT_ALLOWED, _("Only IUCN staff open consultation windows."))


class WindowListView(APIView):
    """Consultation windows you may see (staff: all; the site team and the group: theirs); staff open one."""

    @extend_schema(responses={200: WindowSerializer(many=True)})
    def get(self, request):
        return Response(WindowSerializer(selectors.windows_for_user(request.user), many=True).data)

    @extend_schema(request=WindowWriteSerializer, responses={201: WindowSerializer, **ERRORS})
    def post(self, request):
        _staff_only(request.user)  # the role first (403), then the body (400)
        data = WindowWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        area = ProtectedArea.objects.filter(pk=values["protected_area"]).first()
        if area is None:
            raise DomainError(
                error_codes.CONSULTATION_SITE_UNKNOWN,
                _("No site has the number %(number)s.") % {"number": values["protected_area"]},
                field="protected_area",
            )
        window = services.window_open(
            area=area,
            phase=values["phase"],
            opens_on=values["opens_on"],
            closes_on=values["closes_on"],
            note=values.get("note", ""),
            by=request.user,
        )
        return Response(WindowSerializer(window).data, status=status.HTTP_201_CREATED)


class SiteSearchView(APIView):
    """Sites by name or WDPA id, for staff opening a window (the form's site picker): at most ten,
    exact names and WDPA ids first."""

    @extend_schema(parameters=[SiteQuerySerializer], responses={200: SiteMatchSerializer(many=True), **ERRORS})
    def get(self, request):
        _staff_only(request.user)
        query = SiteQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        sites = selectors.sites_matching(query.validated_data.get("q", ""))
        return Response(SiteMatchSerializer(sites, many=True).data)


class WindowCommentsView(APIView):
    """A window's comments: accepted ones for the site team and the group; confirmed ones for staff."""

    @extend_schema(responses={200: CommentSerializer(many=True), **ERRORS})
    def get(self, request, pk):
        window = selectors.get_window_for_user(request.user, pk)
        return Response(CommentSerializer(selectors.comments_for(request.user, window), many=True).data)


class ModerationView(APIView):
    """Staff accept a confirmed comment or reject it with a reason."""

    @extend_schema(request=ModerationWriteSerializer, responses={200: CommentSerializer, **ERRORS})
    def post(self, request, pk):
        comment, _window = selectors.get_comment_for_user(request.user, pk)
        data = ModerationWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        comment = services.comment_moderate(
            comment=comment,
            by=request.user,
            accept=data.validated_data["accept"],
            reason=data.validated_data.get("reason", ""),
        )
        return Response(CommentSerializer(comment).data)


class ConsiderationView(APIView):
    """The expert group records how an accepted comment was considered."""

    @extend_schema(request=ConsiderationWriteSerializer, responses={201: ConsiderationSerializer, **ERRORS})
    def post(self, request, pk):
        comment, window = selectors.get_comment_for_user(request.user, pk)
        data = ConsiderationWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        consideration = services.consideration_record(
            comment=comment,
            by=request.user,
            text=data.validated_data["text"],
            jurisdiction_id=selectors.window_jurisdiction_id(window),
        )
        return Response(ConsiderationSerializer(consideration).data, status=status.HTTP_201_CREATED)
