from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.limits import max_length
from evidence.models import EvidenceItem
from reviews.choices import AssignmentRole, Outcome
from reviews.models import (
    TEXT_MAX,
    AssessmentReview,
    GroupFinding,
    IndicatorReview,
    InformationReply,
    InformationRequest,
    ReviewAssignment,
)


class WarningSerializer(serializers.Serializer):
    kind = serializers.CharField()
    detail = serializers.CharField()


class AssignmentSerializer(serializers.ModelSerializer):
    user_email = serializers.EmailField(source="user.email", read_only=True)
    user_name = serializers.CharField(source="user.get_full_name", read_only=True)
    warnings = WarningSerializer(many=True, read_only=True, help_text="Automatic conflict warnings (staff only).")

    class Meta:
        model = ReviewAssignment
        fields = [
            "id",
            "assessment",
            "user",
            "user_email",
            "user_name",
            "role",
            "due_date",
            "assigned_at",
            "notified_at",
            "coi_status",
            "coi_note",
            "coi_declared_at",
            "warnings",
        ]
        read_only_fields = fields

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not self.context.get("show_warnings"):
            data["warnings"] = []
        return data


class AssignmentCreateSerializer(serializers.Serializer):
    assessment = serializers.IntegerField()
    user = serializers.IntegerField()
    role = serializers.ChoiceField(choices=AssignmentRole.choices)
    due_date = serializers.DateField()


class DeclarationSerializer(serializers.Serializer):
    has_conflict = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_MAX)


class EvidenceBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    evidence_date = serializers.DateField(allow_null=True)
    uploaded_at = serializers.DateTimeField()
    download_url = serializers.CharField()


class IndicatorReviewSerializer(serializers.ModelSerializer):
    expert = serializers.EmailField(source="assignment.user.email", read_only=True)
    indicator = serializers.CharField(source="answer.indicator.number", read_only=True)
    out_of_date = serializers.BooleanField(read_only=True, default=False)

    class Meta:
        model = IndicatorReview
        fields = [
            "id",
            "answer",
            "indicator",
            "expert",
            "rating",
            "finding",
            "comment",
            "shared",
            "answer_version",
            "updated_at",
            "out_of_date",
        ]
        read_only_fields = fields


class IndicatorReviewWriteSerializer(serializers.Serializer):
    answer = serializers.IntegerField()
    rating = serializers.CharField(max_length=max_length(IndicatorReview, "rating"))
    finding = serializers.CharField(required=False, allow_blank=True, default="")
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    shared = serializers.BooleanField(required=False, default=False)
    seen = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        default=None,
        max_length=40,
        help_text='Your review\'s `updated_at` when you loaded it ("" if you had none): if it was saved since, '
        "nothing is saved and the answer is 409 `review_changed` with the saved one in `current`. Left out: no check.",
    )


class GroupFindingSerializer(serializers.ModelSerializer):
    indicator = serializers.CharField(source="answer.indicator.number", read_only=True)
    recorded_by = serializers.EmailField(source="recorded_by.email", read_only=True)
    out_of_date = serializers.BooleanField(read_only=True, default=False)

    class Meta:
        model = GroupFinding
        fields = [
            "id",
            "answer",
            "indicator",
            "rating",
            "finding",
            "answer_version",
            "recorded_by",
            "updated_at",
            "out_of_date",
        ]
        read_only_fields = fields


class GroupFindingWriteSerializer(serializers.Serializer):
    answer = serializers.IntegerField()
    rating = serializers.CharField(max_length=max_length(GroupFinding, "rating"))
    finding = serializers.CharField(allow_blank=True)


class ReplySerializer(serializers.ModelSerializer):
    author = serializers.EmailField(source="author.email", read_only=True)
    evidence = serializers.SerializerMethodField()

    class Meta:
        model = InformationReply
        fields = ["id", "author", "text", "evidence", "created_at"]
        read_only_fields = fields

    def get_evidence(self, obj) -> list[int]:
        return [i.pk for i in getattr(obj, "visible_evidence", obj.evidence.all())]


class InformationRequestSerializer(serializers.ModelSerializer):
    asked_by = serializers.EmailField(source="asked_by.email", read_only=True)
    indicator = serializers.CharField(source="answer.indicator.number", read_only=True)
    replies = ReplySerializer(many=True, read_only=True)

    class Meta:
        model = InformationRequest
        fields = ["id", "answer", "indicator", "asked_by", "question", "status", "created_at", "closed_at", "replies"]
        read_only_fields = fields


class InformationRequestWriteSerializer(serializers.Serializer):
    answer = serializers.IntegerField()
    question = serializers.CharField(allow_blank=True)


class ReplyWriteSerializer(serializers.Serializer):
    text = serializers.CharField(allow_blank=True)
    evidence = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    file = serializers.FileField(required=False, allow_null=True)
    file_title = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=max_length(EvidenceItem, "title")
    )


class RecommendationSerializer(serializers.ModelSerializer):
    recommended_by = serializers.EmailField(source="recommended_by.email", read_only=True, allow_null=True)
    reviewer = serializers.EmailField(source="reviewer.email", read_only=True, allow_null=True)

    class Meta:
        model = AssessmentReview
        fields = [
            "assessment",
            "outcome",
            "reasons",
            "recommended_by",
            "recommended_at",
            "reviewer_decision",
            "reviewer_note",
            "reviewer",
            "reviewer_at",
            "findings_released_at",
        ]
        read_only_fields = fields


class RecommendationWriteSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    reasons = serializers.CharField(allow_blank=True)


class ConfirmSerializer(serializers.Serializer):
    confirmed = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class PhaseSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=[("start", "start"), ("send_back", "send_back"), ("release", "release")])
    note = serializers.CharField(required=False, allow_blank=True, default="")


class PhaseResultSerializer(serializers.Serializer):
    status = serializers.CharField()
    findings_released_at = serializers.DateTimeField(allow_null=True)


class IndicatorRowSerializer(serializers.Serializer):
    """One indicator side by side, as the review page shows it to this person."""

    answer = serializers.IntegerField(source="answer.pk")
    indicator = serializers.CharField(source="answer.indicator.number")
    title = serializers.CharField(source="answer.indicator.title")
    text = serializers.CharField(source="answer.indicator.text")
    adapted_text = serializers.CharField(source="adapted.text", default="")
    site_rating = serializers.CharField(source="answer.rating")
    site_justification = serializers.CharField(source="answer.justification")
    answer_version = serializers.IntegerField(source="answer.version")
    evidence = serializers.SerializerMethodField()
    my_review = IndicatorReviewSerializer(allow_null=True)
    my_review_out_of_date = serializers.BooleanField()
    other_reviews = IndicatorReviewSerializer(many=True)
    group_finding = GroupFindingSerializer(allow_null=True)
    group_out_of_date = serializers.BooleanField()
    requests = InformationRequestSerializer(many=True)
    changed_since_sent_back = serializers.BooleanField()
    disagree = serializers.BooleanField()
    unmet = serializers.BooleanField()
    reviewed = serializers.BooleanField()

    @extend_schema_field(EvidenceBriefSerializer(many=True))
    def get_evidence(self, row):
        from django.urls import reverse

        return [
            {
                "id": i.pk,
                "title": i.title,
                "content_type": i.content_type,
                "size": i.size,
                "evidence_date": i.evidence_date,
                "uploaded_at": i.uploaded_at,
                "download_url": reverse("evidence-file", args=[i.pk]),  # the API's, which takes a token
            }
            for i in row.evidence
        ]


class AssessmentAgreementSerializer(serializers.Serializer):
    assessment = serializers.IntegerField(source="assessment.pk")
    findings = serializers.IntegerField()
    findings_agree = serializers.IntegerField()
    findings_percent = serializers.IntegerField(allow_null=True)
    reviews = serializers.IntegerField()
    reviews_agree = serializers.IntegerField()
    reviews_percent = serializers.IntegerField(allow_null=True)


class ExpertAgreementSerializer(serializers.Serializer):
    user_id = serializers.IntegerField()
    email = serializers.EmailField()
    name = serializers.CharField()
    assessments = serializers.IntegerField()
    reviews = serializers.IntegerField()
    agree_with_site = serializers.IntegerField()
    site_percent = serializers.IntegerField(allow_null=True)
    compared_with_group = serializers.IntegerField()
    agree_with_group = serializers.IntegerField()
    group_percent = serializers.IntegerField(allow_null=True)


class AgreementSerializer(serializers.Serializer):
    per_assessment = AssessmentAgreementSerializer(many=True)
    per_expert = ExpertAgreementSerializer(many=True)
