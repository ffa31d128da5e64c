from django.db import models
from django.utils.translation import gettext_lazy as _


class MidtermStatus(models.TextChoices):
    """The steps of a mid-term review (listing_reviews.workflow)."""

    OPENED = "opened", _("Awaiting the site's update")
    UPDATE_FILED = "update_filed", _("Update filed")
    GROUP_REVIEWED = "group_reviewed", _("Reviewed by the expert group")
    PANEL_NOTED = "panel_noted", _("Noted by the Panel")
    PANEL_ACTED = "panel_acted", _("Panel asks for action")


# The Panel's two ways of closing a mid-term review (the chair records one, with a note).
PANEL_OUTCOMES = (MidtermStatus.PANEL_NOTED, MidtermStatus.PANEL_ACTED)
CLOSED_MIDTERM = frozenset(PANEL_OUTCOMES)


class RenewalState(models.TextChoices):
    """Where a renewal review stands, read from its new cycle (never stored: the new cycle's own
    workflow and decision are the one record of it)."""

    AWAITING_START = "awaiting_start", _("Opened: the site team starts the renewal cycle")
    UNDER_WAY = "under_way", _("Renewal under way")
    RENEWED = "renewed", _("Renewed")
    NOT_RENEWED = "not_renewed", _("Not renewed")
