from rest_framework import serializers

from core.limits import max_length
from standards.models import Component, Criterion, Indicator, Jurisdiction, Standard


class RatingSerializer(serializers.Serializer):
    code = serializers.CharField()
    # DRF's serializer metaclass takes declared fields off the class, so this field does not replace
    # Field.label at run time; the stubs cannot know that.
    label = serializers.CharField()  # type: ignore[assignment]
    counts_as_met = serializers.BooleanField()
    score = serializers.FloatField(allow_null=True)
    requires_justification = serializers.BooleanField()
    requires_action = serializers.BooleanField()
    allowed_on_submit = serializers.BooleanField()
    description = serializers.CharField(allow_blank=True, allow_null=True)
    translations = serializers.DictField(
        child=serializers.DictField(child=serializers.CharField()),
        required=False,
        help_text="The label and description by language (fr, es); English is in the fields.",
    )


class IndicatorSerializer(serializers.ModelSerializer):
    means_of_verification = serializers.ListField(child=serializers.CharField(), read_only=True)
    sdgs = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=17), read_only=True)
    translations = serializers.DictField(
        child=serializers.DictField(), read_only=True, help_text="Texts by language (fr, es); English is in the fields."
    )

    class Meta:
        model = Indicator
        fields = [
            "id",
            "code",
            "number",
            "title",
            "text",
            "means_of_verification",
            "guidance",
            "sdgs",
            "wording",
            "lineage",
            "translations",
        ]


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


class JurisdictionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Jurisdiction
        fields = ["id", "code", "name", "countries"]
        read_only_fields = fields


# More than the world's countries: a longer list is a mistake, not a jurisdiction.
MAX_COUNTRIES = 300


class JurisdictionWriteSerializer(serializers.Serializer):
    code = serializers.SlugField(
        max_length=max_length(Jurisdiction, "code"), help_text="Short, unique, lower case (e.g. `vn`)."
    )
    name = serializers.CharField(max_length=max_length(Jurisdiction, "name"))
    countries = serializers.ListField(
        child=serializers.CharField(max_length=3),
        max_length=MAX_COUNTRIES,
        required=False,
        default=list,
        help_text="ISO 3166 alpha-3 codes of the countries covered (sites there use this group).",
    )
