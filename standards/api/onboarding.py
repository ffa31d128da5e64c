"""API of jurisdictions' onboarding records (issue 16): read by IUCN staff and the jurisdiction's
experts, kept by staff. The rules and the write are standards.onboarding's."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.response import Response

from accounts.models import User
from core.api import ErrorSerializer
from standards import onboarding
from standards.models import MIN_ACCREDITED_EXPERTS, Jurisdiction, JurisdictionOnboarding

from .authoring import StrictSerializer


class ConditionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    wording = serializers.CharField(help_text="The condition's wording, as staff entered it from the programme.")
    met_on = serializers.DateField(allow_null=True)


class PersonRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class JurisdictionRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class OnboardingSerializer(serializers.Serializer):
    """A jurisdiction's onboarding record (empty until staff first save it), its expert group's size
    and whether the record is complete."""

    jurisdiction = serializers.SerializerMethodField()
    conditions = serializers.SerializerMethodField()
    implementing_partner = serializers.CharField()
    partner_since = serializers.DateField(allow_null=True)
    reviewer = serializers.SerializerMethodField()
    reviewer_name = serializers.CharField(help_text="The reviewer's name when they have no account.")
    reviewer_appointed_on = serializers.DateField(allow_null=True)
    joined_on = serializers.DateField(allow_null=True)
    notes = serializers.CharField()
    accredited_experts = serializers.SerializerMethodField()
    minimum_experts = serializers.SerializerMethodField()
    too_few_experts = serializers.SerializerMethodField()
    complete = serializers.SerializerMethodField()
    updated_at = serializers.DateTimeField(allow_null=True)

    @extend_schema_field(JurisdictionRefSerializer)
    def get_jurisdiction(self, obj: JurisdictionOnboarding) -> dict:
        j = obj.jurisdiction
        return {"id": j.pk, "code": j.code, "name": j.name}

    @staticmethod
    def _state(obj: JurisdictionOnboarding) -> onboarding.OnboardingState:
        return onboarding.onboarding_state(obj.jurisdiction)

    @extend_schema_field(ConditionSerializer(many=True))
    def get_conditions(self, obj: JurisdictionOnboarding) -> list[dict]:
        return [{"number": n, "wording": label, "met_on": met_on} for n, label, met_on in obj.conditions]

    @extend_schema_field(PersonRefSerializer(allow_null=True))
    def get_reviewer(self, obj: JurisdictionOnboarding) -> dict | None:
        person = obj.reviewer
        return None if person is None else {"id": person.pk, "name": person.get_full_name()}

    def get_accredited_experts(self, obj: JurisdictionOnboarding) -> int:
        return self._state(obj).expert_count

    def get_minimum_experts(self, obj: JurisdictionOnboarding) -> int:
        return MIN_ACCREDITED_EXPERTS

    def get_too_few_experts(self, obj: JurisdictionOnboarding) -> bool:
        return self._state(obj).too_few_experts

    def get_complete(self, obj: JurisdictionOnboarding) -> bool:
        """All four conditions found met, the Implementing Partner and the reviewer named."""
        return self._state(obj).complete


def _date(**kwargs) -> serializers.DateField:
    return serializers.DateField(required=False, allow_null=True, **kwargs)


def _text(max_length: int, **kwargs) -> serializers.CharField:
    return serializers.CharField(required=False, allow_blank=True, max_length=max_length, **kwargs)


class OnboardingWriteSerializer(StrictSerializer):
    """The fields to change (any of them). A condition's date needs its wording; the reviewer is a
    person holding the independent reviewer role (`reviewer`, their id) or a name, not both."""

    condition_1_label = _text(onboarding.TEXT_MAX)
    condition_1_met_on = _date()
    condition_2_label = _text(onboarding.TEXT_MAX)
    condition_2_met_on = _date()
    condition_3_label = _text(onboarding.TEXT_MAX)
    condition_3_met_on = _date()
    condition_4_label = _text(onboarding.TEXT_MAX)
    condition_4_met_on = _date()
    implementing_partner = _text(onboarding.TEXT_MAX)
    partner_since = _date()
    reviewer = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), required=False, allow_null=True)
    reviewer_name = _text(onboarding.TEXT_MAX)
    reviewer_appointed_on = _date()
    joined_on = _date()
    notes = _text(onboarding.NOTES_MAX)


ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Invalid input (stable `code`)"),
    403: OpenApiResponse(ErrorSerializer, description="Not staff, or not an expert of the jurisdiction"),
    404: OpenApiResponse(ErrorSerializer, description="No such jurisdiction"),
}


@extend_schema_view(
    list=extend_schema(responses={200: OnboardingSerializer(many=True), 403: ERRORS[403]}),
    retrieve=extend_schema(responses={200: OnboardingSerializer, 403: ERRORS[403], 404: ERRORS[404]}),
    partial_update=extend_schema(request=OnboardingWriteSerializer, responses={200: OnboardingSerializer, **ERRORS}),
)
class OnboardingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Each jurisdiction's onboarding record, by the jurisdiction's id: the four enabling
    conditions (their wording entered by staff: no public source names them), the Implementing
    Partner, the independent reviewer appointed, and the number of accredited experts (the
    programme asks for at least ten). IUCN staff read all and change them; an expert reads their
    own jurisdictions'."""

    serializer_class = OnboardingSerializer
    lookup_value_regex = r"[0-9]+"
    http_method_names = ["get", "patch", "head", "options"]
    # The whole list in one answer: one row per jurisdiction, a few dozen at most.
    pagination_class = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema's generator, no person
            return Jurisdiction.objects.none()
        return onboarding.jurisdictions_with_onboarding(self.request.user)

    def list(self, request, *args, **kwargs):
        records = [onboarding.onboarding_of(j) for j in self.get_queryset()]
        return Response(OnboardingSerializer(records, many=True).data)

    def retrieve(self, request, pk=None):
        jurisdiction = onboarding.get_jurisdiction_for_onboarding(request.user, int(pk))
        return Response(OnboardingSerializer(onboarding.onboarding_of(jurisdiction)).data)

    def partial_update(self, request, pk=None):
        jurisdiction = onboarding.get_jurisdiction_for_onboarding(request.user, int(pk))
        onboarding.editors_only(request.user)  # 403 before the body is read
        data = OnboardingWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        onboarding.onboarding_update(jurisdiction=jurisdiction, by=request.user, changes=dict(data.validated_data))
        jurisdiction = onboarding.get_jurisdiction_for_onboarding(request.user, jurisdiction.pk)
        return Response(OnboardingSerializer(onboarding.onboarding_of(jurisdiction)).data)
