"""What running the platform for years leaves behind: the record of each backup (issue 20).

The staff system page shows the latest ``BackupRun`` and its verification; the backup command and the
scheduled job write them (``operations.backup``).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class BackupKind(models.TextChoices):
    FULL = "full", _("Full")
    INCREMENTAL = "incremental", _("Incremental")


class BackupStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    OK = "ok", _("Written")
    FAILED = "failed", _("Failed")
    VERIFIED = "verified", _("Written and verified")


class BackupRun(models.Model):
    """One backup: where it went, what it holds (the manifest's summary) and whether it was checked."""

    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    destination = models.CharField(_("destination"), max_length=1000)
    kind = models.CharField(_("kind"), max_length=16, choices=BackupKind.choices, default=BackupKind.FULL)
    status = models.CharField(_("status"), max_length=16, choices=BackupStatus.choices, default=BackupStatus.RUNNING)
    # Counts per table, number of files and bytes, migration state, platform version: the manifest's
    # summary (the manifest itself, with every file's hash, lives in the backup).
    manifest = models.JSONField(_("manifest summary"), default=dict, blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    # What the verification checked (files and hashes, the dump's table of contents) and what it found.
    verification = models.JSONField(_("verification"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("backup run")
        verbose_name_plural = _("backup runs")

    def __str__(self) -> str:
        return f"{self.kind} {self.started_at:%Y-%m-%d %H:%M} {self.status}"
