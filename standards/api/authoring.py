"""API of the Standard's authoring (issue 14): the keepers' drafts, under /api/v1/.

The same rules and services as the pages (standards.authoring). Every write names the draft's
`revision` it started from: 409 `standard_draft_changed` when the draft moved on (the body's
`revision` is the current one), 409 `standard_published_frozen` for a published version, 403
`standard_keepers_only` for anyone but the Standard Committee, 404 for a draft one may not see.
Texts go by language: `{"texts": {"en": {"title": ...}, "fr": {"title": ..., "means_of_verification":
[...]}}}`; English is the Standard's own language (the columns), an empty French or Spanish text
removes that translation.
"""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from core import error_codes as core_error_codes
from core.api import ErrorSerializer
from standards import authoring
from standards.models import Component, Criterion, Indicator, Standard, Wording
from standards.selectors import standards_visible

from .serializers import IndicatorSerializer

# --- input ---------------------------------------------------------------------------------------


class StrictSerializer(serializers.Serializer):
    """Refuses a body naming a field the operation does not take (a typo would otherwise be
    silently ignored and the keeper told it was saved)."""

    def validate(self, attrs):
        unknown = sorted(set(getattr(self, "initial_data", {}) or {}) - set(self.fields))
        if unknown:
            raise serializers.ValidationError(
                {name: [_("Unknown field.")] for name in unknown}, code=core_error_codes.UNKNOWN_FIELD
            )
        return attrs


TEXTS_HELP = (
    "Texts by language code (en, fr, es), each a mapping of field to text; `means_of_verification` is a "
    "list of texts. Only the fields sent change; an empty fr/es text removes that translation."
)


def texts_field(**kwargs):
    return serializers.DictField(child=serializers.DictField(), help_text=TEXTS_HELP, **kwargs)


class RevisionInput(StrictSerializer):
    revision = serializers.IntegerField(min_value=1, help_text="The draft's revision the change starts from.")


class DraftCreateInput(StrictSerializer):
    version = serializers.CharField(max_length=40, help_text="The draft's version label, e.g. `1.2`.")


class DraftUpdateInput(RevisionInput):
    version = serializers.CharField(max_length=40, required=False)
    provenance = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    texts = texts_field(required=False)


class TextsInput(RevisionInput):
    texts = texts_field()


class IndicatorUpdateInput(RevisionInput):
    texts = texts_field(required=False)
    sdgs = serializers.ListField(child=serializers.IntegerField(), required=False, max_length=17)
    wording = serializers.ChoiceField(choices=Wording.choices, required=False)
    meaning_changed = serializers.BooleanField(
        required=False, default=False, help_text="The indicator now means something else: it gets a new lineage."
    )


class IndicatorAddInput(RevisionInput):
    criterion = serializers.IntegerField(help_text="The criterion (of this draft) the indicator goes under.")
    after = serializers.IntegerField(
        required=False, allow_null=True, help_text="The indicator it follows; at the end when left out."
    )
    texts = texts_field()
    sdgs = serializers.ListField(child=serializers.IntegerField(), required=False, max_length=17)
    wording = serializers.ChoiceField(choices=Wording.choices, required=False, default=Wording.PARAPHRASE)


class IndicatorMoveInput(RevisionInput):
    criterion = serializers.IntegerField(help_text="The criterion (of this draft) it moves under.")
    position = serializers.IntegerField(help_text="Its place there, 1 = first.")


# --- output --------------------------------------------------------------------------------------


class DraftSerializer(serializers.ModelSerializer):
    based_on: serializers.PrimaryKeyRelatedField[Standard] = serializers.PrimaryKeyRelatedField(read_only=True)
    translations = serializers.DictField(child=serializers.DictField(), read_only=True)

    class Meta:
        model = Standard
        fields = [
            "id",
            "code",
            "version",
            "title",
            "provenance",
            "status",
            "revision",
            "based_on",
            "published_at",
            "source_sha256",
            "translations",
        ]
        read_only_fields = fields


class AuthoredIndicatorSerializer(IndicatorSerializer):
    revision = serializers.IntegerField(
        source="standard.revision", read_only=True, help_text="The draft's revision now."
    )
    criterion: serializers.PrimaryKeyRelatedField[Criterion] = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta(IndicatorSerializer.Meta):
        fields = [*IndicatorSerializer.Meta.fields, "criterion", "position", "revision"]


class AuthoredTextsSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    translations = serializers.DictField(child=serializers.DictField())
    revision = serializers.IntegerField(help_text="The draft's revision now.")


def _texts_out(obj, revision: int) -> dict:
    return {
        "id": obj.pk,
        "number": obj.number,
        "title": obj.title,
        "description": obj.description,
        "translations": obj.translations,
        "revision": revision,
    }


ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Invalid input (`standard_draft_invalid` lists `problems`)"),
    403: OpenApiResponse(ErrorSerializer, description="Not a member of the Standard Committee"),
    404: OpenApiResponse(ErrorSerializer, description="Not found"),
    409: OpenApiResponse(ErrorSerializer, description="The draft changed meanwhile, or the version is published"),
}


def _indicator_out(indicator: Indicator) -> dict:
    indicator = Indicator.objects.select_related("standard").get(pk=indicator.pk)
    return AuthoredIndicatorSerializer(indicator).data


# --- views ---------------------------------------------------------------------------------------


class DraftCreateView(APIView):
    """Create a draft from a version (`POST /standards/{id}/drafts/`)."""

    @extend_schema(
        request=DraftCreateInput, responses={201: DraftSerializer, **ERRORS}, operation_id="standard_draft_create"
    )
    def post(self, request, pk: int):
        source = get_object_or_404(standards_visible(request.user), pk=pk)
        authoring.keeper_required(request.user)
        data = DraftCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        draft = authoring.draft_create(source=source, by=request.user, version=data.validated_data["version"])
        return Response(DraftSerializer(draft).data, status=status.HTTP_201_CREATED)


class _Visible:
    """Rows of versions the person may see (drafts: keepers only); the rule is checked next."""

    request: Any

    def check_keeper(self):
        authoring.keeper_required(self.request.user)


class StandardDraftViewSet(_Visible, mixins.UpdateModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """A draft of the Standard: its meta, new indicators, publishing and deleting."""

    serializer_class = DraftSerializer
    http_method_names = ["patch", "delete", "post", "options", "head"]

    def get_queryset(self):
        return standards_visible(self.request.user)

    @extend_schema(request=DraftUpdateInput, responses={200: DraftSerializer, **ERRORS})
    def partial_update(self, request, pk=None):
        draft = self.get_object()
        self.check_keeper()
        data = DraftUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        draft = authoring.draft_update(
            draft=draft,
            by=request.user,
            revision=values["revision"],
            version=values.get("version"),
            provenance=values.get("provenance"),
            texts=values.get("texts"),
        )
        return Response(DraftSerializer(draft).data)

    @extend_schema(responses={204: None, 403: ERRORS[403], 404: ERRORS[404], 409: ERRORS[409]})
    def destroy(self, request, pk=None):
        draft = self.get_object()
        authoring.draft_delete(draft=draft, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=IndicatorAddInput, responses={201: AuthoredIndicatorSerializer, **ERRORS})
    @action(detail=True, methods=["post"], url_path="indicators")
    def add_indicator(self, request, pk=None):
        draft = self.get_object()
        self.check_keeper()
        data = IndicatorAddInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        criterion = Criterion.objects.filter(pk=values["criterion"], component__standard=draft).first()
        if criterion is None:
            raise serializers.ValidationError({"criterion": [_("Not a criterion of this draft.")]})
        after = None
        if values.get("after") is not None:
            after = Indicator.objects.filter(pk=values["after"], criterion=criterion).first()
            if after is None:
                raise serializers.ValidationError({"after": [_("Not an indicator of this criterion.")]})
        indicator = authoring.indicator_add(
            criterion=criterion,
            by=request.user,
            revision=values["revision"],
            texts=values["texts"],
            after=after,
            sdgs=values.get("sdgs"),
            wording=values["wording"],
        )
        return Response(_indicator_out(indicator), status=status.HTTP_201_CREATED)

    @extend_schema(request=RevisionInput, responses={200: DraftSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        draft = self.get_object()
        self.check_keeper()
        data = RevisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        published = authoring.draft_publish(draft=draft, by=request.user, revision=data.validated_data["revision"])
        return Response(DraftSerializer(published).data)


class StandardIndicatorViewSet(_Visible, mixins.UpdateModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """An indicator of a draft: texts, SDGs, wording, meaning; removing and moving it."""

    serializer_class = AuthoredIndicatorSerializer
    http_method_names = ["patch", "delete", "post", "options", "head"]

    def get_queryset(self):
        return Indicator.objects.filter(standard__in=standards_visible(self.request.user)).select_related("standard")

    @extend_schema(request=IndicatorUpdateInput, responses={200: AuthoredIndicatorSerializer, **ERRORS})
    def partial_update(self, request, pk=None):
        indicator = self.get_object()
        self.check_keeper()
        data = IndicatorUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        indicator = authoring.indicator_update(
            indicator=indicator,
            by=request.user,
            revision=values["revision"],
            texts=values.get("texts"),
            sdgs=values.get("sdgs"),
            wording=values.get("wording"),
            meaning_changed=values["meaning_changed"],
        )
        return Response(_indicator_out(indicator))

    @extend_schema(
        parameters=[OpenApiParameter("revision", int, required=True, description="The draft's revision.")],
        responses={204: None, **ERRORS},
    )
    def destroy(self, request, pk=None):
        indicator = self.get_object()
        self.check_keeper()
        data = RevisionInput(data={"revision": request.query_params.get("revision")})
        data.is_valid(raise_exception=True)
        authoring.indicator_remove(indicator=indicator, by=request.user, revision=data.validated_data["revision"])
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=IndicatorMoveInput, responses={200: AuthoredIndicatorSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        indicator = self.get_object()
        self.check_keeper()
        data = IndicatorMoveInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        to = Criterion.objects.filter(pk=values["criterion"], component__standard_id=indicator.standard_id).first()
        if to is None:
            raise serializers.ValidationError({"criterion": [_("Not a criterion of this draft.")]})
        moved = authoring.indicator_move(
            indicator=indicator,
            by=request.user,
            revision=values["revision"],
            to_criterion=to,
            position=values["position"],
        )
        return Response(_indicator_out(moved))


class StandardComponentViewSet(_Visible, mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """A component of a draft: its title and description in each language."""

    serializer_class = AuthoredTextsSerializer
    http_method_names = ["patch", "options", "head"]

    def get_queryset(self):
        return Component.objects.filter(standard__in=standards_visible(self.request.user)).select_related("standard")

    @extend_schema(request=TextsInput, responses={200: AuthoredTextsSerializer, **ERRORS})
    def partial_update(self, request, pk=None):
        component = self.get_object()
        self.check_keeper()
        data = TextsInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        component = authoring.component_update(
            component=component, by=request.user, revision=values["revision"], texts=values["texts"]
        )
        revision = Standard.objects.values_list("revision", flat=True).get(pk=component.standard_id)
        return Response(_texts_out(component, revision))


class StandardCriterionViewSet(_Visible, mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """A criterion of a draft: its title and description in each language."""

    serializer_class = AuthoredTextsSerializer
    http_method_names = ["patch", "options", "head"]

    def get_queryset(self):
        return Criterion.objects.filter(component__standard__in=standards_visible(self.request.user)).select_related(
            "component"
        )

    @extend_schema(request=TextsInput, responses={200: AuthoredTextsSerializer, **ERRORS})
    def partial_update(self, request, pk=None):
        criterion = self.get_object()
        self.check_keeper()
        data = TextsInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        criterion = authoring.criterion_update(
            criterion=criterion, by=request.user, revision=values["revision"], texts=values["texts"]
        )
        revision = Standard.objects.values_list("revision", flat=True).get(pk=criterion.component.standard_id)
        return Response(_texts_out(criterion, revision))
