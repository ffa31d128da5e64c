from core.error_codes import NOT_STAFF  # noqa: F401  (staff only, as in every app)

# API authentication (accounts.authentication): why a token was refused.
TOKEN_INVALID = "token_invalid"  # noqa: S105
TOKEN_REVOKED = "token_revoked"  # noqa: S105
TOKEN_EXPIRED = "token_expired"  # noqa: S105
TOKEN_READ_ONLY = "token_read_only"  # noqa: S105
TOKEN_FORBIDDEN = "token_forbidden"  # noqa: S105
ACCOUNT_DISABLED = "account_disabled"
# Tokens are created from a browser session, never with another token.
SESSION_REQUIRED = "session_required"
PASSWORD_INVALID = "password_invalid"  # noqa: S105
ROLE_SCOPE_MISSING = "role_scope_missing"
ROLE_SCOPE_NOT_ALLOWED = "role_scope_not_allowed"
ROLE_DATES_INVALID = "role_dates_invalid"
INVITATION_INVALID = "invitation_invalid"
INVITATION_EXPIRED = "invitation_expired"
INVITATION_USED = "invitation_used"
# Error codes of personal API tokens (names, not secrets: hence the noqa for the bandit rule).
API_TOKEN_NAME_MISSING = "api_token_name_missing"  # noqa: S105
API_TOKEN_EXPIRY_INVALID = "api_token_expiry_invalid"  # noqa: S105
API_TOKEN_TOO_MANY = "api_token_too_many"  # noqa: S105
API_TOKEN_NOT_ALLOWED = "api_token_not_allowed"  # noqa: S105
API_TOKEN_TWO_FACTOR_REQUIRED = "two_factor_required"  # noqa: S105
# People, role assignments and accreditations (the staff API, issue 13).
ROLE_NOT_GRANTABLE = "role_not_grantable"
ROLE_ENDED = "role_ended"
ACCREDITATION_ROLE_INVALID = "accreditation_role_invalid"
NOT_ADMINISTRATOR = "not_administrator"
PERSON_UNCHANGEABLE = "person_unchangeable"
PERSON_INACTIVE = "person_inactive"
# A person's download of their own data (accounts.personal_data, issue 20).
DATA_EXPORT_TRANSITION_NOT_ALLOWED = "data_export_transition_not_allowed"
DATA_EXPORT_ROLE = "data_export_role"
DATA_EXPORT_NOTE_TOO_LONG = "data_export_note_too_long"
DATA_EXPORT_NOTE_REQUIRED = "data_export_note_required"
DATA_EXPORT_PENDING = "data_export_pending"
DATA_EXPORT_EXPIRED = "data_export_expired"
