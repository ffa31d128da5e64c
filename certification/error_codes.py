"""Stable codes of the certification app's expected failures (the API returns them as `code`)."""

# The same rules as elsewhere: a reason left out, a text longer than its field.
from core.error_codes import FIELD_TOO_LONG, REASONS_REQUIRED  # noqa: F401

NOT_IUCN_STAFF = "not_iucn_staff"
DECIDER_REVIEWED = "decider_reviewed_assessment"
ASSESSMENT_NOT_RECOMMENDED = "assessment_not_recommended"
ALREADY_DECIDED = "assessment_already_decided"
OUTCOME_INVALID = "outcome_invalid"
CERTIFICATE_TRANSITION_NOT_ALLOWED = "certificate_transition_not_allowed"
CERTIFICATE_EXPIRED = "certificate_expired"
CERTIFICATE_NOT_DUE = "certificate_not_due_to_expire"
CERTIFICATE_ROLE = "certificate_role_not_allowed"
STATUS_REASON_REQUIRED = "status_reason_required"
PDF_NOT_READY = "certificate_pdf_not_ready"
# `?area=` of the Green List map's GeoJSON is not an id.
AREA_INVALID = "invalid_area"

# The Green List Panel (issue 16).
PANEL_DECIDES = "panel_decides"
PANEL_NOT_STAFF = "panel_not_staff"
PANEL_NOT_MEMBER = "panel_not_member"
PANEL_MEMBER_REVIEWED = "panel_member_reviewed"
PANEL_MEMBERS_REQUIRED = "panel_members_required"
PANEL_CASE_OPEN_ALREADY = "panel_case_already_open"
PANEL_CASE_CLOSED = "panel_case_closed"
PANEL_COI_DECLARED = "panel_coi_already_declared"
PANEL_COI_PENDING = "panel_coi_not_declared"
PANEL_CONFLICTED = "panel_member_conflicted"
PANEL_VOTE_INVALID = "panel_vote_invalid"
PANEL_NO_QUORUM = "panel_no_quorum"
PANEL_NO_MAJORITY = "panel_no_majority"
PANEL_NOT_CLOSER = "panel_not_chair"

# Conditions on a listing (issue 16).
CONDITION_NOT_ALLOWED = "condition_not_allowed"
CONDITION_TEXT_REQUIRED = "condition_text_required"
CONDITION_DUE_INVALID = "condition_due_invalid"
CONDITION_DUE_PAST = "condition_due_in_past"
CONDITION_DUE_AFTER_EXPIRY = "condition_due_after_expiry"
CONDITION_CHECKER_UNKNOWN = "condition_checker_unknown"
CONDITION_ROWS_INVALID = "condition_items_invalid"
CONDITIONS_ONLY_WITH_GRANT = "conditions_only_with_grant"
CONDITION_CERTIFICATE_NOT_LISTED = "condition_certificate_not_listed"
CONDITION_CLOSED = "condition_closed"
CONDITION_TRANSITION_NOT_ALLOWED = "condition_transition_not_allowed"
CONDITION_ROLE = "condition_role_not_allowed"
CONDITION_NOTE_REQUIRED = "condition_note_required"
