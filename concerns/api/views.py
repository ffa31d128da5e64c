"""The concerns' API for staff, the site team, the expert group and the Panel: the same selectors,
services, rules and errors as the pages. (The public raises a concern through the page's form.)"""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from concerns import error_codes, rules, selectors, services
from core.api import ErrorSerializer
from core.downloads import FileAnswerMixin, private_file, untrusted_type
from core.errors import NotAllowed

from .serializers import (
    CloseSerializer,
    ConcernListSerializer,
    ConcernSerializer,
    OutcomeWriteSerializer,
    ShareSerializer,
    TextSerializer,
    TriageSerializer,
)

ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Invalid input (stable `code`)"),
    403: OpenApiResponse(ErrorSerializer, description="Your role may not take this step"),
    404: OpenApiResponse(ErrorSerializer, description="Not found or not visible to you"),
    409: OpenApiResponse(ErrorSerializer, description="The concern is not at a step that allows it"),
}


def _refuse_unless(allowed: bool) -> None:
    if not allowed:
        raise NotAllowed(error_codes.CONCERN_ROLE, _("Your role may not take this step on the concern."))


def _users(ids) -> list[User]:
    return list(User.objects.filter(pk__in=ids))


class ConcernListView(APIView):
    """Concerns you may open (staff: every confirmed one; the site team, the group and the Panel: admissible ones)."""

    @extend_schema(responses={200: ConcernListSerializer(many=True), 403: ERRORS[403]})
    def get(self, request):
        return Response(ConcernListSerializer(selectors.concerns_for_user(request.user)[:500], many=True).data)


class ConcernDetailView(APIView):
    """One concern, as your role may see it."""

    @extend_schema(responses={200: ConcernSerializer, **ERRORS})
    def get(self, request, pk):
        concern = selectors.get_concern_for_user(request.user, pk)
        return Response(ConcernSerializer(concern, context={"request": request}).data)


class _StepView(APIView):
    def _answer(self, request, concern):
        concern = selectors.get_concern_for_user(request.user, concern.pk)
        return Response(ConcernSerializer(concern, context={"request": request}).data)


class TriageView(_StepView):
    """IUCN staff find a received concern admissible or not, with reasons (internal)."""

    @extend_schema(request=TriageSerializer, responses={200: ConcernSerializer, **ERRORS})
    def post(self, request, pk):
        concern = selectors.get_concern_for_user(request.user, pk)
        _refuse_unless(rules.can_triage(request.user))
        data = TriageSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        services.concern_triage(
            concern=concern,
            by=request.user,
            admissible=values["admissible"],
            reason=values["reason"],
            advisers=_users(values.get("advisers", [])),
        )
        return self._answer(request, concern)


class AnswerView(_StepView):
    """The site team answers an admissible concern."""

    @extend_schema(request=TextSerializer, responses={200: ConcernSerializer, **ERRORS})
    def post(self, request, pk):
        concern = selectors.get_concern_for_user(request.user, pk)
        _refuse_unless(rules.can_answer(request.user, concern))
        data = TextSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.concern_answer(concern=concern, by=request.user, text=data.validated_data["text"])
        return self._answer(request, concern)


class ShareView(_StepView):
    """Staff decide whether the raiser reads the site's answer."""

    @extend_schema(request=ShareSerializer, responses={200: ConcernSerializer, **ERRORS})
    def post(self, request, pk):
        concern = selectors.get_concern_for_user(request.user, pk)
        _refuse_unless(rules.can_triage(request.user))
        data = ShareSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.concern_answer_share(concern=concern, by=request.user, shareable=data.validated_data["shareable"])
        return self._answer(request, concern)


class AdviceView(_StepView):
    """The expert group advises the Panel on an answered concern."""

    @extend_schema(request=TextSerializer, responses={200: ConcernSerializer, **ERRORS})
    def post(self, request, pk):
        concern = selectors.get_concern_for_user(request.user, pk)
        _refuse_unless(rules.can_advise(request.user, concern, selectors.adviser_ids(concern)))
        data = TextSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.concern_advise(concern=concern, by=request.user, text=data.validated_data["text"])
        return self._answer(request, concern)


class OutcomeView(_StepView):
    """The Panel's chair records the Green List Panel's outcome, with the members who took part."""

    @extend_schema(request=OutcomeWriteSerializer, responses={200: ConcernSerializer, **ERRORS})
    def post(self, request, pk):
        concern = selectors.get_concern_for_user(request.user, pk)
        _refuse_unless(rules.can_record_outcome(request.user))
        data = OutcomeWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        services.concern_outcome_record(
            concern=concern,
            by=request.user,
            kind=values["kind"],
            reasons=values["reasons"],
            public_summary=values["public_summary"],
            members=_users(values["members"]),
            condition_text=values.get("condition_text", ""),
            condition_due_on=values.get("condition_due_on"),
            condition_checked_by=values.get("condition_checked_by", ""),
        )
        return self._answer(request, concern)


class CloseView(_StepView):
    """Staff close a decided concern."""

    @extend_schema(request=CloseSerializer, responses={200: ConcernSerializer, **ERRORS})
    def post(self, request, pk):
        concern = selectors.get_concern_for_user(request.user, pk)
        _refuse_unless(rules.can_close(request.user))
        data = CloseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.concern_close(concern=concern, by=request.user, reason=data.validated_data.get("reason", ""))
        return self._answer(request, concern)


class AttachmentView(FileAnswerMixin, APIView):
    """A file sent with a concern, to those who may open the concern."""

    @extend_schema(
        responses={
            (200, "*/*"): OpenApiResponse(OpenApiTypes.BINARY, description="The file: a PDF, JPEG or PNG."),
            404: ERRORS[404],
        }
    )
    def get(self, request, pk):
        item = selectors.get_attachment_for_user(request.user, pk)
        return private_file(
            item.file.open("rb"),
            filename=item.original_filename,
            content_type=untrusted_type(item.content_type),
            inline=True,
        )
