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
