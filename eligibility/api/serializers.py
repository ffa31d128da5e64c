from rest_framework import serializers

from eligibility.models import REASONS_MAX, EligibilityRecord


class RecordSerializer(serializers.ModelSerializer):
    by_name = serializers.CharField(source="by.get_short_name", read_only=True)
    verdict = serializers.CharField(read_only=True, help_text="The answer in words, in the request's language.")

    class Meta:
        model = EligibilityRecord
        fields = ["id", "step", "positive", "verdict", "reasons", "by", "by_name", "at"]
        read_only_fields = fields


class PrecheckItemSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=["registered", "category", "governance", "boundary"])
    name = serializers.CharField(help_text="What is checked, in the request's language.")
    passed = serializers.BooleanField()
    reason = serializers.CharField()


class MissingSerializer(serializers.Serializer):
    code = serializers.ChoiceField(
        choices=["evaluation_missing", "evaluation_negative", "check_missing", "check_negative", "site_precheck_failed"]
    )
    text = serializers.CharField()


class EligibilityAnswerSerializer(serializers.Serializer):
    number = serializers.CharField()
    rating = serializers.CharField(help_text="The rating's code on the Standard's scale; empty when not rated.")
    rating_label = serializers.CharField()
    justification = serializers.CharField()


class SitePrecheckSerializer(serializers.Serializer):
    """An added site of a multi-site application (issue 16) with its own pre-check and statements."""

    protected_area = serializers.IntegerField()
    name = serializers.CharField()
    wdpa_id = serializers.IntegerField(allow_null=True)
    connection = serializers.CharField()
    shared_values = serializers.CharField()
    precheck = PrecheckItemSerializer(many=True)


class GateStateSerializer(serializers.Serializer):
    assessment = serializers.IntegerField()
    status = serializers.CharField(help_text="The assessment's phase; records are taken only in 'application'.")
    established = serializers.BooleanField(help_text="Both positive, or overridden: the move to candidate is allowed.")
    missing = MissingSerializer(many=True)
    precheck = PrecheckItemSerializer(many=True, help_text="The main site's.")
    sites = SitePrecheckSerializer(many=True, help_text="The application's other sites, each with its pre-check.")
    answers = EligibilityAnswerSerializer(many=True, help_text="The site's own answers to 2.1.1 and 2.1.2.")
    evaluation = RecordSerializer(allow_null=True)
    check = RecordSerializer(allow_null=True, help_text="In effect only when newer than the evaluation in effect.")
    override = RecordSerializer(allow_null=True)
    history = RecordSerializer(many=True)


class EvaluationWriteSerializer(serializers.Serializer):
    eligible = serializers.BooleanField()
    reasons = serializers.CharField(allow_blank=True, max_length=REASONS_MAX * 2, help_text="Required.")


class CheckWriteSerializer(serializers.Serializer):
    confirmed = serializers.BooleanField()
    reasons = serializers.CharField(allow_blank=True, max_length=REASONS_MAX * 2, help_text="Required.")


class OverrideWriteSerializer(serializers.Serializer):
    reasons = serializers.CharField(allow_blank=True, max_length=REASONS_MAX * 2, help_text="Required.")
