from django.db import models
from django.utils.translation import gettext_lazy as _


class Outcome(models.TextChoices):
    GRANTED = "granted", _("Green List status granted")
    DECLINED = "declined", _("Green List status declined")


class CertificateStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    EXPIRED = "expired", _("Expired")


# Certificates that put an area on the public Green List (a suspended one is shown, as suspended).
LISTED_STATUSES = (CertificateStatus.ACTIVE, CertificateStatus.SUSPENDED)
# Each status's colour on the public Green List's maps (the page's SVG, and the interactive map,
# which reads them from the page); any other status is drawn in OTHER_STATUS_COLOUR.
STATUS_COLOURS = {CertificateStatus.ACTIVE: "#1b6b3a", CertificateStatus.SUSPENDED: "#c77700"}
OTHER_STATUS_COLOUR = "#a3191b"


class NoticeKind(models.TextChoices):
    EXPIRY_6_MONTHS = "expiry_6m", _("Expiry in 6 months")
    EXPIRY_1_MONTH = "expiry_1m", _("Expiry in 1 month")
    MONITORING_REPORT = "monitoring", _("Yearly monitoring report due")
    CANDIDATE_WINDOW = "candidate_window", _("Candidate's 5-year window has run out")


class Verdict(models.TextChoices):
    """What the public verification page says about a number."""

    VALID = "valid", _("Valid")
    SUSPENDED = "suspended", _("Suspended")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    EXPIRED = "expired", _("Expired")
    UNKNOWN = "unknown", _("Unknown number")
    MALFORMED = "malformed", _("Not a certificate number")
    TYPO = "typo", _("Check character does not match")
