"""Stable codes of the site visits' expected failures (the API returns them as `code`)."""

from core.error_codes import DATE_IN_FUTURE  # noqa: F401  (the same rule as an answer's dates)

VISIT_ROLE = "visit_not_allowed"
# The assessment is not in the candidate phase or its review: no visit is planned, held or added to.
VISIT_PHASE = "visit_assessment_phase"
VISIT_TRANSITION_NOT_ALLOWED = "visit_transition_not_allowed"
VISIT_FINAL = "visit_status_final"
VISIT_NOT_HELD = "visit_not_held"
VISIT_DATES_INVALID = "visit_dates_invalid"
VISIT_PLANNED_IN_PAST = "visit_planned_in_past"
# A visit held before it was planned (its held date earlier than the day the plan was recorded).
VISIT_HELD_BEFORE_PLANNED = "visit_held_before_planned"
VISIT_PARTICIPANT_UNKNOWN = "visit_participant_unknown"
VISIT_TEXT_TOO_LONG = "visit_text_too_long"
VISIT_REASON_REQUIRED = "visit_reason_required"
VISIT_NOTES_ALREADY_RELEASED = "visit_notes_already_released"
