"""Staff's actions on the system page (issue 20): retrying a failed job or a failed evidence item.

Each is the owner's own retry (core.jobs.job_retry, evidence.services.evidence_processing_retry),
checked against the system page's rule and audited here with who asked.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from accounts.models import User
from audit.services import audit_record
from core import error_codes
from core.errors import NotAllowed
from core.jobs import job_retry
from core.models import Job
from evidence.models import EvidenceItem
from evidence.services import evidence_processing_retry

from . import rules


def _require_staff(user: User) -> None:
    if not rules.can_see_system(user):
        raise NotAllowed(error_codes.NOT_STAFF, _("Only IUCN staff may retry failed work."))


def failed_job_retry(*, job_id: int, user: User) -> Job | None:
    """Queue a failed job again; None when it is not failed (nothing to do, nothing recorded)."""
    _require_staff(user)
    job = job_retry(job_id)
    if job is not None:
        audit_record(actor=user, action="operations.job_retried", target=job, data={"kind": job.kind})
    return job


def failed_evidence_retry(*, item_id: int, user: User) -> EvidenceItem | None:
    """Process a failed evidence item again (the evidence service audits it); None when not failed."""
    _require_staff(user)
    return evidence_processing_retry(item_id=item_id, user=user)
