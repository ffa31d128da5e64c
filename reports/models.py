from django.conf import settings
from django.db import models


class ImportedPackage(models.Model):
    """An assessment that came in as a package from another instance of the platform.

    The package is kept whole: it holds what has no row here (evidence metadata without the files,
    the experts' individual reviews and the request threads, whose authors may not exist here).
    """

    assessment = models.OneToOneField("assessments.Assessment", on_delete=models.CASCADE, related_name="imported_from")
    format_version = models.PositiveSmallIntegerField()
    source = models.CharField(max_length=300, blank=True)
    source_assessment_id = models.BigIntegerField(null=True, blank=True)
    exported_at = models.DateTimeField(null=True, blank=True)
    sha256 = models.CharField(max_length=64)
    package = models.JSONField()
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return f"Assessment {self.assessment_id} imported from {self.source or 'a package'}"
