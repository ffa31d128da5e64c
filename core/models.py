from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class Job(models.Model):
    """A long-running piece of work done by a Celery worker, polled by the page that started it
    (boundary imports, exports)."""

    # Named at module level too: the constraint below (in Meta) cannot see the class's names.
    Status = JobStatus

    kind = models.CharField(max_length=40)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(null=True, blank=True)
    params = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    input_file = models.FileField(upload_to="jobs/input/%Y/%m/", blank=True)
    output_file = models.FileField(upload_to="jobs/output/%Y/%m/", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    # The language the person was reading when they asked: the worker does the work in it (what it
    # writes for them: an export's words, why an import rejected a feature). Empty: the default.
    language = models.CharField(max_length=16, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(condition=Q(status__in=JobStatus.values), name="job_status")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"

    def get_kind_display(self) -> str:
        """The kind as people call it (core.jobs.JOB_NAMES, beside the kinds' tasks); an unnamed kind
        as its code. Not field choices: naming a new kind would then need a migration."""
        from .jobs import JOB_NAMES  # core.jobs imports this module

        return str(JOB_NAMES.get(self.kind, self.kind))


class OutgoingEmail(models.Model):
    """An e-mail to send, written in the same transaction as the change it announces, so it is sent
    even when the broker was down at that moment (the beat sweep picks it up; see core.outbox).

    `next_attempt_at` is both the backoff and a claim: a worker moves it forward before sending,
    so a second delivery of the same task finds nothing due and does not send twice."""

    kind = models.CharField(max_length=60)
    to = ArrayField(models.CharField(max_length=254))
    subject = models.CharField(max_length=998)  # the longest line RFC 5322 allows
    body = models.TextField()
    # Set by senders that must mail once per event (the same key queued again is ignored).
    dedupe_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        indexes = [
            # the sweep's question: what is unsent and due?
            models.Index(fields=["next_attempt_at"], condition=Q(sent_at__isnull=True), name="outgoing_email_unsent"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {', '.join(self.to)} #{self.pk}"
