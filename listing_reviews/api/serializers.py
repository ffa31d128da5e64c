from django.utils.translation import gettext as _
from rest_framework import serializers

from listing_reviews.choices import PANEL_OUTCOMES, RenewalState
from listing_reviews.models import TEXT_MAX, MidtermReview, MidtermReviewTransition, RenewalReview
from listing_reviews.selectors import RENEWAL_STATUS_RULE, renewal_state


class MidtermTransitionSerializer(serializers.ModelSerializer):
    class Meta:
        model = MidtermReviewTransition
        fields = ["from_status", "to_status", "by", "note", "at"]
        read_only_fields = fields


class MidtermReviewSerializer(serializers.ModelSerializer):
    certificate = serializers.CharField(source="certificate.number", read_only=True)
    protected_area = serializers.IntegerField(source="certificate.protected_area_id", read_only=True)
    conditions = serializers.CharField(
        source="certificate.decision.conditions", read_only=True, help_text="The listing's conditions (the decision's)."
    )
    evidence = serializers.SerializerMethodField(help_text="Ids of the monitoring evidence items.")
    transitions = MidtermTransitionSerializer(many=True, read_only=True)

    class Meta:
        model = MidtermReview
        fields = [
            "id",
            "certificate",
            "protected_area",
            "status",
            "due_on",
            "opened_at",
            "conditions",
            "what_changed",
            "conditions_progress",
            "filed_by",
            "filed_at",
            "evidence",
            "findings",
            "reviewed_by",
            "reviewed_at",
            "panel_note",
            "panel_by",
            "panel_at",
            "overdue_flagged_at",
            "transitions",
        ]
        read_only_fields = fields

    def get_evidence(self, review) -> list[int]:
        return [item.pk for item in review.evidence.all()]


class RenewalReviewSerializer(serializers.ModelSerializer):
    certificate = serializers.CharField(source="certificate.number", read_only=True)
    protected_area = serializers.IntegerField(source="certificate.protected_area_id", read_only=True)
    expires_on = serializers.DateField(source="certificate.expires_on", read_only=True)
    state = serializers.SerializerMethodField()
    status_rule = serializers.SerializerMethodField(
        help_text="The certificate's status rule while renewal is under way."
    )

    class Meta:
        model = RenewalReview
        fields = [
            "id",
            "certificate",
            "protected_area",
            "expires_on",
            "due_on",
            "opened_at",
            "assessment",
            "started_by",
            "started_at",
            "state",
            "status_rule",
        ]
        read_only_fields = fields

    def get_state(self, review) -> RenewalState:
        return RenewalState(renewal_state(review))

    def get_status_rule(self, review) -> str:
        return str(RENEWAL_STATUS_RULE)


class OpenReviewsSerializer(serializers.Serializer):
    midterm = MidtermReviewSerializer(many=True)
    renewal = RenewalReviewSerializer(many=True)


class UpdateSerializer(serializers.Serializer):
    what_changed = serializers.CharField(allow_blank=True, max_length=TEXT_MAX * 2, help_text="Required.")
    conditions_progress = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_MAX * 2)
    progress = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=TEXT_MAX * 2),
        required=False,
        help_text="Progress on each open condition of the listing: condition id → text (its progress report).",
    )

    def validate_progress(self, value):
        if any(not (str(key).isascii() and str(key).isdigit()) for key in value):
            raise serializers.ValidationError(_("Keys are condition ids."))
        return {int(key): text for key, text in value.items()}


class MidtermEvidenceAddSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="A monitoring file (the evidence pipeline's allowed types).")
    title = serializers.CharField(required=False, allow_blank=True, max_length=600)


class MidtermEvidenceAddedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    processing_status = serializers.CharField()


class GroupReviewSerializer(serializers.Serializer):
    findings = serializers.CharField(allow_blank=True, max_length=TEXT_MAX * 2, help_text="Required.")


class PanelSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=[(o.value, o.label) for o in PANEL_OUTCOMES])
    note = serializers.CharField(allow_blank=True, max_length=TEXT_MAX * 2, help_text="Required.")
