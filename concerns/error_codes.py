"""Stable codes of the concerns' expected failures (the API returns them as `code`)."""

from core.error_codes import FIELD_TOO_LONG, REASONS_REQUIRED, THROTTLED  # noqa: F401  (the same rules as elsewhere)

# A concern is raised only about a listed site (a certificate that is active or suspended).
CONCERN_SITE_NOT_LISTED = "concern_site_not_listed"
# The spam guard (stakeholders.guard): the hidden field filled in, the form sent too fast, too many links.
CONCERN_SPAM = "concern_spam"
# The concern's text missing; the e-mail address missing or invalid.
CONCERN_TEXT_INVALID = "concern_text_invalid"
CONCERN_EMAIL_INVALID = "concern_email_invalid"
# An attachment refused: a type other than PDF, JPEG or PNG; too large; too many; a damaged or
# hostile file (an image too large to decode safely, a PDF that carries scripts or launches).
CONCERN_ATTACHMENT_TYPE = "concern_attachment_type"
CONCERN_ATTACHMENT_TOO_LARGE = "concern_attachment_too_large"
CONCERN_ATTACHMENT_TOO_MANY = "concern_attachment_too_many"
CONCERN_ATTACHMENT_HOSTILE = "concern_attachment_hostile"
# The form's whole request is larger than its files' limits allow (refused before it is read: 413).
CONCERN_REQUEST_TOO_LARGE = "concern_request_too_large"
# Who may act on a concern at its step: staff triage and close, the site team answers, the expert
# group advises, the Panel's chair records the Panel's outcome.
CONCERN_ROLE = "concern_role"
# The move is impossible from where the concern stands; a closed or inadmissible concern is final.
CONCERN_TRANSITION_NOT_ALLOWED = "concern_transition_not_allowed"
CONCERN_FINAL = "concern_final"
# The Panel's outcome: the chair or a member named is conflicted (declared, or the automatic
# warnings); no member named; an outcome that does not fit the certificate (reinstating one not
# suspended, suspending one not active); conditions without a text or a due date.
CONCERN_PANEL_CONFLICT = "concern_panel_conflict"
CONCERN_PANEL_MEMBERS_REQUIRED = "concern_panel_members_required"
CONCERN_OUTCOME_INVALID = "concern_outcome_invalid"
CONCERN_CONDITION_INVALID = "concern_condition_invalid"
