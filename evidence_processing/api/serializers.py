from rest_framework import serializers


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


class EvidenceErrorSerializer(serializers.Serializer):
    """`{"code", "detail"}` of a refused evidence request (named apart from other apps' error bodies)."""

    code = serializers.CharField()
    detail = serializers.CharField()
