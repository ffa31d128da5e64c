from django.db import models
from django.utils.translation import gettext_lazy as _

from assessments.choices import Status

# Actions and requests falling due within this many days are listed as "due soon".
DUE_SOON_DAYS = 30


class Phase(models.TextChoices):
    """Where a site stands, for the portfolio: the phase of its latest assessment, with a decided
    one split by the decision's outcome."""

    APPLICATION = Status.APPLICATION.value, _("Application")
    CANDIDATE = Status.CANDIDATE.value, _("Candidate")
    SUBMITTED = Status.SUBMITTED.value, _("Submitted")
    IN_REVIEW = Status.IN_REVIEW.value, _("In review")
    CHANGES_REQUESTED = Status.CHANGES_REQUESTED.value, _("Changes requested")
    RESUBMITTED = Status.RESUBMITTED.value, _("Resubmitted")
    RECOMMENDED = Status.RECOMMENDED.value, _("Recommended")
    NOT_RECOMMENDED = Status.NOT_RECOMMENDED.value, _("Not recommended")
    LISTED = "listed", _("Green Listed")
    DECLINED = "declined", _("Declined")

    @classmethod
    def label_of(cls, value: str) -> str:
        try:
            return str(cls(value).label)
        except ValueError:
            return value


PHASE_ORDER = [p.value for p in Phase]


class ExportFormat(models.TextChoices):
    PDF = "pdf", _("Dossier (PDF)")
    XLSX = "xlsx", _("Answers and findings (Excel)")
    CSV = "csv", _("Answers and findings (CSV)")
    JSON = "json", _("Assessment package (JSON, re-importable)")


EXPORT_JOB_KIND = "reports.export"
