from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    APPLICATION = "application", _("Application")
    CANDIDATE = "candidate", _("Candidate: self-assessment under way")
    SUBMITTED = "submitted", _("Submitted for review")
    IN_REVIEW = "in_review", _("In review")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    RESUBMITTED = "resubmitted", _("Resubmitted")
    RECOMMENDED = "recommended", _("Recommended")
    NOT_RECOMMENDED = "not_recommended", _("Not recommended")
    DECIDED = "decided", _("Decided")


# Phases in which the site team may change answers and evidence; every other phase is frozen.
EDITABLE_STATUSES = frozenset({Status.APPLICATION, Status.CANDIDATE, Status.CHANGES_REQUESTED})
