from django.db import models
from django.utils.translation import gettext_lazy as _


class Phase(models.TextChoices):
    """The phase a consultation window belongs to (GREENLIST.md: stakeholders are heard in each)."""

    APPLICANT = "applicant", _("Applicant")
    CANDIDATE = "candidate", _("Candidate")
    LISTED = "listed", _("Green Listed")


class CommentStatus(models.TextChoices):
    # Submitted, e-mail address not confirmed yet: moderators never see it.
    UNCONFIRMED = "unconfirmed", _("Waiting for the e-mail confirmation")
    PENDING = "pending", _("Waiting for moderation")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
