"""Stable codes of the eligibility gate's expected failures (the API returns them as `code`)."""

from core.error_codes import FIELD_TOO_LONG, REASONS_REQUIRED  # noqa: F401  (the same rules as elsewhere)

# The move application → candidate without a positive evaluation and check, or a staff override
# (eligibility.guards); `missing` lists what is still to be recorded.
ELIGIBILITY_NOT_ESTABLISHED = "eligibility_not_established"
# An evaluation, check or override recorded by someone whose role does not allow it.
ELIGIBILITY_NOT_ALLOWED = "eligibility_not_allowed"
# Recorded after the application phase (the gate is closed: nothing it says changes the phase).
ELIGIBILITY_CLOSED = "eligibility_phase_closed"
# The reviewer checks the group's evaluation: there must be one first.
ELIGIBILITY_NO_EVALUATION = "eligibility_no_evaluation"
