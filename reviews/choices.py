from django.db import models
from django.utils.translation import gettext_lazy as _


class AssignmentRole(models.TextChoices):
    EXPERT = "expert", _("Expert (EAGL member)")
    INDEPENDENT_REVIEWER = "independent_reviewer", _("Independent reviewer")

    @property
    def as_phrase(self) -> str:
        """The role inside a sentence ("…to review X as an expert of the group…"): a label such as
        "Expert (EAGL member)" reads wrong there ("en tant que Expert (membre de l'EAGL)")."""
        return str(_ROLE_PHRASES[self])


_ROLE_PHRASES = {
    AssignmentRole.EXPERT: _("as an expert of the Expert Assessment Group (EAGL)"),
    AssignmentRole.INDEPENDENT_REVIEWER: _("as the independent reviewer"),
}


class CoiStatus(models.TextChoices):
    PENDING = "pending", _("Declaration pending")
    NO_CONFLICT = "no_conflict", _("No conflict declared")
    CONFLICT = "conflict", _("Conflict declared: blocked")


class WarningKind(models.TextChoices):
    SITE_TEAM = "site_team", _("Is or was on the site's team")
    SAME_ORGANISATION = "same_organisation", _("Shares the site's managing organisation")
    PREVIOUS_CYCLE = "previous_cycle", _("Reviewed this site in the previous cycle")
    LAPSES_BEFORE_DUE = "lapses_before_due", _("Accreditation lapses before the due date")


class Outcome(models.TextChoices):
    RECOMMEND = "recommend", _("Recommend for the Green List")
    NOT_YET = "not_yet", _("Not yet")
    NOT_RECOMMEND = "not_recommend", _("Do not recommend")


class ReviewerDecision(models.TextChoices):
    PENDING = "pending", _("Awaiting the independent reviewer")
    CONFIRMED = "confirmed", _("Process confirmed")
    RETURNED = "returned", _("Returned with reasons")


class RequestStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")


# Assessment phases in which assignments may be made (the group forms after submission).
ASSIGNABLE_STATUSES = frozenset({"submitted", "in_review", "changes_requested", "resubmitted"})
