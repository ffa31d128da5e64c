from core.error_codes import NOT_STAFF  # noqa: F401  (staff only, as in every app)

STANDARD_FILE_UNREADABLE = "standard_file_unreadable"
STANDARD_FILE_INVALID = "standard_file_invalid"
ADAPTED_SET_NOT_DRAFT = "adapted_set_not_draft"
ADAPTED_SET_EMPTY = "adapted_set_empty"
NO_STANDARD_LOADED = "no_standard_loaded"
# Jurisdictions (the staff API, issue 13).
JURISDICTION_CODE_TAKEN = "jurisdiction_code_taken"
JURISDICTION_COUNTRIES_INVALID = "jurisdiction_countries_invalid"
