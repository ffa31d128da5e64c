"""The assessment API: the same services, rules and errors as the pages."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils.cache import get_conditional_response
from django.utils.dateparse import parse_datetime
from django.utils.http import quote_etag
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from accounts import rules
from assessments import error_codes, selectors, services, workflow
from assessments.freshness import assessment_etag
from assessments.models import Answer, Assessment, AssessmentTransition
from core.api import ErrorSerializer
from core.errors import DomainError, NotAllowed
from core.freshness import changed_until
from protected_areas.models import ProtectedArea

from .serializers import (
    AnswerConflictSerializer,
    AnswerSerializer,
    AnswerWriteSerializer,
    AssessmentCreateSerializer,
    AssessmentSerializer,
    TransitionCreateSerializer,
    TransitionSerializer,
)

EVIDENCE_MODEL = Answer._meta.get_field("evidence").related_model
ASSESSMENT_PK = OpenApiParameter("assessment_pk", int, OpenApiParameter.PATH, description="Assessment id")
ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Invalid input (stable `code`)"),
    403: OpenApiResponse(ErrorSerializer, description="Not allowed"),
    404: OpenApiResponse(ErrorSerializer, description="Not found or not visible to you"),
    409: OpenApiResponse(ErrorSerializer, description="Frozen or changed"),
}


def _moment(value: str):
    """An ISO 8601 date and time with its offset (`+` may arrive as a space from an unquoted URL)."""
    try:
        moment = parse_datetime(value.strip().replace(" ", "+"))
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise DomainError(
            error_codes.CHANGED_SINCE_INVALID,
            _("changed_since must be a date and time with its offset, e.g. 2026-05-01T08:30:00+00:00."),
            field="changed_since",
        )
    return moment


class DomainDataMixin:
    """Adds to an error body what only this app's serializers can write: the answer saved
    meanwhile, for `answer_changed` (core.api.exception_handler merges it; other errors' extra keys,
    e.g. what is missing, travel on the DomainError itself)."""

    def error_data(self, exc: DomainError) -> dict:
        if isinstance(exc, services.AnswerConflict):
            return {"current": AnswerSerializer(exc.current).data}
        return {}


class NestedMixin(viewsets.GenericViewSet):
    """Viewsets under /assessments/{assessment_pk}/ (a viewset itself, so that mypy knows its
    request and URL keyword arguments)."""

    def _schema_only(self) -> bool:
        return getattr(self, "swagger_fake_view", False)

    def get_assessment(self) -> Assessment:
        if not hasattr(self, "_assessment"):
            self._assessment = selectors.get_assessment_for_user(self.request.user, self.kwargs["assessment_pk"])
        return self._assessment


@extend_schema_view(
    create=extend_schema(
        request=AssessmentCreateSerializer,
        responses={
            201: AssessmentSerializer,
            **ERRORS,
            409: OpenApiResponse(
                ErrorSerializer, description="The site's current cycle is still open (`cycle_still_open`)"
            ),
        },
    ),
)
class AssessmentViewSet(
    DomainDataMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Assessments visible to you: your sites' (site team) or all (IUCN staff)."""

    serializer_class = AssessmentSerializer
    filterset_fields = ["protected_area", "status", "year"]

    def get_queryset(self):
        return Assessment.objects.visible_to(self.request.user).select_related("protected_area", "standard")

    def get_object(self):
        # One assessment through the one lookup the pages use: the same rule and the same 404.
        assessment = selectors.get_assessment_for_user(self.request.user, self.kwargs["pk"])
        self.check_object_permissions(self.request, assessment)
        return assessment

    def create(self, request, *args, **kwargs):
        data = AssessmentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        area = get_object_or_404(
            ProtectedArea.objects.visible_to(request.user), pk=data.validated_data["protected_area"]
        )
        previous = selectors.previous_cycle(area) if data.validated_data["prefill_from_previous"] else None
        assessment = services.assessment_create(
            protected_area=area, user=request.user, year=data.validated_data["year"], previous=previous
        )
        return Response(AssessmentSerializer(assessment).data, status=status.HTTP_201_CREATED)


CHANGED_SINCE = OpenApiParameter(
    "changed_since",
    OpenApiTypes.DATETIME,
    OpenApiParameter.QUERY,
    required=False,
    description=(
        "Only the answers saved after this moment (ISO 8601 with its offset), e.g. the "
        "`Greenlist-Changed-Until` of your last read: a device refreshing its copy fetches only what changed."
    ),
)
CHANGED_UNTIL = OpenApiParameter(
    "Greenlist-Changed-Until",
    OpenApiTypes.DATETIME,
    OpenApiParameter.HEADER,
    response=True,
    description=(
        "Pass it as `changed_since` next time. It is a little before this read (no later than any save "
        "still in progress), so an answer saved while the list was read comes again: one may come twice."
    ),
)


@extend_schema(parameters=[ASSESSMENT_PK])
@extend_schema_view(
    list=extend_schema(
        parameters=[CHANGED_SINCE, CHANGED_UNTIL],
        responses={
            200: AnswerSerializer(many=True),
            304: OpenApiResponse(
                description="Nothing changed since the list you hold: you sent its `ETag` in `If-None-Match`"
            ),
            400: OpenApiResponse(
                ErrorSerializer, description="`changed_since` is no date and time (`changed_since_invalid`)"
            ),
            404: OpenApiResponse(ErrorSerializer, description="Not found or not visible to you"),
        },
    ),
    update=extend_schema(
        request=AnswerWriteSerializer, responses={200: AnswerSerializer, **ERRORS, 409: AnswerConflictSerializer}
    ),
    partial_update=extend_schema(
        request=AnswerWriteSerializer, responses={200: AnswerSerializer, **ERRORS, 409: AnswerConflictSerializer}
    ),
)
class AnswerViewSet(
    DomainDataMixin,
    NestedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """One answer per indicator. Saving needs the `version` you loaded: a mismatch is 409 with
    the current answer, so nothing is overwritten silently."""

    serializer_class = AnswerSerializer
    pagination_class = None

    def get_queryset(self):
        if self._schema_only():
            return Answer.objects.none()
        return (
            Answer.objects.filter(assessment=self.get_assessment())
            .select_related("indicator", "updated_by")
            # The evidence app's model through the answer's own key: assessments does not import it.
            .prefetch_related(Prefetch("evidence", queryset=EVIDENCE_MODEL.objects.only("id")))
            .order_by("indicator__position")
        )

    def list(self, request, *args, **kwargs):
        """The answers, or those saved since `changed_since`; with an `ETag` for conditional reads
        (304 when nothing on the assessment changed: core.freshness, issue 17)."""
        assessment = self.get_assessment()
        since = request.query_params.get("changed_since")
        etag = quote_etag(assessment_etag(request, assessment, f"answers-json:{since or ''}"))
        not_modified = get_conditional_response(request, etag=etag)
        if not_modified is not None:
            # Cache-Control stays the API's `private, no-store` (issue 12): a device keeps its copy in
            # its own store (the offline service worker's) and sends its ETag.
            return not_modified
        # Taken before reading, and no later than any save still in flight: an answer saved while
        # this list is read comes again next time.
        until = changed_until()
        queryset = self.get_queryset()
        if since is not None:
            queryset = queryset.filter(updated_at__gt=_moment(since))
        response = Response(AnswerSerializer(queryset, many=True).data)
        response.headers["ETag"] = etag
        response.headers["Greenlist-Changed-Until"] = until.isoformat()
        return response

    def update(self, request, *args, **kwargs):
        answer = self.get_object()
        # The rule before the body: a person who may see but never edit gets 403, not a 400
        # about the fields they sent (the service checks it again under its lock).
        if not rules.can_edit_assessment(request.user, self.get_assessment()):
            raise NotAllowed(error_codes.NOT_SITE_TEAM, _("Only the site's team can edit this assessment."))
        data = AnswerWriteSerializer(data=request.data, partial=False)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        version = changes.pop("version")
        saved = services.answer_save(answer=answer, user=request.user, expected_version=version, changes=changes)
        saved = self.get_queryset().get(pk=saved.pk)
        return Response(AnswerSerializer(saved).data)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, **kwargs)


@extend_schema(parameters=[ASSESSMENT_PK])
@extend_schema_view(
    create=extend_schema(request=TransitionCreateSerializer, responses={201: TransitionSerializer, **ERRORS}),
)
class TransitionViewSet(
    DomainDataMixin, NestedMixin, mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """The assessment's phase changes; POST {"to", "note"} to move it (submit, review…)."""

    serializer_class = TransitionSerializer
    pagination_class = None

    def get_queryset(self):
        if self._schema_only():
            return AssessmentTransition.objects.none()
        return AssessmentTransition.objects.filter(assessment=self.get_assessment()).select_related("by")

    def create(self, request, *args, **kwargs):
        assessment = self.get_assessment()  # 404 before anything else for people who may not see it
        data = TransitionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        workflow.transition(assessment, data.validated_data["to"], by=request.user, note=data.validated_data["note"])
        row = self.get_queryset().order_by("-at", "-id").first()
        return Response(TransitionSerializer(row).data, status=status.HTTP_201_CREATED)
