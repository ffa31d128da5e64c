"""What the assessment lifecycle needs from the review: the guard on its conclusion.

assessments sits below reviews (docs/architecture.md), so its workflow cannot read reviews; this
app hands the guard over when Django starts (reviews.apps), and the engine refuses the conclusion
moves if it never did (core.workflow, `provided_guards`).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from assessments import error_codes
from assessments.choices import Status
from core.errors import Conflict

from .choices import Outcome, ReviewerDecision
from .models import AssessmentReview


def concluded_status(outcome: str) -> Status:
    """Where the group's confirmed recommendation takes the assessment: "recommend" to
    recommended, anything else ("not yet", "do not recommend") to not recommended."""
    return Status.RECOMMENDED if outcome == Outcome.RECOMMEND else Status.NOT_RECOMMENDED


def guard_review_confirmed(assessment, target: str) -> None:
    """The group recommended, the independent reviewer confirmed, and `target` is where that
    recommendation leads (`reviews.services.process_confirm` confirms, then moves, in one
    transaction)."""
    target = Status(target)
    review = AssessmentReview.objects.filter(assessment_id=assessment.pk).only("outcome", "reviewer_decision").first()
    if review is None or not review.outcome:
        raise Conflict(
            error_codes.REVIEW_NOT_CONFIRMED,
            _("The assessment cannot move to '%(target)s': the Expert Assessment Group has made no recommendation yet.")
            % {"target": target.label},
        )
    if review.reviewer_decision != ReviewerDecision.CONFIRMED:
        raise Conflict(
            error_codes.REVIEW_NOT_CONFIRMED,
            _(
                "The assessment cannot move to '%(target)s': the independent reviewer has not confirmed the "
                "group's recommendation (they confirm it on the review page)."
            )
            % {"target": target.label},
        )
    expected = concluded_status(review.outcome)
    if expected != target:
        raise Conflict(
            error_codes.REVIEW_OUTCOME_MISMATCH,
            _(
                "The confirmed recommendation is '%(outcome)s': the assessment moves to '%(expected)s', "
                "not '%(target)s'."
            )
            % {"outcome": review.get_outcome_display(), "expected": expected.label, "target": target.label},
        )
