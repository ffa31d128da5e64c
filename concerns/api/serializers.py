from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from certification.choices import ConditionChecker
from concerns.choices import ConcernOutcomeKind
from concerns.models import REASON_MAX, TEXT_MAX, Concern, ConcernOutcome, ConcernTransition
from concerns.rules import can_see_advice, can_see_internal, can_see_raiser_name
from concerns.selectors import adviser_ids


class StepSerializer(serializers.ModelSerializer):
    class Meta:
        model = ConcernTransition
        fields = ["from_status", "to_status", "at"]


class OutcomeSerializer(serializers.ModelSerializer):
    class Meta:
        model = ConcernOutcome
        fields = ["id", "kind", "public_summary", "recorded_at"]


class InternalOutcomeSerializer(OutcomeSerializer):
    members: serializers.PrimaryKeyRelatedField[Any] = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta(OutcomeSerializer.Meta):
        fields = [*OutcomeSerializer.Meta.fields, "reasons", "members", "recorded_by"]


class AttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    original_filename = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()


class ConcernListSerializer(serializers.ModelSerializer):
    class Meta:
        model = Concern
        fields = ["id", "protected_area", "certificate", "status", "created_at"]


class ConcernSerializer(serializers.ModelSerializer):
    """A concern as the person asking may see it: never the raiser's e-mail address; their name
    only for staff and the Panel; internal reasons only for staff and the Panel; the expert group's
    advice only for staff, the Panel and the group (concerns.rules.can_see_advice)."""

    name = serializers.SerializerMethodField()
    advice = serializers.SerializerMethodField(help_text="The expert group's advice: empty unless you may read it.")
    steps = serializers.SerializerMethodField()
    outcomes = serializers.SerializerMethodField()
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Concern
        fields = [
            "id",
            "protected_area",
            "certificate",
            "status",
            "text",
            "name",
            "created_at",
            "site_answer",
            "site_answer_shareable",
            "answered_at",
            "advice",
            "advised_at",
            "attachments",
            "steps",
            "outcomes",
        ]

    def _user(self):
        return self.context["request"].user

    def get_name(self, obj) -> str:
        return obj.name if can_see_raiser_name(self._user()) else ""

    def get_advice(self, obj) -> str:
        return obj.advice if can_see_advice(self._user(), obj, adviser_ids(obj)) else ""

    @extend_schema_field(StepSerializer(many=True))
    def get_steps(self, obj):
        return StepSerializer(obj.transitions.all(), many=True).data

    @extend_schema_field(InternalOutcomeSerializer(many=True))
    def get_outcomes(self, obj):
        serializer = InternalOutcomeSerializer if can_see_internal(self._user()) else OutcomeSerializer
        return serializer(obj.outcomes.all(), many=True).data


class TriageSerializer(serializers.Serializer):
    admissible = serializers.BooleanField()
    reason = serializers.CharField(max_length=REASON_MAX)
    advisers = serializers.ListField(child=serializers.IntegerField(), required=False, max_length=50)


class TextSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=TEXT_MAX)


class ShareSerializer(serializers.Serializer):
    shareable = serializers.BooleanField()


class CloseSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=REASON_MAX)


class OutcomeWriteSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ConcernOutcomeKind.choices)
    reasons = serializers.CharField(max_length=TEXT_MAX)
    public_summary = serializers.CharField(max_length=TEXT_MAX)
    members = serializers.ListField(child=serializers.IntegerField(), max_length=50)
    condition_text = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_MAX)
    condition_due_on = serializers.DateField(required=False, allow_null=True)
    condition_checked_by = serializers.ChoiceField(choices=ConditionChecker.choices, required=False, allow_blank=True)
