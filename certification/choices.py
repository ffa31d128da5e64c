from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


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
    CONDITION_DUE = "condition_due", _("A condition of the listing is due soon")
    CONDITION_OVERDUE = "condition_overdue", _("A condition of the listing is overdue")


class Verdict(models.TextChoices):
    """What the public verification page says about a number."""

    VALID = "valid", _("Valid")
    SUSPENDED = "suspended", _("Suspended")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    EXPIRED = "expired", _("Expired")
    UNKNOWN = "unknown", _("Unknown number")
    MALFORMED = "malformed", _("Not a certificate number")
    TYPO = "typo", _("Check character does not match")


# --- the Green List Panel (issue 16) ------------------------------------------------------------


class PanelCaseStatus(models.TextChoices):
    # With a context: the same English words are an assessment's or a condition's status elsewhere,
    # and the project's catalogue, read first, has them feminine ("Dossier du Panel : Décidée").
    OPEN = "open", pgettext_lazy("Panel case status", "Open")
    DECIDED = "decided", pgettext_lazy("Panel case status", "Decided")
    DEFERRED = "deferred", pgettext_lazy("Panel case status", "Deferred")


class PanelCoi(models.TextChoices):
    """A seat's conflict-of-interest declaration (as reviews.CoiStatus for experts)."""

    PENDING = "pending", _("Not declared yet")
    NO_CONFLICT = "no_conflict", _("No conflict declared")
    CONFLICT = "conflict", _("Conflict: does not vote")


class PanelVoteChoice(models.TextChoices):
    GRANT = "grant", _("Grant")
    GRANT_WITH_CONDITIONS = "grant_with_conditions", _("Grant with conditions")
    DEFER = "defer", _("Defer")
    NOT_GRANT = "not_grant", _("Do not grant")


# What each vote counts towards: an Outcome of the decision, or DEFERRED (no decision yet; the
# secretariat may open a new case later). A grant and a grant with conditions count together.
DEFERRED = "deferred"
VOTE_OUTCOMES: dict[str, str] = {
    PanelVoteChoice.GRANT: Outcome.GRANTED,
    PanelVoteChoice.GRANT_WITH_CONDITIONS: Outcome.GRANTED,
    PanelVoteChoice.DEFER: DEFERRED,
    PanelVoteChoice.NOT_GRANT: Outcome.DECLINED,
}


# --- conditions on a listing (issue 16) ----------------------------------------------------------


class ConditionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    FULFILLED = "fulfilled", _("Fulfilled")
    NOT_FULFILLED = "not_fulfilled", _("Not fulfilled")
    WAIVED = "waived", _("Waived")


class ConditionChecker(models.TextChoices):
    """Who checks that a condition is met (named when the condition is set)."""

    EXPERT_GROUP = "expert_group", _("The expert group")
    INDEPENDENT_REVIEWER = "independent_reviewer", _("The independent reviewer")
    SECRETARIAT = "secretariat", _("IUCN staff (the secretariat)")
