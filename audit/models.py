from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models


class AuditEvent(models.Model):
    """One append-only line of the audit trail: who did what to which object, and when.

    Rows are written only by `audit.services.audit_record`. A database trigger (see the
    migrations) refuses UPDATE and DELETE, so not even a bug or the admin can rewrite history;
    it lets through only the two writes of the hash chain (`audit.chain`): sealing a row once,
    and redacting a sealed row's personal text for an audited erasure (docs/personal-data.md).
    """

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=80, db_index=True)
    target_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    target_id = models.CharField(max_length=64)
    target_repr = models.CharField(max_length=300)
    data = models.JSONField(default=dict, blank=True)
    # The hash chain (audit.chain): empty until the row is sealed, then never changed.
    seq = models.BigIntegerField(null=True, blank=True, unique=True, editable=False)
    content_salt = models.CharField(max_length=32, blank=True, default="", editable=False)
    content_hash = models.CharField(max_length=64, blank=True, default="", editable=False)
    chain_hash = models.CharField(max_length=64, blank=True, default="", editable=False)
    # The erasure event that replaced this row's personal text with a pseudonym (its salt is gone).
    redacted_by_event = models.BigIntegerField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor or 'system'} {self.action} {self.target_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("Audit events are append-only.")
