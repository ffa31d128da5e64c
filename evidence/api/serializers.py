from django.urls import reverse
from rest_framework import serializers

from ..choices import Sensitivity
from ..models import EvidenceItem


class SearchResultSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    title = serializers.CharField()
    title_snippet = serializers.CharField(help_text="Title with ⟦matches⟧ between U+27E6 and U+27E7.")
    snippet = serializers.CharField(help_text="Text around the matches, matches between U+27E6 and U+27E7.")
    rank = serializers.FloatField()
    processing_status = serializers.CharField()


class FactsSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="item_id")
    status = serializers.CharField(source="item.processing_status")
    reason = serializers.CharField(source="item.status_reason")
    sha256 = serializers.CharField(source="item.sha256")
    kind = serializers.CharField()
    mime_type = serializers.CharField()
    page_count = serializers.IntegerField(allow_null=True)
    captured_at = serializers.DateTimeField(allow_null=True)
    camera_make = serializers.CharField()
    camera_model = serializers.CharField()
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)
    location_check = serializers.CharField()
    distance_km = serializers.FloatField(allow_null=True)
    in_period = serializers.BooleanField(allow_null=True)
    duplicate = serializers.CharField()
    error_code = serializers.CharField()
    raster_stats = serializers.JSONField(allow_null=True)
    camera_trap = serializers.JSONField(allow_null=True)


class EvidenceSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()
    indicators = serializers.SerializerMethodField()

    class Meta:
        model = EvidenceItem
        fields = [
            "id",
            "assessment",
            "title",
            "original_filename",
            "size",
            "content_type",
            "evidence_date",
            "uploaded_at",
            "sensitivity",
            "processing_status",
            "status_reason",
            "sha256",
            "indicators",
            "site",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, obj) -> str:
        # The API's download (a personal token works there; the page's twin takes a session only).
        return reverse("evidence-file", args=[obj.pk])

    def get_indicators(self, obj) -> list[int]:
        return sorted({a.indicator_id for a in obj.answers.all()})


class EvidenceUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    title = serializers.CharField(required=False, allow_blank=True, default="")
    indicators = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    sensitivity = serializers.ChoiceField(choices=Sensitivity.choices, default=Sensitivity.REVIEWERS)
    evidence_date = serializers.DateField(required=False, allow_null=True, default=None)
    site = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        max_value=2**31 - 1,
        help_text="Which of a multi-site application's sites (a protected area id) it is about; none: the whole.",
    )


class StatusRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    # Plain strings, as in FactsSerializer (the values of evidence.choices).
    status = serializers.CharField()
    reason = serializers.CharField()
    kind = serializers.CharField()
    location_check = serializers.CharField()
    distance_km = serializers.FloatField(allow_null=True)
    in_period = serializers.BooleanField(allow_null=True)
    duplicate = serializers.CharField()
    captured_at = serializers.DateTimeField(allow_null=True)
    thumbnail = serializers.CharField(allow_null=True, help_text="URL of the thumbnail, when processing made one.")


class EvidenceStatusSerializer(serializers.Serializer):
    assessment = serializers.IntegerField()
    pending = serializers.IntegerField(help_text="Items still pending or processing.")
    items = StatusRowSerializer(many=True)


class LinkableItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    download_url = serializers.CharField()
    evidence_date = serializers.DateField(allow_null=True)
    earlier_cycle = serializers.BooleanField(help_text="Evidence of an earlier cycle of the same site.")


class LinkablePageSerializer(serializers.Serializer):
    results = LinkableItemSerializer(many=True)
    page = serializers.IntegerField()
    has_next = serializers.BooleanField()
