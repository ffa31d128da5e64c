from rest_framework import serializers

from standards.models import Component, Criterion, Indicator, Standard


class RatingSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    counts_as_met = serializers.BooleanField()
    score = serializers.FloatField(allow_null=True)
    requires_justification = serializers.BooleanField()
    requires_action = serializers.BooleanField()
    allowed_on_submit = serializers.BooleanField()
    description = serializers.CharField(allow_blank=True, allow_null=True)


class IndicatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Indicator
        fields = ["id", "code", "number", "title", "text", "means_of_verification"]


class CriterionSerializer(serializers.ModelSerializer):
    indicators = IndicatorSerializer(many=True, read_only=True)

    class Meta:
        model = Criterion
        fields = ["id", "number", "title", "description", "indicators"]


class ComponentSerializer(serializers.ModelSerializer):
    criteria = CriterionSerializer(many=True, read_only=True)

    class Meta:
        model = Component
        fields = ["id", "number", "title", "description", "criteria"]


class StandardSerializer(serializers.ModelSerializer):
    rating_scale = RatingSerializer(many=True, read_only=True)

    class Meta:
        model = Standard
        fields = [
            "id",
            "code",
            "version",
            "title",
            "published",
            "provenance",
            "rules",
            "rating_scale",
            "source_sha256",
            "loaded_at",
        ]


class StandardDetailSerializer(StandardSerializer):
    components = ComponentSerializer(many=True, read_only=True)

    class Meta(StandardSerializer.Meta):
        fields = [*StandardSerializer.Meta.fields, "components"]
