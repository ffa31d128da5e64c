"""API of adapted indicator sets: drafting by the jurisdiction's expert group, the stakeholder
consultation, and the Committee's approval (standards.adaptation holds every rule; these views
read the request, call it and shape the answer).

Who sees a set is `standards.selectors.get_adapted_set_for_user` (404 otherwise); what they may do
with it is checked before the body is read (403), as on the pages."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, OpenApiTypes, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from core.api import ErrorSerializer, JSONParser
from standards import adaptation, selectors
from standards.adapted_files import attachment_response
from standards.models import (
    AdaptationConsultation,
    AdaptedIndicator,
    AdaptedIndicatorSet,
    AdaptedSetTransition,
    CommentOutcome,
    ConsultationAttachment,
    ConsultationComment,
    Jurisdiction,
    Standard,
)

# --- answers -----------------------------------------------------------------------------------


class AdaptationSerializer(serializers.ModelSerializer):
    number = serializers.CharField(source="indicator.number", read_only=True)
    means_of_verification = serializers.ListField(child=serializers.CharField(), read_only=True)
    translations = serializers.DictField(
        child=serializers.DictField(), read_only=True, help_text="Texts by language (fr, es); English is in the fields."
    )

    class Meta:
        model = AdaptedIndicator
        fields = ["id", "indicator", "number", "text", "thresholds", "means_of_verification", "translations"]


class AdaptedSetTransitionSerializer(serializers.ModelSerializer):
    by = serializers.CharField(source="by.full_name", read_only=True, allow_null=True, default=None)

    class Meta:
        model = AdaptedSetTransition
        fields = ["from_status", "to_status", "by", "at", "note"]


class ConsultationCommentSerializer(serializers.ModelSerializer):
    handled = serializers.BooleanField(source="is_handled", read_only=True)

    class Meta:
        model = ConsultationComment
        fields = ["id", "from_whom", "received_on", "comment", "response", "outcome", "indicator", "handled"]


class ConsultationAttachmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = ConsultationAttachment
        fields = ["id", "title", "original_filename", "content_type", "size", "sha256", "uploaded_at"]


class ConsultationSerializer(serializers.ModelSerializer):
    comments = ConsultationCommentSerializer(many=True, read_only=True)
    attachments = ConsultationAttachmentSerializer(many=True, read_only=True)
    missing = serializers.SerializerMethodField(help_text="What approval still needs of the record (empty: complete).")

    class Meta:
        model = AdaptationConsultation
        fields = [
            "opened_on",
            "closed_on",
            "who_was_consulted",
            "method",
            "summary",
            "comments",
            "attachments",
            "missing",
        ]

    def get_missing(self, consultation: AdaptationConsultation) -> list[str]:
        return adaptation.consultation_missing(consultation.adapted_set)


class AdaptedSetSerializer(serializers.ModelSerializer):
    standard_version = serializers.CharField(source="standard.version", read_only=True)
    jurisdiction_code = serializers.CharField(source="jurisdiction.code", read_only=True)

    class Meta:
        model = AdaptedIndicatorSet
        fields = [
            "id",
            "title",
            "status",
            "revision",
            "standard",
            "standard_version",
            "jurisdiction",
            "jurisdiction_code",
            "approved_on",
            "created_at",
        ]


class AdaptedSetDetailSerializer(AdaptedSetSerializer):
    adaptations = AdaptationSerializer(source="indicators", many=True, read_only=True)
    transitions = AdaptedSetTransitionSerializer(many=True, read_only=True)
    consultation = ConsultationSerializer(read_only=True)

    class Meta(AdaptedSetSerializer.Meta):
        fields = [*AdaptedSetSerializer.Meta.fields, "adaptations", "consultation", "transitions"]


# --- requests ----------------------------------------------------------------------------------


class AdaptedSetCreateSerializer(serializers.Serializer):
    standard = serializers.PrimaryKeyRelatedField(queryset=Standard.objects.filter(status=Standard.Status.PUBLISHED))
    jurisdiction = serializers.PrimaryKeyRelatedField(queryset=Jurisdiction.objects.all())
    title = serializers.CharField(max_length=300)


class AdaptedSetRevisionSerializer(serializers.Serializer):
    revision = serializers.IntegerField(
        min_value=1, help_text="The set's revision the change starts from (409 adapted_set_changed if it moved on)."
    )


class AdaptationWriteSerializer(AdaptedSetRevisionSerializer):
    indicator = serializers.IntegerField(help_text="The generic indicator's id (of the set's Standard version).")
    text = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    thresholds = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    means_of_verification = serializers.ListField(
        child=serializers.CharField(allow_blank=True, trim_whitespace=False), required=False
    )
    translations = serializers.DictField(
        child=serializers.DictField(), required=False, help_text='{"fr": {"text": ..., "thresholds": ...}, "es": ...}'
    )


class ConsultationWriteSerializer(AdaptedSetRevisionSerializer):
    opened_on = serializers.DateField(required=False, allow_null=True)
    closed_on = serializers.DateField(required=False, allow_null=True)
    who_was_consulted = serializers.CharField(required=False, allow_blank=True)
    method = serializers.CharField(required=False, allow_blank=True)
    summary = serializers.CharField(required=False, allow_blank=True)


class ConsultationCommentWriteSerializer(serializers.Serializer):
    revision = serializers.IntegerField(min_value=1, required=False)
    from_whom = serializers.CharField(required=False, allow_blank=True)
    received_on = serializers.DateField(required=False, allow_null=True)
    comment = serializers.CharField(required=False, allow_blank=True)
    response = serializers.CharField(required=False, allow_blank=True)
    outcome = serializers.ChoiceField(choices=["", *CommentOutcome.values], required=False, allow_blank=True)
    indicator = serializers.IntegerField(required=False, allow_null=True)


class ConsultationAttachmentWriteSerializer(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=True)
    title = serializers.CharField(required=False, allow_blank=True)
    revision = serializers.IntegerField(min_value=1, required=False)


class AdaptedSetNoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Invalid input (stable `code`)"),
    403: OpenApiResponse(ErrorSerializer, description="Not allowed (the expert group's or the Committee's)"),
    404: OpenApiResponse(ErrorSerializer, description="No such set, or not one the person may see"),
    409: OpenApiResponse(ErrorSerializer, description="Changed meanwhile, or not a draft (`adapted_set_changed`…)"),
}
COMMENT_ID = OpenApiParameter("comment_id", OpenApiTypes.INT, OpenApiParameter.PATH)
ATTACHMENT_ID = OpenApiParameter("attachment_id", OpenApiTypes.INT, OpenApiParameter.PATH)
INDICATOR_ID = OpenApiParameter("indicator_id", OpenApiTypes.INT, OpenApiParameter.PATH)


def _present(data: dict, names: tuple[str, ...]) -> dict:
    return {name: data[name] for name in names if name in data}


@extend_schema_view(
    retrieve=extend_schema(responses={200: AdaptedSetDetailSerializer, 404: ERRORS[404]}),
    create=extend_schema(request=AdaptedSetCreateSerializer, responses={201: AdaptedSetDetailSerializer, **ERRORS}),
)
class AdaptedSetViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Adapted indicator sets: the Committee sees all; an Expert Assessment Group its
    jurisdiction's drafts; anyone logged in the sets in force (approved or retired)."""

    serializer_class = AdaptedSetSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return selectors.adapted_sets_visible(self.request.user).order_by("jurisdiction__name", "-created_at", "-id")

    def get_object(self) -> AdaptedIndicatorSet:
        return selectors.get_adapted_set_for_user(self.request.user, self.kwargs["pk"])

    def perform_content_negotiation(self, request, force=False):
        # The download answers with a file whatever the client accepts (core.downloads.FileAnswerMixin
        # does the same for whole views); everything else negotiates as usual.
        force = force or getattr(self, "action", None) == "attachment_download"
        return super().perform_content_negotiation(request, force=force)

    def _detail(self, adapted_set: AdaptedIndicatorSet, code: int = status.HTTP_200_OK) -> Response:
        adaptation.consultation_of(adapted_set)  # sets older than the record get an empty one
        adapted_set = (
            AdaptedIndicatorSet.objects.select_related("standard", "jurisdiction", "consultation")
            .prefetch_related(
                Prefetch(
                    "indicators",
                    queryset=AdaptedIndicator.objects.select_related("indicator").order_by("indicator__position"),
                ),
                Prefetch("transitions", queryset=AdaptedSetTransition.objects.select_related("by")),
            )
            .get(pk=adapted_set.pk)
        )
        return Response(AdaptedSetDetailSerializer(adapted_set).data, status=code)

    def retrieve(self, request, pk=None):
        return self._detail(self.get_object())

    def create(self, request, *args, **kwargs):
        data = AdaptedSetCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        adapted_set = adaptation.adapted_set_create(by=request.user, **data.validated_data)
        return self._detail(adapted_set, status.HTTP_201_CREATED)

    # --- the adaptations ---

    @extend_schema(request=AdaptationWriteSerializer, responses={200: AdaptedSetDetailSerializer, **ERRORS})
    @action(detail=True, methods=["put"], url_path="indicators")
    def indicators(self, request, pk=None):
        """Set one generic indicator's adaptation (empty texts keep the generic wording; all empty
        removes the adaptation)."""
        adapted_set = self.get_object()
        adaptation.authors_required(request.user, adapted_set)
        data = AdaptationWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        adaptation.adaptation_save(
            adapted_set=adapted_set,
            indicator=values.pop("indicator"),
            by=request.user,
            revision=values.pop("revision"),
            data=values,
        )
        return self._detail(adapted_set)

    @extend_schema(
        parameters=[INDICATOR_ID, OpenApiParameter("revision", OpenApiTypes.INT, required=True)],
        responses={200: AdaptedSetDetailSerializer, **ERRORS},
    )
    @action(detail=True, methods=["delete"], url_path=r"indicators/(?P<indicator_id>\d+)")
    def indicator_remove(self, request, pk=None, indicator_id=None):
        """The indicator goes back to its generic wording in this set."""
        adapted_set = self.get_object()
        adaptation.authors_required(request.user, adapted_set)
        data = AdaptedSetRevisionSerializer(data=request.query_params)
        data.is_valid(raise_exception=True)
        adaptation.adaptation_remove(
            adapted_set=adapted_set,
            indicator=int(indicator_id),
            by=request.user,
            revision=data.validated_data["revision"],
        )
        return self._detail(adapted_set)

    # --- the consultation ---

    @extend_schema(methods=["GET"], responses={200: ConsultationSerializer, 404: ERRORS[404]})
    @extend_schema(
        methods=["PUT"], request=ConsultationWriteSerializer, responses={200: ConsultationSerializer, **ERRORS}
    )
    @action(detail=True, methods=["get", "put"], url_path="consultation")
    def consultation(self, request, pk=None):
        """The record of the stakeholder consultation: when, who, how, the comments and how each
        was handled, the documents; `missing` says what approval still needs."""
        adapted_set = self.get_object()
        if request.method == "PUT":
            adaptation.authors_required(request.user, adapted_set)
            data = ConsultationWriteSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            adaptation.consultation_save(
                adapted_set=adapted_set,
                by=request.user,
                revision=data.validated_data["revision"],
                changes=_present(data.validated_data, adaptation.CONSULTATION_FIELDS),
            )
        return Response(ConsultationSerializer(adaptation.consultation_of(adapted_set)).data)

    @extend_schema(request=ConsultationCommentWriteSerializer, responses={201: ConsultationCommentSerializer, **ERRORS})
    @action(detail=True, methods=["post"], url_path="consultation/comments")
    def comments(self, request, pk=None):
        """Record a comment received (and how it was handled, when known)."""
        adapted_set = self.get_object()
        adaptation.authors_required(request.user, adapted_set)
        data = ConsultationCommentWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        revision = values.pop("revision", None)
        comment = adaptation.comment_add(adapted_set=adapted_set, by=request.user, data=values, revision=revision)
        return Response(ConsultationCommentSerializer(comment).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[COMMENT_ID],
        request=ConsultationCommentWriteSerializer,
        responses={200: ConsultationCommentSerializer, **ERRORS},
    )
    @action(detail=True, methods=["patch"], url_path=r"consultation/comments/(?P<comment_id>\d+)")
    def comment_update(self, request, pk=None, comment_id=None):
        """Change a comment, most often to record the response and its outcome (`revision` required)."""
        adapted_set = self.get_object()
        comment = adaptation.get_comment(adapted_set, comment_id)
        adaptation.authors_required(request.user, adapted_set)
        data = ConsultationCommentWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if "revision" not in values:
            raise serializers.ValidationError({"revision": [_("This field is required.")]})
        revision = values.pop("revision")
        comment = adaptation.comment_update(comment=comment, by=request.user, changes=values, revision=revision)
        return Response(ConsultationCommentSerializer(comment).data)

    @extend_schema(
        request={"multipart/form-data": ConsultationAttachmentWriteSerializer},
        responses={201: ConsultationAttachmentSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="consultation/attachments")
    def attachments(self, request, pk=None):
        """Add a document (PDF, DOCX, XLSX, ODT, PNG, JPEG; checked by content; at most 20 MB)."""
        adapted_set = self.get_object()
        adaptation.authors_required(request.user, adapted_set)
        data = ConsultationAttachmentWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        attachment = adaptation.attachment_add(
            adapted_set=adapted_set,
            by=request.user,
            file=data.validated_data["file"],
            title=data.validated_data.get("title", ""),
            revision=data.validated_data.get("revision"),
        )
        return Response(ConsultationAttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[ATTACHMENT_ID],
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, 404: ERRORS[404]},
    )
    @action(detail=True, methods=["get"], url_path=r"consultation/attachments/(?P<attachment_id>\d+)")
    def attachment_download(self, request, pk=None, attachment_id=None):
        """The document, as an attachment, to whoever may see the set."""
        adapted_set = self.get_object()
        return attachment_response(adaptation.get_attachment(adapted_set, attachment_id))

    # --- the lifecycle ---

    @extend_schema(request=AdaptedSetNoteSerializer, responses={200: AdaptedSetDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """The expert group submits the set to the Committee (its consultation must be complete)."""
        adapted_set = self.get_object()
        adaptation.authors_required(request.user, adapted_set)
        data = AdaptedSetNoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        adaptation.adapted_set_submit(adapted_set=adapted_set, by=request.user, note=data.validated_data["note"])
        return self._detail(adapted_set)

    @extend_schema(request=AdaptedSetNoteSerializer, responses={200: AdaptedSetDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """The Standard Committee approves a submitted set; the one it replaces is retired."""
        adapted_set = self.get_object()
        adaptation.committee_required(request.user)
        data = AdaptedSetNoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        adaptation.adapted_set_approve(adapted_set=adapted_set, user=request.user, note=data.validated_data["note"])
        return self._detail(adapted_set)

    @extend_schema(request=AdaptedSetNoteSerializer, responses={200: AdaptedSetDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"], url_path="return")
    def return_to_group(self, request, pk=None):
        """The Committee returns a submitted set to the expert group, with its reasons (`note`)."""
        adapted_set = self.get_object()
        adaptation.committee_required(request.user)
        data = AdaptedSetNoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        adaptation.adapted_set_return(adapted_set=adapted_set, by=request.user, note=data.validated_data["note"])
        return self._detail(adapted_set)
