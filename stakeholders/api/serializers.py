from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from stakeholders.choices import CommentStatus, Phase
from stakeholders.models import (
    CONSIDERATION_MAX,
    REASON_MAX,
    WINDOW_NOTE_MAX,
    Comment,
    ConsultationWindow,
)
from stakeholders.selectors import SITE_QUERY_MAX


class WindowSerializer(serializers.ModelSerializer):
    is_open = serializers.SerializerMethodField()

    class Meta:
        model = ConsultationWindow
        fields = [
            "id",
            "protected_area",
            "phase",
            "assessment",
            "certificate",
            "opens_on",
            "closes_on",
            "note",
            "is_open",
        ]

    def get_is_open(self, obj) -> bool:
        return obj.is_open()


class WindowWriteSerializer(serializers.Serializer):
    protected_area = serializers.IntegerField()
    phase = serializers.ChoiceField(choices=Phase.choices)
    opens_on = serializers.DateField()
    closes_on = serializers.DateField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=WINDOW_NOTE_MAX)


class ConsiderationSerializer(serializers.Serializer):
    text = serializers.CharField()
    by = serializers.CharField(source="by.get_short_name")
    at = serializers.DateTimeField()


class CommentSerializer(serializers.ModelSerializer):
    """A comment as the site team, the group and staff see it: never the e-mail address; the name
    only if its author agreed to show it."""

    name = serializers.CharField(source="public_name")
    consideration = serializers.SerializerMethodField()

    class Meta:
        model = Comment
        fields = ["id", "window", "text", "name", "status", "created_at", "rejection_reason", "consideration"]

    @extend_schema_field(ConsiderationSerializer(allow_null=True))
    def get_consideration(self, obj):
        consideration = getattr(obj, "consideration", None) if obj.status == CommentStatus.ACCEPTED else None
        return ConsiderationSerializer(consideration).data if consideration else None


class ModerationWriteSerializer(serializers.Serializer):
    accept = serializers.BooleanField()
    reason = serializers.CharField(required=False, allow_blank=True, max_length=REASON_MAX)


class ConsiderationWriteSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=CONSIDERATION_MAX)


class SiteQuerySerializer(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=SITE_QUERY_MAX)


class SiteMatchSerializer(serializers.Serializer):
    """A site the window form's picker offers: enough to tell namesakes apart."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    wdpa_id = serializers.IntegerField(allow_null=True)
    countries = serializers.ListField(child=serializers.CharField(), source="iso3")
    designation = serializers.CharField(source="designation_eng")
