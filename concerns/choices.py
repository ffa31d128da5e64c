from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ConcernStatus(models.TextChoices):
    """Where a concern about a listed site stands (concerns.workflow moves it)."""

    # Sent, e-mail address not confirmed yet: nobody but the raiser's private link sees it.
    UNCONFIRMED = "unconfirmed", _("Waiting for the e-mail confirmation")
    RECEIVED = "received", _("Received, waiting for triage")
    NOT_ADMISSIBLE = "not_admissible", _("Not admissible")
    ADMISSIBLE = "admissible", _("Admissible, waiting for the site's answer")
    ANSWERED = "answered", _("Answered by the site, waiting for the expert group's advice")
    ADVISED = "advised", _("Advised by the expert group, waiting for the Panel")
    DECIDED = "decided", _("Decided by the Green List Panel")
    # a context: a reviewer's question is "Closed" too, and the words agree with different nouns
    CLOSED = "closed", pgettext_lazy("concern status", "Closed")


class ConcernOutcomeKind(models.TextChoices):
    """What the Green List Panel decided on a concern (reinstatement only after a suspension)."""

    NO_ACTION = "no_action", _("No action")
    CONDITIONS = "conditions", _("New conditions")
    SUSPENSION = "suspension", _("Suspension")
    WITHDRAWAL = "withdrawal", _("Withdrawal")
    REINSTATEMENT = "reinstatement", _("Reinstatement")
