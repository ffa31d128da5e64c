from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from visits.models import OTHERS_MAX, TEXT_MAX, SiteVisit, SiteVisitTransition


class ParticipantSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class SiteVisitTransitionSerializer(serializers.ModelSerializer):
    class Meta:
        model = SiteVisitTransition
        fields = ["from_status", "to_status", "by", "note", "at"]
        read_only_fields = fields


class SiteVisitSerializer(serializers.ModelSerializer):
    participants = serializers.SerializerMethodField()
    notes = serializers.SerializerMethodField(
        help_text="The group's notes; null for the site team until they are released."
    )
    evidence = serializers.SerializerMethodField(help_text="Ids of the visit's evidence items the caller may see.")
    transitions = SiteVisitTransitionSerializer(many=True, read_only=True)

    class Meta:
        model = SiteVisit
        fields = [
            "id",
            "assessment",
            "status",
            "planned_from",
            "planned_to",
            "held_from",
            "held_to",
            "agenda",
            "participants",
            "other_participants",
            "notes",
            "notes_released_at",
            "evidence",
            "created_by",
            "created_at",
            "transitions",
        ]
        read_only_fields = fields

    @extend_schema_field(ParticipantSerializer(many=True))
    def get_participants(self, visit) -> list[dict]:
        return [{"id": p.pk, "name": p.get_full_name()} for p in visit.participants.all()]

    def get_notes(self, visit) -> str | None:
        return visit.notes if visit.show_notes else None

    def get_evidence(self, visit) -> list[int]:
        return [item.pk for item in visit.evidence.all()]


class PlanSerializer(serializers.Serializer):
    planned_from = serializers.DateField()
    planned_to = serializers.DateField(required=False, allow_null=True, help_text="Defaults to planned_from.")
    agenda = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_MAX * 2)
    participants = serializers.ListField(
        child=serializers.IntegerField(), required=False, help_text="Ids of assigned experts."
    )
    other_participants = serializers.CharField(required=False, allow_blank=True, max_length=OTHERS_MAX * 2)


class HeldSerializer(serializers.Serializer):
    held_from = serializers.DateField()
    held_to = serializers.DateField(required=False, allow_null=True, help_text="Defaults to held_from.")
    notes = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_MAX * 2)
    participants = serializers.ListField(
        child=serializers.IntegerField(), required=False, help_text="Replaces the planned participants when given."
    )
    other_participants = serializers.CharField(required=False, allow_blank=True, max_length=OTHERS_MAX * 2)


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, max_length=TEXT_MAX * 2, help_text="Required.")


class EvidenceAddSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="A photo or a GPS track (the evidence pipeline's allowed types).")
    title = serializers.CharField(required=False, allow_blank=True, max_length=600)
    indicators = serializers.ListField(child=serializers.IntegerField(), required=False)


class EvidenceAddedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    processing_status = serializers.CharField()
