"""Gap analysis and export jobs as the API shows them (the same data as the reports pages)."""

from django.urls import reverse
from rest_framework import serializers

from core.models import Job
from reports.choices import ExportFormat


class ReportErrorSerializer(serializers.Serializer):
    """`{"code", "detail"}` of a refused reports request (named apart from other apps' error bodies)."""

    code = serializers.CharField()
    detail = serializers.CharField()
    field = serializers.CharField(required=False)


class GapRowSerializer(serializers.Serializer):
    answer = serializers.IntegerField(source="answer.pk")
    indicator = serializers.CharField(source="indicator.code", help_text="Indicator code.")
    indicator_number = serializers.CharField(source="indicator.number")
    indicator_title = serializers.CharField(source="indicator.title")
    criterion = serializers.CharField(source="criterion.number", help_text="Criterion number.")
    criterion_title = serializers.CharField(source="criterion.title")
    rating = serializers.CharField(
        source="rating_code", allow_blank=True, help_text="The site's rating; empty if unrated."
    )
    rating_label = serializers.CharField(source="rating")
    group_rating = serializers.CharField(
        source="group_rating_code",
        allow_blank=True,
        help_text="The group's finding, when you may see it (site teams: once released); else empty.",
    )
    group_rating_label = serializers.CharField(source="group_rating", allow_blank=True)
    only_group = serializers.BooleanField(help_text="Met by the site's own rating, not by the group's finding.")
    action = serializers.CharField(allow_blank=True, help_text="The action-plan entry for this gap.")
    owner = serializers.CharField(allow_blank=True)
    due = serializers.DateField(allow_null=True)
    overdue = serializers.BooleanField()
    due_soon = serializers.BooleanField(help_text="Due within the next 30 days.")
    days = serializers.IntegerField(allow_null=True, help_text="Days until due (negative when overdue).")
    late_days = serializers.IntegerField()
    missing_action = serializers.BooleanField(help_text="The action, its owner or its due date is missing.")


class GapAnalysisSerializer(serializers.Serializer):
    assessment = serializers.IntegerField()
    today = serializers.DateField(help_text="The date `overdue` and `due_soon` are reckoned from.")
    includes_group_findings = serializers.BooleanField(source="show_findings")
    overdue = serializers.IntegerField()
    due_soon = serializers.IntegerField()
    missing_action = serializers.IntegerField()
    rows = GapRowSerializer(many=True)


class ExportRequestSerializer(serializers.Serializer):
    format = serializers.ChoiceField(choices=ExportFormat.choices)


class ExportJobSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    status = serializers.ChoiceField(choices=Job.Status.choices)
    progress = serializers.IntegerField(help_text="Steps done, out of `total`.")
    total = serializers.IntegerField(allow_null=True)
    assessment = serializers.IntegerField(source="params.assessment")
    format = serializers.ChoiceField(source="params.format", choices=ExportFormat.choices)
    error = serializers.CharField(allow_blank=True, help_text="Why the export failed (status `failed`).")
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    url = serializers.SerializerMethodField(help_text="Where to poll this job.")
    download_url = serializers.SerializerMethodField(
        help_text="The file (for its owner only), once `status` is `done`; null before."
    )

    def get_url(self, obj) -> str:
        return reverse("job-detail", args=[obj.pk])

    def get_download_url(self, obj) -> str | None:
        if obj.status != Job.Status.DONE or not obj.output_file:
            return None
        return reverse("job-file", args=[obj.pk])  # the API's, which takes a personal token too
