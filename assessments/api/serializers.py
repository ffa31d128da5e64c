from __future__ import annotations

from typing import Any

from rest_framework import serializers

from assessments.choices import Status
from assessments.models import ACTION_MAX, JUSTIFICATION_MAX, Answer, Assessment, AssessmentTransition
from core.api import ErrorSerializer
from core.limits import max_length


class AssessmentSerializer(serializers.ModelSerializer):
    protected_area_name = serializers.CharField(source="protected_area.name", read_only=True)
    standard_version = serializers.CharField(source="standard.version", read_only=True)
    status = serializers.ChoiceField(choices=Status.choices, read_only=True)

    class Meta:
        model = Assessment
        fields = [
            "id",
            "protected_area",
            "protected_area_name",
            "cycle",
            "year",
            "status",
            "standard",
            "standard_version",
            "adapted_set",
            "previous",
            "created_at",
            "updated_at",
            "submitted_at",
        ]
        read_only_fields = fields


class AssessmentCreateSerializer(serializers.Serializer):
    protected_area = serializers.IntegerField()
    year = serializers.IntegerField()
    prefill_from_previous = serializers.BooleanField(
        default=False, help_text="Copy answers and evidence links from the site's latest cycle."
    )


class AnswerSerializer(serializers.ModelSerializer):
    indicator_code = serializers.CharField(source="indicator.code", read_only=True)
    indicator_number = serializers.CharField(source="indicator.number", read_only=True)
    evidence: serializers.PrimaryKeyRelatedField[Any] = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    updated_by: serializers.StringRelatedField[Any] = serializers.StringRelatedField(read_only=True)

    class Meta:
        model = Answer
        fields = [
            "id",
            "indicator",
            "indicator_code",
            "indicator_number",
            "rating",
            "justification",
            "evidence_date",
            "action_text",
            "action_owner",
            "action_due",
            "carried_over",
            "evidence",
            "version",
            "updated_by",
            "updated_at",
        ]
        read_only_fields = fields


class AnswerWriteSerializer(serializers.Serializer):
    """Fields left out are not changed. `version` is the version the client started from."""

    version = serializers.IntegerField(min_value=1)
    rating = serializers.CharField(required=False, allow_blank=True, max_length=max_length(Answer, "rating"))
    # Limits are checked by the service, which names them in a stable error code.
    justification = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, help_text=f"At most {JUSTIFICATION_MAX} characters."
    )
    evidence_date = serializers.DateField(required=False, allow_null=True)
    action_text = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, help_text=f"At most {ACTION_MAX} characters."
    )
    action_owner = serializers.CharField(required=False, allow_blank=True)
    action_due = serializers.DateField(required=False, allow_null=True)
    evidence = serializers.ListField(
        child=serializers.IntegerField(), required=False, help_text="The full list of linked evidence item ids."
    )


class AnswerConflictSerializer(ErrorSerializer):
    """The error body of a 409 on an answer: with `current`, the answer as saved meanwhile, when
    the code is `answer_changed` (not for a frozen assessment, `assessment_frozen`)."""

    current = AnswerSerializer(required=False)


class TransitionSerializer(serializers.ModelSerializer):
    by: serializers.StringRelatedField[Any] = serializers.StringRelatedField()

    class Meta:
        model = AssessmentTransition
        fields = ["id", "from_status", "to_status", "by", "at", "note"]
        read_only_fields = fields


class TransitionCreateSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=Status.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")


# The one error body of the API (core.api; `missing` for `assessment_incomplete`).
