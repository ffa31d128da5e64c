"""Stable codes of the listing reviews' expected failures (the API returns them as `code`)."""

MIDTERM_ROLE = "midterm_not_allowed"
MIDTERM_TRANSITION_NOT_ALLOWED = "midterm_transition_not_allowed"
MIDTERM_FINAL = "midterm_closed"
MIDTERM_TEXT_REQUIRED = "midterm_text_required"
MIDTERM_TEXT_TOO_LONG = "midterm_text_too_long"
MIDTERM_OUTCOME_INVALID = "midterm_outcome_invalid"
MIDTERM_CONDITION_UNKNOWN = "midterm_condition_unknown"
# Monitoring evidence is added while the update is being written (before it is filed).
MIDTERM_EVIDENCE_CLOSED = "midterm_evidence_closed"
RENEWAL_ROLE = "renewal_not_allowed"
RENEWAL_ALREADY_STARTED = "renewal_already_started"
RENEWAL_CLOSED = "renewal_certificate_not_listed"
