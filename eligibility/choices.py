from django.db import models
from django.utils.translation import gettext_lazy as _


class Step(models.TextChoices):
    """The three records of the eligibility gate (application → candidate)."""

    # The Expert Assessment Group's evaluation: eligible or not eligible.
    EVALUATION = "evaluation", _("Expert group's evaluation")
    # The independent reviewer's check of that evaluation: confirmed or not confirmed.
    CHECK = "check", _("Independent reviewer's check")
    # IUCN staff accept the site as candidate without both positive records (always positive).
    OVERRIDE = "override", _("Staff override")
