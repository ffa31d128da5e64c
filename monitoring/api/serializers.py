from rest_framework import serializers

from monitoring.choices import DatasetKind, NotComparable
from monitoring.models import TITLE_MAX, MonitoringDataset, MonitoringDatasetTransition, MonitoringFile, MonitoringValue


class MonitoringFileSerializer(serializers.ModelSerializer):
    class Meta:
        model = MonitoringFile
        fields = ["id", "original_name", "size", "sha256"]
        read_only_fields = fields


class MonitoringTransitionSerializer(serializers.ModelSerializer):
    class Meta:
        model = MonitoringDatasetTransition
        fields = ["from_status", "to_status", "by", "note", "at"]
        read_only_fields = fields


class ProblemSerializer(serializers.Serializer):
    file = serializers.CharField()
    row = serializers.IntegerField(allow_null=True, help_text="1 = the first data row; 0 = the header.")
    column = serializers.CharField(allow_null=True)
    message = serializers.CharField()
    fatal = serializers.BooleanField(help_text="True: the dataset could not be read at all.")


class MonitoringDatasetSerializer(serializers.ModelSerializer):
    files = MonitoringFileSerializer(many=True, read_only=True)
    transitions = MonitoringTransitionSerializer(many=True, read_only=True)
    problems = ProblemSerializer(many=True, read_only=True)
    summary = serializers.JSONField(read_only=True, help_text="What the reader found and the rules it applied.")
    params = serializers.JSONField(read_only=True)

    class Meta:
        model = MonitoringDataset
        fields = [
            "id",
            "area",
            "kind",
            "title",
            "params",
            "sensitive",
            "status",
            "problems",
            "summary",
            "created_by",
            "created_at",
            "processed_at",
            "files",
            "transitions",
        ]
        read_only_fields = fields


class MonitoringValueSerializer(serializers.ModelSerializer):
    boundary_version = serializers.SerializerMethodField(help_text="The boundary version the value was computed in.")
    # Declared: a read-only field built from the model drops allow_blank, and the schema would then
    # not admit the empty reason every comparable value carries.
    not_comparable_reason = serializers.ChoiceField(
        choices=NotComparable.choices,
        allow_blank=True,
        read_only=True,
        help_text="Why the value is not to be compared with other periods; empty when it is comparable.",
    )

    class Meta:
        model = MonitoringValue
        fields = [
            "metric",
            "taxon",
            "zone",
            "period",
            "period_start",
            "value",
            "effort",
            "effort_unit",
            "comparable",
            "not_comparable_reason",
            "ci_low",
            "ci_high",
            "method",
            "boundary_version",
        ]
        read_only_fields = fields

    def get_boundary_version(self, value) -> int | None:
        return value.boundary.version if value.boundary_id else None


class UploadSerializer(serializers.Serializer):
    """A new dataset: its files (repeat `files`), title and kind (told from the content when left out),
    and the parameters its kind reads."""

    files = serializers.ListField(child=serializers.FileField(), min_length=1)
    title = serializers.CharField(max_length=TITLE_MAX)
    kind = serializers.ChoiceField(choices=DatasetKind.choices, required=False)
    sensitive = serializers.BooleanField(required=False, default=False)
    min_confidence = serializers.FloatField(required=False, help_text="Acoustic: 0–1.")
    year = serializers.IntegerField(required=False, help_text="Acoustic: the recordings' year.")
    duration_s = serializers.FloatField(required=False, help_text="Acoustic: each recording's length.")
    canopy_threshold = serializers.FloatField(required=False, help_text="Forest: percent canopy in 2000.")
    buffer_km = serializers.FloatField(required=False, help_text="Forest: width of the ring outside.")
    min_trap_nights = serializers.FloatField(required=False, help_text="Camera traps: effort to compare years.")
    min_records = serializers.IntegerField(required=False, help_text="Occurrences: records to compare years.")
