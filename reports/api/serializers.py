"""Gap analysis and jobs (exports, imports) as the API shows them (the same data as the pages)."""

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.models import Job
from protected_areas.import_wizard import PREVIEW_JOB_KIND
from protected_areas.services import IMPORT_JOB_KIND
from reports.choices import EXPORT_JOB_KIND, ExportFormat

# kind → the page (URL name, taking the job id) that shows a job of that kind and its result.
JOB_PAGES = {
    EXPORT_JOB_KIND: "reports:job",
    IMPORT_JOB_KIND: "protected_areas:import-status",
    PREVIEW_JOB_KIND: "protected_areas:import-status",
}


# The one error body of the API (core.api), under the name the reports views use.


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


class JobSerializer(serializers.Serializer):
    """Any long-running job (an export, an import of protected areas): the one status answer the API
    and the pages' poller (static/js/job.js) read."""

    id = serializers.IntegerField()
    kind = serializers.CharField(help_text="`reports.export` or `protected_area_import`.")
    status = serializers.ChoiceField(choices=Job.Status.choices)
    progress = serializers.IntegerField(help_text="Steps done (exports) or features read (imports), out of `total`.")
    total = serializers.IntegerField(allow_null=True, help_text="Null while not known.")
    assessment = serializers.SerializerMethodField(help_text="The exported assessment (exports; else null).")
    format = serializers.SerializerMethodField(help_text="The export's format (exports; else null).")
    error = serializers.CharField(allow_blank=True, help_text="Why the job failed (status `failed`).")
    result = serializers.SerializerMethodField(
        help_text="What the job did, once `status` is `done` (else null): an import's counts and rejected "
        "features, an export's size, format and content type."
    )
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    url = serializers.SerializerMethodField(help_text="Where to poll this job.")
    page_url = serializers.SerializerMethodField(help_text="The page that shows the job and its result, for people.")
    download_url = serializers.SerializerMethodField(
        help_text="The job's file (exports, for their owner only), once `status` is `done`; null before and for "
        "jobs without a file."
    )

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_assessment(self, obj):
        return obj.params.get("assessment") if obj.kind == EXPORT_JOB_KIND else None

    @extend_schema_field(serializers.ChoiceField(choices=ExportFormat.choices, allow_null=True))
    def get_format(self, obj):
        return obj.params.get("format") if obj.kind == EXPORT_JOB_KIND else None

    def get_result(self, obj) -> dict[str, Any] | None:
        return obj.result if obj.status == Job.Status.DONE else None

    def get_url(self, obj) -> str:
        return reverse("job-detail", args=[obj.pk])

    def get_page_url(self, obj) -> str | None:
        page = JOB_PAGES.get(obj.kind)
        return reverse(page, args=[obj.pk]) if page else None

    def get_download_url(self, obj) -> str | None:
        if obj.status != Job.Status.DONE or not obj.output_file:
            return None
        return reverse("job-file", args=[obj.pk])  # the API's, which takes a personal token too
