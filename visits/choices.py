from django.db import models
from django.utils.translation import gettext_lazy as _


class VisitStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


# The assessment's phases in which the expert group visits the site: the candidate phase (the site
# gathers its evidence) and its review (the group is assigned from submission on). GREENLIST.md,
# "The process": "the EAGL makes a site visit" during the candidate phase.
VISIT_PHASES = frozenset({"candidate", "submitted", "in_review", "changes_requested", "resubmitted"})
